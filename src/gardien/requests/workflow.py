"""The request workflow as pure functions: each returns the request with one more timeline entry.

Every function takes the instant (from the caller's Clock) and the actor, checks the law's
conditions, and raises rather than bend them:
- deadlines come from :func:`gardien.law.deadlines.request_deadline` with the controller's
  country (Art. 12(3));
- an extension is reasoned and decided on or before the original due date (Art. 12(3));
- a refusal carries a written reason (Art. 12(4)–(5));
- nothing starts on an unverified identity (R-RGT-11), and the time spent waiting for it is
  recorded while the deadline keeps running; each identifier is proven on its own
  (``requests.proofs``);
- a post-mortem directive is recorded, and becomes actionable on a declared death (Loi 78-17
  art. 85); the period to carry it out runs from the declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from gardien.errors import ReasonRequired, UsageError
from gardien.identity import normalise, normalise_all
from gardien.law.deadlines import country_code, request_deadline
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import Death, Extension, RequestDetails, RightsRequest, TimelineEntry
from gardien.requests.proofs import (
    IdentifierProof,
    ProofMethod,
    attested_kinds,
    proven_by_code,
)
from gardien.requests.states import Action, IllegalTransition, RequestState, next_state

CODE_CHANNELS = ("email", "phone")  # identity kinds a one-time code can be sent to
_TARGETED = (
    RequestKind.OBJECTION,
    RequestKind.OBJECTION_PROSPECTING,
    RequestKind.CONSENT_WITHDRAWAL,
)


CODE_ALREADY_USED = (
    "its code was already confirmed; its other identifiers are proven by an agent's attestation"
)


class InvalidRequest(UsageError):
    """A request whose contents do not fit its kind (fields for an access request…)."""

    code = "invalid_request"


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def check_details(kind: RequestKind, details: RequestDetails) -> RequestDetails:
    """The details cleaned for ``kind``; raise :class:`InvalidRequest` naming what does not fit."""
    fields: dict[str, str] = {}
    for name, value in details.fields.items():
        column = name.strip()
        if not column:
            raise InvalidRequest("a rectified field needs a name", field="fields")
        # An identifier rectified to a malformed value would lose the person: refuse it now.
        fields[column] = normalise(column, value) if column in CODE_CHANNELS else value
    if kind is RequestKind.RECTIFICATION and not fields:
        raise InvalidRequest(
            "a rectification names the fields to correct and their accurate values (Art. 16)",
            field="fields",
        )
    if kind is not RequestKind.RECTIFICATION and fields:
        raise InvalidRequest(
            f"fields to correct only belong to a rectification, not {kind.value}", field="fields"
        )
    activity, purpose = _clean(details.activity), _clean(details.purpose)
    if (activity or purpose) and kind not in _TARGETED:
        raise InvalidRequest(
            f"an activity or purpose only belongs to an objection or a consent withdrawal, "
            f"not {kind.value}",
            field="activity",
        )
    if kind is RequestKind.OBJECTION and not (activity or purpose):
        raise InvalidRequest(
            "an objection under Art. 21(1) names the activity or purpose it is aimed at",
            field="activity",
        )
    directive, third = _clean(details.directive), _clean(details.trusted_third_party)
    if kind is RequestKind.POST_MORTEM_DIRECTIVE and not directive:
        raise InvalidRequest(
            "a post-mortem directive states what to do with the data after death "
            "(keep, erase, communicate)",
            field="directive",
        )
    action = details.directive_action
    if kind is not RequestKind.POST_MORTEM_DIRECTIVE and (directive or third or action):
        raise InvalidRequest(
            f"a directive, its action and a trusted third party only belong to a post-mortem "
            f"directive, not {kind.value}",
            field="directive",
        )
    if kind is RequestKind.POST_MORTEM_DIRECTIVE:
        # Art. 85 I names three actions; execution carries out the one recorded here, never
        # an interpretation of the person's words.
        if action is None:
            raise InvalidRequest(
                "a post-mortem directive records which of the three actions of Loi 78-17 art. 85 "
                "it asks for: keep, erase or communicate",
                field="directive_action",
            )
        if action is DirectiveAction.COMMUNICATE and not third:
            raise InvalidRequest(
                "a directive to communicate the data names who receives it (Loi 78-17 art. 85 "
                "I: the person designated by the deceased)",
                field="trusted_party",
            )
    return RequestDetails(
        fields=fields,
        activity=activity,
        purpose=purpose,
        directive=directive,
        trusted_third_party=third,
        directive_action=action,
    )


def code_channel(identity: Mapping[str, str], channel: str | None) -> str | None:
    """The declared channel for the one-time code: the one asked, else e-mail, else phone."""
    if channel is not None:
        if channel not in CODE_CHANNELS:
            raise InvalidRequest(
                f"channel {channel!r}: a code can be sent by {' or '.join(CODE_CHANNELS)}",
                field="channel",
            )
        if channel not in identity:
            raise InvalidRequest(
                f"channel {channel}: the request gives no {channel} identifier to send the code to",
                field="channel",
            )
        return channel
    return next((c for c in CODE_CHANNELS if c in identity), None)


def new_request(
    *,
    request_id: str,
    kind: RequestKind,
    identity: Mapping[str, str],
    received_at: datetime,
    now: datetime,
    actor: str,
    country: str = "FR",
    channel: str | None = None,
    text: str | None = None,
    details: RequestDetails | None = None,
) -> RightsRequest:
    """A request just received: identifiers normalised, contents checked, deadlines set.

    ``received_at`` is the receipt (Art. 12(3) counts from it), which may precede ``now``
    (a letter opened the next day) but never follow it. Its own calendar date is the receipt
    day: a UTC instant gives the UTC date, which is never later than the local one in Europe,
    so the due date is never later than the law's.
    """
    normalised = normalise_all(identity)
    if received_at > now:
        raise InvalidRequest(
            f"received at {received_at.isoformat()} is after now ({now.isoformat()}): "
            "a request cannot be received in the future",
            field="received_at",
        )
    checked = check_details(kind, details or RequestDetails())
    code = country_code(country)
    due: date | None = None
    extended_due: date | None = None
    if kind is not RequestKind.POST_MORTEM_DIRECTIVE:
        deadline = request_deadline(received_at, code)
        due, extended_due = deadline.due, deadline.extended_due
    entry = TimelineEntry(
        at=now,
        actor=actor,
        action=Action.SUBMIT,
        from_state=None,
        to_state=RequestState.RECEIVED,
        details={"received_at": received_at.isoformat(), "article": kind.article},
    )
    return RightsRequest(
        id=request_id,
        kind=kind,
        identity=normalised,
        channel=code_channel(normalised, channel),
        received_at=received_at,
        country=code,
        due=due,
        extended_due=extended_due,
        state=RequestState.RECEIVED,
        text=_clean(text),
        details=checked,
        timeline=(entry,),
    )


def _step(
    request: RightsRequest,
    action: Action,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
    **changes: Any,
) -> RightsRequest:
    target = next_state(request.id, request.state, action)
    entry = TimelineEntry(
        at=now,
        actor=actor,
        action=action,
        from_state=request.state,
        to_state=target,
        reason=reason,
        details=dict(details or {}),
    )
    return replace(request, state=target, timeline=(*request.timeline, entry), **changes)


NO_REFUSAL_REASON = (
    "a refusal states its reasons in writing (Art. 12(4)-(5)): the controller bears the "
    "burden of showing the request is manifestly unfounded or excessive"
)
NO_EXTENSION_REASON = (
    "an extension states its reasons (Art. 12(3)): complexity or number of requests"
)


def _reason(text: str | None, what: str, field: str = "reason") -> str:
    return ReasonRequired.check(text, what, field=field)


def code_sent(
    request: RightsRequest, *, now: datetime, actor: str, expires_at: datetime
) -> RightsRequest:
    """A one-time code went to the request's declared channel; identity is now awaited."""
    if request.channel is None:
        raise InvalidRequest(
            f"request {request.id} gives no e-mail or phone to send a code to: "
            "verify the identity by an agent's attestation of a checked document"
        )
    return _step(
        request,
        Action.SEND_CODE,
        now=now,
        actor=actor,
        details={"channel": request.channel, "expires_at": expires_at.isoformat()},
    )


