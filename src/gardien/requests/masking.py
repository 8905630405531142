"""A request as a reader who does not handle people sees it (issue 9 §2, Art. 5(1)(f), Art. 32).

An auditor reads the queue to check that deadlines are kept and requests answered; it needs
the dates, states, decisions and counts, not who asked nor what they wrote. ``masked`` keeps
those and hides what names or describes the person: each identifier (``j…@example.fr``), the
request's text, the values of a rectification, a post-mortem directive and its trusted
third party, who declared the death, and the keyed digests a rectification's result holds.
The result's counts and legal grounds stay (they hold no value of the person's data,
``gardien.rights.outcome``). Which roles see people in clear is ``server.permissions``'
``sees_people``; the API and the back office both show ``view_for(role, request)``.

Pure: no framework (the domain layer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gardien.identity import mask_identifier
from gardien.requests.model import RequestDetails, RightsRequest, TimelineEntry

HIDDEN = "***"
# Keys of a stored result whose values are digests of the person's values (rectification).
_DIGEST_KEYS = frozenset({"before", "after"})


def _hide_digests(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (HIDDEN if k in _DIGEST_KEYS and v else _hide_digests(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_hide_digests(v) for v in value]
    return value


def _hidden(text: str | None) -> str | None:
    return HIDDEN if text else text


def _masked_entry(entry: TimelineEntry) -> TimelineEntry:
    """A completion's "searched with" (issue 10 §3) with each identifier masked."""
    searched = entry.details.get("searched_with")
    if not searched:
        return entry
    hidden = [
        {**s, "value": mask_identifier(str(s["identifier"]), str(s["value"]))} for s in searched
    ]
    return dataclasses.replace(entry, details={**entry.details, "searched_with": hidden})


def masked(request: RightsRequest) -> RightsRequest:
    """``request`` with what names or describes the person hidden; dates and counts kept."""
    details = request.details
    return dataclasses.replace(
        request,
        identity={kind: mask_identifier(kind, value) for kind, value in request.identity.items()},
        text=_hidden(request.text),
        details=RequestDetails(
            fields={name: HIDDEN for name in details.fields},
            activity=details.activity,
            purpose=details.purpose,
            directive=_hidden(details.directive),
            trusted_third_party=_hidden(details.trusted_third_party),
            directive_action=details.directive_action,
        ),
        death=(dataclasses.replace(request.death, declared_by=HIDDEN) if request.death else None),
        result=_hide_digests(request.result) if request.result is not None else None,
        timeline=tuple(_masked_entry(e) for e in request.timeline),
        # An attestation is in the agent's words, which may name the person.
        proofs={
            kind: dataclasses.replace(p, attestation=_hidden(p.attestation))
            for kind, p in request.proofs.items()
        },
    )
