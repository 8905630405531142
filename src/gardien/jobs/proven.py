"""The people of a batch of requests, found by what each request proved (R-RGT-11) and by the
identifiers their own rows hold (issue 10 §3): one bounded pivot, journaled before anything is
changed so a resumed run searches with what the rows held when the request started.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.registry.model import Registry
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.proofs import with_pivots
from gardien.rights.locate import PersonLocation, RowReader
from gardien.rights.pivot import PivotedLocation, locate_with_pivot
from gardien.store import rights_journal

# Issue 10 §3: the rights whose search extends to the identifiers read from the person's own
# rows. Rectification and restriction change or mark what the person names, field by field:
# they keep to the identifiers the request gives (pivoted by issue 9's rule only).
PIVOTED_KINDS = frozenset(
    {
        RequestKind.ACCESS,
        RequestKind.PORTABILITY,
        RequestKind.ERASURE,
        RequestKind.OBJECTION,
        RequestKind.OBJECTION_PROSPECTING,
        RequestKind.CONSENT_WITHDRAWAL,
        RequestKind.POST_MORTEM_DIRECTIVE,
    }
)


@dataclass(frozen=True)
class ProvenLocations:
    """The batch's requests (with the proofs the pivot adds), where each person was found,
    and the pivot each request was searched with (request id → ``PivotedLocation``)."""

    requests: list[RightsRequest]
    locations: dict[str, PersonLocation]
    pivots: dict[str, PivotedLocation]


def locate_proven(
    registry: Registry,
    connectors: Mapping[str, RowReader],
    store: Engine,
    clock: Clock,
    actor: str,
    started: Sequence[RightsRequest],
) -> ProvenLocations:
    """Find each request's person by its proven identifiers (``RightsRequest.scope``), then
    by the identifiers their own rows hold: one bounded pivot (``rights.pivot``), two
    look-ups for the whole batch.

    An unproven identifier the request gives that the pivot reads from the person's rows is
    proven by pivot (``requests.proofs``): the same customer row holds the proven e-mail and
    this phone. The pivot is named in the result and the timeline, never stored as a proof.
    """
    if not started:
        return ProvenLocations([], {}, {})
    found = locate_with_pivot(
        registry, [(r.id, dict(r.scope.identity)) for r in started], connectors
    )
    # Journaled before anything is changed, kept to on resumption: what the person's rows held
    # when the request started is what it was searched with, even once a killed run erased them.
    journal = rights_journal.once_many(
        store,
        clock,
        kind="pivot",
        actor=actor,
        outcomes={r.id: found[r.id].journal() for r in started},
    )
    now = clock.now()
    out: list[RightsRequest] = []
    locations: dict[str, PersonLocation] = {}
    pivots: dict[str, PivotedLocation] = {}
    for request in started:
        pivoted = found[request.id].kept_to(journal[request.id])
        searched = {(p.kind, p.value) for p in pivoted.pivots}
        typed = {
            kind
            for kind in request.scope.not_searched
            if (kind, request.identity[kind]) in searched
        }
        if typed:
            request = dataclasses.replace(
                request,
                proofs=with_pivots(request.proofs, typed, at=now, by="gardien:pivot"),
            )
        if request.kind in PIVOTED_KINDS:
            locations[request.id] = pivoted.location()
            pivots[request.id] = pivoted
        else:
            chosen = {(k, request.identity[k]) for k in typed}
            locations[request.id] = pivoted.location(chosen)
            pivots[request.id] = dataclasses.replace(
                pivoted,
                pivots=tuple(p for p in pivoted.pivots if (p.kind, p.value) in chosen),
                withheld=(),
            )
        out.append(request)
    return ProvenLocations(out, locations, pivots)
