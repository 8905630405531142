"""Use cases of the consent ledger and of the suppression and restriction lists.

Joins what the command line, the API and the back office give — an identity as text, a
registry, the settings' subject key — to the pure domain (``gardien.consent``) and the store
(``gardien.store.consent``): recording events, placing and lifting restrictions, and the
look-ups (may we use X for Y now, is X suppressed, restricted, X's history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.consent.decision import Decision
from gardien.consent.keys import SubjectKey
from gardien.consent.ledger import Channel, EventKind, LedgerEvent
from gardien.consent.restriction import RestrictionEvent, recipients_to_notify
from gardien.consent.subject import Subject
from gardien.errors import UsageError
from gardien.identity import parse_identity
from gardien.registry.model import Registry
from gardien.store import consent as book
from gardien.store import consent_history
from gardien.store import restrictions as restriction_book
from gardien.store import suppression as suppression_book

# What a person or an agent says → the ledger's event kind, and whether it claims prospecting.
KINDS: dict[str, tuple[EventKind, bool]] = {
    "given": (EventKind.CONSENT_GIVEN, False),
    "withdrawn": (EventKind.CONSENT_WITHDRAWN, False),
    "objection": (EventKind.OBJECTION, False),
    "objection-prospecting": (EventKind.OBJECTION, True),
    "objection-lifted": (EventKind.OBJECTION_LIFTED, False),
}


def declared_identity_kinds(registry: Registry) -> list[str]:
    return sorted(
        {k for s in registry.systems.values() for t in s.tables.values() for k in t.identity}
    )


def subject_for(registry: Registry, identity: str, key: SubjectKey) -> Subject:
    """Parse ``email=…,phone=…``; a kind no table declares is refused (a typo would otherwise
    record a digest nobody will ever look up)."""
    parsed = parse_identity(identity)
    kinds = declared_identity_kinds(registry)
    unknown = sorted(set(parsed) - set(kinds))
    if unknown:
        raise UsageError(
            f"no table declares the identifier kind {', '.join(unknown)} "
            f"(declared: {', '.join(kinds) or 'none'})",
            field="identity",
        )
    return Subject.of(parsed, key)


def parse_kind(text: str) -> tuple[EventKind, bool]:
    try:
        return KINDS[text]
    except KeyError:
        raise UsageError(
            f"event kind {text!r}: use one of {', '.join(KINDS)}", field="kind"
        ) from None


def parse_channel(text: str) -> Channel:
    try:
        return Channel(text)
    except ValueError:
        raise UsageError(
            f"channel {text!r}: use one of {', '.join(c.value for c in Channel)}", field="channel"
        ) from None


@dataclass(frozen=True)
class Recorded:
    event: LedgerEvent
    suppressed: bool  # the person's identifiers are on the suppression list now


def record(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    subject: Subject,
    activity: str,
    kind: str,
    *,
    channel: str,
    actor: str,
    proof: str | None = None,
    request_id: str | None = None,
) -> Recorded:
    event_kind, prospecting = parse_kind(kind)
    event = book.record_event(
        engine,
        clock,
        registry,
        subject,
        activity,
        event_kind,
        channel=parse_channel(channel),
        actor=actor,
        proof=proof,
        request_id=request_id,
        prospecting_asserted=prospecting,
    )
    return Recorded(event, suppression_book.is_suppressed(engine, subject))


@dataclass(frozen=True)
class RestrictionChange:
    events: list[RestrictionEvent]
    notify: list[str]  # Art. 19: recipients to tell


def _activities(registry: Registry, activities: Iterable[str] | None) -> list[str] | None:
    chosen = list(activities or [])
    unknown = [a for a in chosen if a not in registry.activities]
    if unknown:
        raise UsageError(
            f"activity {', '.join(unknown)}: not declared "
            f"(declared: {', '.join(sorted(registry.activities))})",
            field="activity",
        )
    return chosen or None


def restrict(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    subject: Subject,
    *,
    reason: str,
    request_id: str | None,
    actor: str,
    activities: Iterable[str] | None = None,
) -> RestrictionChange:
    concerned = _activities(registry, activities)
    placed = restriction_book.place_restriction(
        engine, clock, subject, reason=reason, request_id=request_id, actor=actor
    )
    return RestrictionChange([placed], recipients_to_notify(registry, concerned))


def unrestrict(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    subject: Subject,
    *,
    notice: str,
    actor: str,
    restriction_id: str | None = None,
    activities: Iterable[str] | None = None,
) -> RestrictionChange:
    concerned = _activities(registry, activities)
    lifted = restriction_book.lift_restriction(
        engine, clock, subject, notice=notice, actor=actor, restriction_id=restriction_id
    )
    return RestrictionChange(lifted, recipients_to_notify(registry, concerned))


# --- look-ups ---------------------------------------------------------------------------------
# Reads answer from ``engine``; a server passes its autocommit read pool (``Context.reads``).


def status(
    engine: Engine, registry: Registry, subject: Subject, activity: str, at: datetime
) -> Decision:
    """May we use this person's data for ``activity`` at ``at`` (Art. 6, 7, 21)?"""
    return book.status(engine, registry, subject, activity, at)


def suppressed_since(engine: Engine, subject: Subject) -> datetime | None:
    """Since when the person is on the suppression list (R-RGT-05), or None."""
    return suppression_book.suppressed_since(engine, subject)


def suppression_list(engine: Engine) -> list[suppression_book.SuppressionEntry]:
    return suppression_book.suppression_list(engine)


def restrictions(
    engine: Engine, subject: Subject, at: datetime | None = None
) -> list[RestrictionEvent]:
    """The restrictions in force on the person (Art. 18)."""
    return list(restriction_book.restrictions(engine, subject, at))


def history(
    engine: Engine, clock: Clock, subject: Subject, *, actor: str
) -> list[consent_history.HistoryEntry]:
    """Every consent, objection and restriction event of the person; the read is audited."""
    return consent_history.history(engine, clock, subject, actor=actor)


@dataclass(frozen=True)
class LookUp:
    """What the back office shows for a person and an activity, in one answer."""

    decision: Decision
    suppressed_since: datetime | None
    restrictions: list[RestrictionEvent]


def look_up(
    engine: Engine, registry: Registry, subject: Subject, activity: str, at: datetime
) -> LookUp:
    if activity not in registry.activities:
        raise UsageError(
            f"activity {activity!r} is not in the registry "
            f"(activities: {', '.join(sorted(registry.activities))})",
            field="activity",
        )
    return LookUp(
        status(engine, registry, subject, activity, at),
        suppressed_since(engine, subject),
        restrictions(engine, subject, at),
    )
