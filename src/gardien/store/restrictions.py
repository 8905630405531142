"""The restriction list in gardien's store (Art. 18): placed and lifted, each with its audit
event; looked up by keyed digest."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent, digest
from gardien.clock import Clock
from gardien.consent.restriction import (
    RestrictionEvent,
    RestrictionKind,
    check_lift,
    check_placement,
    restrictions_in_force,
)
from gardien.consent.subject import Subject
from gardien.store import audit
from gardien.store.consent import inserted_seq, lock_subject, subject_audit, utc
from gardien.store.schema_consent import (
    restriction_event,
    restriction_subject,
)


def _restriction_events(conn: Connection, subject: Subject) -> list[RestrictionEvent]:
    rows = conn.execute(
        sa.select(restriction_event)
        .join(restriction_subject, restriction_subject.c.event_seq == restriction_event.c.seq)
        .where(restriction_subject.c.digest.in_(subject.digests))
        .distinct()
    )
    return [
        RestrictionEvent(
            r.seq,
            utc(r.at),
            RestrictionKind(r.kind),
            r.restriction_id,
            r.reason,
            r.request_id,
            r.notice,
        )
        for r in rows
    ]


def _insert_restriction_event(conn: Connection, subject: Subject, values: dict[str, Any]) -> int:
    seq = inserted_seq(
        conn,
        restriction_event.insert().values(
            identifiers=json.dumps(subject.clear(), sort_keys=True, ensure_ascii=False), **values
        ),
    )
    conn.execute(
        restriction_subject.insert(), [{"event_seq": seq, "digest": d} for d in subject.digests]
    )
    return seq


def place_restriction(
    engine: Engine,
    clock: Clock,
    subject: Subject,
    *,
    reason: str,
    request_id: str | None,
    actor: str,
) -> RestrictionEvent:
    """Art. 18(1): from now on the person's data may only be stored (R-RGT-07)."""
    with engine.begin() as conn:
        return place_restriction_in(
            conn, clock, subject, reason=reason, request_id=request_id, actor=actor
        )


def place_restriction_in(
    conn: Connection,
    clock: Clock,
    subject: Subject,
    *,
    reason: str,
    request_id: str | None,
    actor: str,
) -> RestrictionEvent:
    """``place_restriction`` in the caller's transaction (journaled with it, ``jobs.fulfil``)."""
    check_placement(reason)
    now = utc(clock.now())
    restriction_id = str(uuid.uuid4())
    lock_subject(conn, subject)
    seq = _insert_restriction_event(
        conn,
        subject,
        {
            "restriction_id": restriction_id,
            "kind": RestrictionKind.PLACED.value,
            "at": now,
            "reason": reason,
            "request_id": request_id,
            "actor": actor,
        },
    )
    audit.append(
        conn,
        clock,
        NewEvent(
            actor,
            "restriction.placed",
            f"restriction:{restriction_id}",
            {"subject": subject_audit(subject), "reason": reason, "request": request_id},
        ),
    )
    return RestrictionEvent(seq, now, RestrictionKind.PLACED, restriction_id, reason, request_id)


def lift_restriction(
    engine: Engine,
    clock: Clock,
    subject: Subject,
    *,
    notice: str,
    actor: str,
    restriction_id: str | None = None,
) -> list[RestrictionEvent]:
    """Art. 18(3): lift the restrictions in force (or the one named), with the notice given."""
    with engine.begin() as conn:
        return lift_restriction_in(
            conn, clock, subject, notice=notice, actor=actor, restriction_id=restriction_id
        )


def lift_restriction_in(
    conn: Connection,
    clock: Clock,
    subject: Subject,
    *,
    notice: str,
    actor: str,
    restriction_id: str | None = None,
) -> list[RestrictionEvent]:
    """``lift_restriction`` in the caller's transaction (journaled with it, ``jobs.fulfil``)."""
    now = utc(clock.now())
    lifted: list[RestrictionEvent] = []
    lock_subject(conn, subject)
    in_force = [
        r
        for r in restrictions_in_force(_restriction_events(conn, subject))
        if restriction_id is None or r.restriction_id == restriction_id
    ]
    check_lift(notice, in_force)
    for placed in in_force:
        seq = _insert_restriction_event(
            conn,
            subject,
            {
                "restriction_id": placed.restriction_id,
                "kind": RestrictionKind.LIFTED.value,
                "at": now,
                "notice": notice,
                "request_id": placed.request_id,
                "actor": actor,
            },
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "restriction.lifted",
                f"restriction:{placed.restriction_id}",
                {"subject": subject_audit(subject), "notice_digest": digest(notice)},
            ),
        )
        lifted.append(
            RestrictionEvent(
                seq,
                now,
                RestrictionKind.LIFTED,
                placed.restriction_id,
                request_id=placed.request_id,
                notice=notice,
            )
        )
    return lifted


def restrictions(
    engine: Engine, subject: Subject, at: datetime | None = None
) -> tuple[RestrictionEvent, ...]:
    """The person's restrictions in force at ``at`` (now when None)."""
    with engine.connect() as conn:
        events = _restriction_events(conn, subject)
    return restrictions_in_force(events, utc(at) if at else None)


def is_restricted(engine: Engine, subject: Subject, at: datetime | None = None) -> bool:
    """For other systems: may this person's data be used for anything but storage? (Art. 18)"""
    return bool(restrictions(engine, subject, at))
