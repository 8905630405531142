"""The restriction list (Art. 18, R-RGT-07): whose data may only be stored, and who to tell.

A restriction is placed on a person (for instance while the accuracy of their data, or an
objection, is being verified — Art. 18(1)(a), (d)) with a reason and the request it answers. It
is lifted only once the person has been told (Art. 18(3)); the notice given is recorded with the
lift. Placing and lifting are both events; nothing is updated in place, so the list at any past
instant can be folded again. Recipients to whom the data was disclosed are told of the
restriction and of its lifting (Art. 19).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gardien.consent.ledger import EventRefused
from gardien.registry.model import RecipientKind, Registry


class RestrictionKind(StrEnum):
    PLACED = "placed"
    LIFTED = "lifted"


@dataclass(frozen=True)
class RestrictionEvent:
    seq: int
    at: datetime
    kind: RestrictionKind
    restriction_id: str  # the placement this event belongs to
    reason: str | None = None  # for a placement
    request_id: str | None = None
    notice: str | None = None  # for a lift: what the person was told, and how (Art. 18(3))


def restrictions_in_force(
    events: Iterable[RestrictionEvent], at: datetime | None = None
) -> tuple[RestrictionEvent, ...]:
    """The placements not lifted as of ``at`` (all events when ``at`` is None), oldest first."""
    placed: dict[str, RestrictionEvent] = {}
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        if at is not None and event.at > at:
            break
        if event.kind is RestrictionKind.PLACED:
            placed[event.restriction_id] = event
        else:
            placed.pop(event.restriction_id, None)
    return tuple(placed.values())


def check_placement(reason: str) -> None:
    if not reason.strip():
        raise EventRefused(
            "a restriction needs a reason (Art. 18(1)(a)-(d): accuracy contested, unlawful "
            "processing, data needed for legal claims, objection being verified)"
        )


def check_lift(notice: str, in_force: Iterable[RestrictionEvent]) -> None:
    if not notice.strip():
        raise EventRefused(
            "a restriction is lifted only after the person has been told (Art. 18(3)): "
            "record the notice given (date, channel, wording or reference)"
        )
    if not tuple(in_force):
        raise EventRefused("no restriction in force matches: nothing to lift")


def recipients_to_notify(registry: Registry, activities: Iterable[str] | None = None) -> list[str]:
    """Art. 19: recipients of the person's data, to be told of a restriction and of its lifting.

    The recipients declared for ``activities`` (every activity when None), internal ones
    excluded: staff are the controller itself, not a recipient to be notified.
    """
    chosen = (
        registry.activities
        if activities is None
        else {a: registry.activities[a] for a in activities if a in registry.activities}
    )
    found: list[str] = []
    for activity in chosen.values():
        for recipient_id in activity.recipients:
            recipient = registry.recipients.get(recipient_id)
            if recipient is None or recipient.kind is RecipientKind.INTERNAL:
                continue
            if recipient_id not in found:
                found.append(recipient_id)
    return found
