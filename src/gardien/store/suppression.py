"""The suppression list in gardien's store: digests only, never prospected again (R-RGT-05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.consent.ledger import EventKind
from gardien.consent.subject import Subject
from gardien.law.calendar import first_instant_kept
from gardien.registry.duration import Duration
from gardien.store import audit
from gardien.store.consent import parse_moment, utc
from gardien.store.schema_consent import (
    consent_event,
    consent_event_subject,
    suppression,
)


@dataclass(frozen=True)
class SuppressionEntry:
    kind: str
    digest: str
    since: datetime


def suppressed_since(engine: Engine, subject: Subject) -> datetime | None:
    """When the first of the person's identifiers was suppressed; None if none is."""
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.min(suppression.c.added_at)).where(
                suppression.c.digest.in_(subject.digests)
            )
        ).scalar()
    if value is None:
        return None
    return utc(value) if isinstance(value, datetime) else parse_moment(value)


def is_suppressed(engine: Engine, subject: Subject) -> bool:
    """Whether any identifier of ``subject`` must never be prospected again (R-RGT-05)."""
    return suppressed_since(engine, subject) is not None


def suppression_list(engine: Engine) -> list[SuppressionEntry]:
    """The whole list as keyed digests, for other systems that hold the same key."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(suppression.c.kind, suppression.c.digest, suppression.c.added_at).order_by(
                suppression.c.added_at, suppression.c.digest
            )
        )
        return [SuppressionEntry(r.kind, r.digest, utc(r.added_at)) for r in rows]


def purge_expired(
    engine: Engine, clock: Clock, period: Duration, now: datetime, *, zone: str, actor: str
) -> int:
    """Remove the entries whose proof period has ended (issue 10 §6; CNIL: at least 3 years).

    The period runs from the person's *latest* objection to prospecting on that identifier:
    an entry is added at the first objection, and a later objection (kept in the ledger)
    starts the period again, so an objection is never forgotten early. One statement; the
    audit trail records how many went and the cutoff, not the digests.
    """
    # an objection of day D (in the controller's zone) is kept all of D + period, gone from
    # the next day (Reg. 1182/71 art. 3, law.calendar)
    cutoff = first_instant_kept([period], now, zone)
    objected_since = sa.exists().where(
        consent_event_subject.c.digest == suppression.c.digest,
        consent_event.c.seq == consent_event_subject.c.event_seq,
        consent_event.c.kind == EventKind.OBJECTION.value,
        consent_event.c.prospecting.is_(True),
        consent_event.c.at >= cutoff,
    )
    with engine.begin() as conn:
        result = conn.execute(
            suppression.delete().where(suppression.c.added_at < cutoff, ~objected_since)
        )
        removed = int(result.rowcount)
        if removed:
            audit.append(
                conn,
                clock,
                NewEvent(
                    actor,
                    "suppression.expired",
                    "suppression",
                    {"entries": removed, "before": cutoff.isoformat(), "period": period.iso()},
                ),
            )
    return removed