def identity_wait_started(request: RightsRequest) -> datetime:
    """When gardien started waiting for proof of identity: the first code sent, else receipt."""
    for entry in request.timeline:
        if entry.action is Action.SEND_CODE:
            return entry.at
    return request.received_at


def verified(
    request: RightsRequest,
    *,
    now: datetime,
    actor: str,
    method: str,
    attestation: str | None = None,
    identifiers: Iterable[str] | None = None,
) -> RightsRequest:
    """R-RGT-11: identifiers proven by a one-time code (``code``) or an agent's attestation.

    The code proves the request's channel only (the identifier it went to); an attestation
    proves the ``identifiers`` named, or every identifier of the request when none is named.
    Each proof is recorded per identifier (``requests.proofs``): only proven identifiers are
    ever searched. An attestation may come after the code, to prove more identifiers of a
    verified request. The wait is recorded; the deadline does not move (the clock keeps
    running).
    """
    details: dict[str, Any] = {"method": method}
    if method == "attestation":
        details["attestation"] = _reason(
            attestation,
            "an attestation says which document was checked and by whom "
            '(e.g. "passport checked by A. Martin")',
            field="attestation",
        )
        details["attested_by"] = actor
        kinds = attested_kinds(request.identity, identifiers)
        proofs: dict[str, IdentifierProof] = {
            **request.proofs,
            **{
                kind: IdentifierProof(ProofMethod.ATTESTATION, now, actor, details["attestation"])
                for kind in kinds
            },
        }
    elif method == "code":
        if request.channel is None:
            raise InvalidRequest(f"request {request.id}: no channel received a code")
        if request.state is RequestState.VERIFIED:
            raise IllegalTransition(
                request.id,
                request.state,
                Action.VERIFY,
                CODE_ALREADY_USED,
            )
        kinds = [request.channel]
        proofs = proven_by_code(request.proofs, request.channel, at=now, by=actor)
    else:
        raise InvalidRequest(f"unknown verification method {method!r}: code or attestation")
    details["identifiers"] = kinds  # kinds only: the trail never holds an identifier's value
    waited = now - identity_wait_started(request)
    details["identity_wait_seconds"] = max(0, int(waited.total_seconds()))
    return _step(request, Action.VERIFY, now=now, actor=actor, details=details, proofs=proofs)


