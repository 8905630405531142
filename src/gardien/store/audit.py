"""The audit trail in the store: append sealed events, read them back, verify, purge connections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.anchors import Anchor
from gardien.audit.chain import GENESIS, AuditEvent, NewEvent, Verification, seal, verify
from gardien.clock import Clock
from gardien.law.calendar import first_instant_kept
from gardien.registry.duration import Duration
from gardien.store.audit_filter import action_matches
from gardien.store.keys import keys_of
from gardien.store.schema import audit_event

# R-RET-07: connection and security data are kept at most six months.
CONNECTION_DATA_RETENTION = Duration(months=6)
_LOCK_ID = 0x6761726469656E  # "gardien": serialises appenders on PostgreSQL


def append(conn: Connection, clock: Clock, event: NewEvent) -> AuditEvent:
    """Seal and append one event inside the caller's transaction (state change + trail together),
    with the audit key of the store's settings (``keys_of(conn).audit``)."""
    key = keys_of(conn).audit
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_ID)))
    head = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    sealed = seal(event, seq=seq, at=clock.now(), prev_hash=prev, key=key)
    conn.execute(audit_event.insert(), _row(sealed))  # parameters: compiled once, cached
    return sealed


def append_many(conn: Connection, clock: Clock, events: list[NewEvent]) -> list[AuditEvent]:
    """Seal and append several events in order, reading the head of the chain once."""
    if not events:
        return []
    key = keys_of(conn).audit
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_ID)))
    head = conn.execute(
        sa.select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    sealed: list[AuditEvent] = []
    for event in events:
        item = seal(event, seq=seq, at=clock.now(), prev_hash=prev, key=key)
        sealed.append(item)
        seq, prev = seq + 1, item.hash
    conn.execute(audit_event.insert(), [_row(item) for item in sealed])
    return sealed


def _row(sealed: AuditEvent) -> dict[str, Any]:
    return {
        "seq": sealed.seq,
        "at": sealed.at,
        "actor": sealed.actor,
        "action": sealed.action,
        "target": sealed.target,
        "details": json.dumps(
            dict(sealed.details), sort_keys=True, ensure_ascii=False, default=str
        ),
        "connection": json.dumps(dict(sealed.connection), sort_keys=True)
        if sealed.connection
        else None,
        "connection_digest": sealed.connection_digest,
        "prev_hash": sealed.prev_hash,
        "hash": sealed.hash,
        "key_id": sealed.key_id,
    }


def record(engine: Engine, clock: Clock, event: NewEvent) -> AuditEvent:
    with engine.begin() as conn:
        return append(conn, clock, event)


def _from_row(row: Any) -> AuditEvent:
    at = row.at
    if at.tzinfo is None:  # SQLite returns naive values; they were written in UTC
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return AuditEvent(
        seq=row.seq,
        at=at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
        connection=json.loads(row.connection) if row.connection else None,
        connection_digest=row.connection_digest,
        key_id=row.key_id,
    )


def events(
    engine: Engine, *, action: str | None = None, limit: int | None = None
) -> Iterator[AuditEvent]:
    """Events in stored order (by sequence number), streamed; ``action`` matches literally, ``*``
    standing for any characters (``gardien.store.audit_filter``)."""
    query = sa.select(audit_event).order_by(audit_event.c.seq)
    if action:
        query = query.where(action_matches(action))
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield _from_row(row)


def verify_trail(engine: Engine, anchors: list[Anchor] | None = None) -> Verification:
    """Check the chain with the store's audit keys (current and retired), against ``anchors``.

    Ordered by the physical insertion order is not portable; ordering by seq and checking
    the chain detects alteration, removal and reordering of content between positions; the
    anchors detect a truncated tail and a wiped trail."""
    return verify(events(engine), keys_of(engine).audit_ring(), anchors or [])


def head(engine: Engine) -> tuple[int, str, int]:
    """The head to anchor: its sequence number and seal (0 and the genesis when empty), and
    how many legacy (plain SHA-256) events start the trail."""
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(audit_event.c.seq, audit_event.c.hash)
            .order_by(audit_event.c.seq.desc())
            .limit(1)
        ).first()
        legacy = conn.execute(
            sa.select(sa.func.count())
            .select_from(audit_event)
            .where(audit_event.c.key_id.is_(None))
        ).scalar_one()
    seq, seal_ = (int(last.seq), str(last.hash)) if last else (0, GENESIS)
    return seq, seal_, int(legacy)


def purge_connection_data(engine: Engine, clock: Clock, zone: str) -> int:
    """Drop connection data past six months (R-RET-07); the chain keeps their digests.

    Counted on the calendar of every period (``law.calendar``): the data of an event on day D
    (in the controller's ``zone``) is kept all of D + 6 months and gone from the next day.
    """
    cutoff = first_instant_kept([CONNECTION_DATA_RETENTION], clock.now(), zone)
    with engine.begin() as conn:
        result = conn.execute(
            audit_event.update()
            .where(audit_event.c.connection.is_not(None), audit_event.c.at < cutoff)
            .values(connection=None)
        )
        return int(result.rowcount)


def at_utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
