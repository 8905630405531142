"""A person's consent and restriction history (its read audited), and the erasure of the
identifiers the ledger keeps in clear (Art. 17)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.consent.restriction import (
    RestrictionKind,
)
from gardien.consent.subject import Subject
from gardien.store import audit
from gardien.store.consent import subject_audit, utc
from gardien.store.schema_consent import (
    consent_event,
    consent_event_subject,
    restriction_event,
    restriction_subject,
)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str  # consent_given, objection, restriction_placed…
    activity: str | None
    channel: str | None
    detail: str | None  # proof, reason or notice
    notice_version: str | None
    actor: str
    identifiers: dict[str, str] | None  # None once erased


def history(engine: Engine, clock: Clock, subject: Subject, *, actor: str) -> list[HistoryEntry]:
    """Every ledger and restriction event of the person, oldest first. Reading it shows
    identifiers and proofs, so the read itself is audited."""
    with engine.begin() as conn:
        consent_rows = conn.execute(
            sa.select(consent_event)
            .where(
                consent_event.c.seq.in_(
                    sa.select(consent_event_subject.c.event_seq).where(
                        consent_event_subject.c.digest.in_(subject.digests)
                    )
                )
            )
            .order_by(consent_event.c.seq)
        ).all()
        restriction_rows = conn.execute(
            sa.select(restriction_event)
            .where(
                restriction_event.c.seq.in_(
                    sa.select(restriction_subject.c.event_seq).where(
                        restriction_subject.c.digest.in_(subject.digests)
                    )
                )
            )
            .order_by(restriction_event.c.seq)
        ).all()
        audit.append(
            conn,
            clock,
            NewEvent(actor, "consent.history_read", "consent", {"subject": subject_audit(subject)}),
        )
    entries = [
        HistoryEntry(
            utc(r.at),
            r.kind,
            r.activity_id,
            r.channel,
            r.proof,
            r.notice_version,
            r.actor,
            json.loads(r.identifiers) if r.identifiers else None,
        )
        for r in consent_rows
    ] + [
        HistoryEntry(
            utc(r.at),
            f"restriction_{r.kind}",
            None,
            None,
            r.reason if r.kind == RestrictionKind.PLACED.value else r.notice,
            None,
            r.actor,
            json.loads(r.identifiers) if r.identifiers else None,
        )
        for r in restriction_rows
    ]
    return sorted(entries, key=lambda e: e.at)


def erase_identifiers(engine: Engine, clock: Clock, subject: Subject, *, actor: str) -> int:
    """Art. 17: drop the identifiers kept in clear for the person; the digests, times, kinds
    and proofs stay as proof of what they asked. The only change ever made to these tables."""
    with engine.begin() as conn:
        return erase_identifiers_in(conn, clock, subject, actor=actor)


def erase_identifiers_in(conn: Connection, clock: Clock, subject: Subject, *, actor: str) -> int:
    """``erase_identifiers`` inside the caller's transaction (journaled with it, ``jobs.fulfil``)."""
    changed = 0
    for table, link in (
        (consent_event, consent_event_subject),
        (restriction_event, restriction_subject),
    ):
        changed += conn.execute(
            table.update()
            .where(
                table.c.seq.in_(
                    sa.select(link.c.event_seq).where(link.c.digest.in_(subject.digests))
                ),
                table.c.identifiers.is_not(None),
            )
            .values(identifiers=None)
        ).rowcount
    audit.append(
        conn,
        clock,
        NewEvent(
            actor,
            "consent.identifiers_erased",
            "consent",
            {"subject": subject_audit(subject), "events": changed},
        ),
    )
    return changed