def start(request: RightsRequest, *, now: datetime, actor: str) -> RightsRequest:
    """Execution begins: only on a verified identity, and for a directive only after a death."""
    if request.state is RequestState.VERIFIED and not request.actionable:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.START,
            "a post-mortem directive is carried out only once the person's death is declared "
            "(Loi 78-17 art. 85)",
        )
    if request.state is RequestState.VERIFIED and not request.scope.identity:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.START,
            "none of its identifiers is proven (R-RGT-11): have one attested by an agent",
        )
    return _step(request, Action.START, now=now, actor=actor)


def complete(
    request: RightsRequest,
    *,
    now: datetime,
    actor: str,
    result: Mapping[str, Any],
    partially_refused: bool = False,
    reasons: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> RightsRequest:
    """The request is answered; a partial refusal says why (Art. 12(4))."""
    if partially_refused:
        why = _reason(
            reasons,
            "a partial refusal states its reasons (Art. 12(4)): which part is refused and why",
        )
        return _step(
            request,
            Action.PARTIALLY_REFUSE,
            now=now,
            actor=actor,
            reason=why,
            details=details,
            result=dict(result),
        )
    return _step(
        request,
        Action.COMPLETE,
        now=now,
        actor=actor,
        reason=_clean(reasons),
        details=details,
        result=dict(result),
    )


def refuse(request: RightsRequest, *, now: datetime, actor: str, reason: str) -> RightsRequest:
    """Art. 12(5): refusing a manifestly unfounded or excessive request needs a written reason."""
    why = _reason(reason, NO_REFUSAL_REASON)
    return _step(request, Action.REFUSE, now=now, actor=actor, reason=why)


def cancel(request: RightsRequest, *, now: datetime, actor: str, reason: str) -> RightsRequest:
    """The person withdrew the request (or it was a duplicate): closed without an answer owed."""
    why = _reason(reason, "a cancellation says why (withdrawn by the person, duplicate of…)")
    return _step(request, Action.CANCEL, now=now, actor=actor, reason=why)


def extend(request: RightsRequest, *, now: datetime, actor: str, reason: str) -> RightsRequest:
    """Art. 12(3): two further months, reasoned, decided and notified within the first month."""
    if request.extension is not None:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.EXTEND,
            f"the period was already extended on {request.extension.decided_at:%Y-%m-%d}; "
            "Art. 12(3) allows one extension of two months",
        )
    next_state(request.id, request.state, Action.EXTEND)  # closed requests are not extended
    why = _reason(reason, NO_EXTENSION_REASON)
    if request.due is None or request.extended_due is None:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.EXTEND,
            "a post-mortem directive has no period to extend before a death is declared",
        )
    if now.date() > request.due:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.EXTEND,
            f"the extension must be decided and notified within one month of receipt, by "
            f"{request.due.isoformat()} (Art. 12(3)); that date has passed",
        )
    return _step(
        request,
        Action.EXTEND,
        now=now,
        actor=actor,
        reason=why,
        details={"extended_due": request.extended_due.isoformat()},
        extension=Extension(reason=why, decided_at=now, decided_by=actor),
    )


def declare_death(
    request: RightsRequest, *, now: datetime, actor: str, died_on: date
) -> RightsRequest:
    """Loi 78-17 art. 85: a declared death makes a recorded directive actionable.

    The period to carry it out is counted like any request's, from the declaration (the day the
    controller learns of the death). Executing the directive is the caller's business.
    """
    if request.kind is not RequestKind.POST_MORTEM_DIRECTIVE:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.DECLARE_DEATH,
            f"a death is declared on a post-mortem directive, not on a {request.kind.value} request",
        )
    if request.death is not None:
        raise IllegalTransition(
            request.id,
            request.state,
            Action.DECLARE_DEATH,
            f"a death on {request.death.died_on.isoformat()} was already declared",
        )
    if died_on > now.date():
        raise InvalidRequest(f"date of death {died_on.isoformat()} is in the future")
    if died_on < request.received_at.date():
        raise InvalidRequest(
            f"date of death {died_on.isoformat()} is before the directive was received "
            f"({request.received_at.date().isoformat()})"
        )
    deadline = request_deadline(now, request.country)
    return _step(
        request,
        Action.DECLARE_DEATH,
        now=now,
        actor=actor,
        details={"died_on": died_on.isoformat(), "due": deadline.due.isoformat()},
        death=Death(died_on=died_on, declared_at=now, declared_by=actor),
        due=deadline.due,
        extended_due=deadline.extended_due,
    )
