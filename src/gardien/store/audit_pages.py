"""Pages of the audit trail for people who read it (the back office): newest first, filtered by
action, counted, without reading the whole trail.

The filter is the trail's one filter (``gardien.store.audit_filter``): literal, except for
``*``, a wildcard (``hold.*``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.store.audit_filter import action_matches
from gardien.store.schema import audit_event


@dataclass(frozen=True)
class EventLine:
    """One event as a page lists it (its seal is checked by ``verify``, not shown)."""

    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


def count(engine: Engine, action: str | None = None) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(audit_event).where(action_matches(action))
        return int(conn.execute(query).scalar_one())


def newest(
    engine: Engine, *, action: str | None = None, limit: int, offset: int = 0
) -> list[EventLine]:
    """Events newest first, ``limit`` of them after skipping ``offset``."""
    query = (
        sa.select(
            audit_event.c.seq,
            audit_event.c.at,
            audit_event.c.actor,
            audit_event.c.action,
            audit_event.c.target,
            audit_event.c.details,
        )
        .where(action_matches(action))
        .order_by(audit_event.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        EventLine(
            r.seq,
            r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),  # SQLite: naive UTC
            r.actor,
            r.action,
            r.target,
            json.loads(r.details),
        )
        for r in rows
    ]


def about(engine: Engine, target: str, actions: tuple[str, ...]) -> list[EventLine]:
    """The events of these actions on one target (a request's exports, wrong codes…), oldest
    first; by action first (indexed), then the target: no scan of the whole trail."""
    query = (
        sa.select(
            audit_event.c.seq,
            audit_event.c.at,
            audit_event.c.actor,
            audit_event.c.action,
            audit_event.c.target,
            audit_event.c.details,
        )
        .where(audit_event.c.action.in_(actions), audit_event.c.target == target)
        .order_by(audit_event.c.seq)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        EventLine(
            r.seq,
            r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            r.actor,
            r.action,
            r.target,
            json.loads(r.details),
        )
        for r in rows
    ]
