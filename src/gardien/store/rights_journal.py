"""The journal of rights executions in the store: written before acting, updated per chunk.

Follows the retention journal (``gardien.store.journal``): the execution and its steps are
inserted, together with the audit event that announces them, before any system is touched;
each committed chunk is recorded; the end is recorded with the audit event that closes it.
One execution per request and kind: running the same request again finds it — completed, it
is answered from the journal without touching anything; interrupted, it is resumed.

:func:`once` journals a write to gardien's own store that must happen once per request (the
consent ledger's identifiers erased after an erasure…): the write and its execution row commit
together, so a re-run after a kill finds the row and answers with the stored outcome instead of
writing, and auditing, again (issue 9 §4).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.rights.erasure_execution import WriteStep
from gardien.store import audit
from gardien.store.schema_rights import rights_execution, rights_step


@dataclass(frozen=True)
class Execution:
    id: str
    request_id: str
    kind: str
    status: str  # running | completed | failed
    steps: tuple[WriteStep, ...]
    chunk_size: int
    outcome: Mapping[str, Any]
    started_at: datetime
    finished_at: datetime | None
    error: str | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _from_row(row: Any) -> Execution:
    started = _aware(row.started_at)
    assert started is not None
    return Execution(
        id=row.id,
        request_id=row.request_id,
        kind=row.kind,
        status=row.status,
        steps=tuple(WriteStep.from_json(s) for s in json.loads(row.steps)),
        chunk_size=row.chunk_size,
        outcome=json.loads(row.outcome),
        started_at=started,
        finished_at=_aware(row.finished_at),
        error=row.error,
    )


def find(engine: Engine, request_id: str, kind: str) -> Execution | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(rights_execution).where(
                rights_execution.c.request_id == request_id, rights_execution.c.kind == kind
            )
        ).first()
    return _from_row(row) if row else None


def open_execution(
    engine: Engine,
    clock: Clock,
    *,
    request_id: str,
    kind: str,
    steps: Sequence[WriteStep],
    chunk_size: int,
    outcome: Mapping[str, Any],
    actor: str,
    details: Mapping[str, Any],
) -> Execution:
    """Write the execution and its steps, with the audit event, before anything is changed."""
    execution_id = str(uuid.uuid4())
    started = clock.now()
    with engine.begin() as conn:
        conn.execute(
            rights_execution.insert().values(
                id=execution_id,
                request_id=request_id,
                kind=kind,
                status="running",
                steps=json.dumps([s.to_json() for s in steps], default=str),
                chunk_size=chunk_size,
                outcome=json.dumps(dict(outcome), default=str, ensure_ascii=False),
                started_at=started,
                actor=actor,
            )
        )
        if steps:
            conn.execute(
                rights_step.insert(),
                [
                    {
                        "execution_id": execution_id,
                        "position": i,
                        "system_id": s.system,
                        "table_name": s.table,
                        "archived": s.archived,
                        "action": s.action.value,
                        "chunks_done": 0,
                        "rows_done": 0,
                    }
                    for i, s in enumerate(steps)
                ],
            )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                f"rights.{kind}.started",
                f"request:{request_id}",
                {"execution": execution_id, "steps": len(steps), **details},
            ),
        )
    found = find(engine, request_id, kind)
    assert found is not None
    return found


def _done_once(
    request_id: str, kind: str, outcome: Mapping[str, Any], now: datetime, actor: str
) -> dict[str, Any]:
    """The execution row of a write made once per request: completed as it is recorded."""
    return {
        "id": str(uuid.uuid4()),
        "request_id": request_id,
        "kind": kind,
        "status": "completed",
        "steps": "[]",
        "chunk_size": 0,
        "outcome": json.dumps(dict(outcome), default=str, ensure_ascii=False),
        "started_at": now,
        "finished_at": now,
        "actor": actor,
    }


def once(
    engine: Engine,
    clock: Clock,
    *,
    request_id: str,
    kind: str,
    actor: str,
    work: Callable[[Connection], Mapping[str, Any]],
) -> Mapping[str, Any]:
    """Run ``work`` in a transaction with the execution row that records it, unless a run
    already did: then its recorded outcome is returned and nothing is written."""
    existing = find(engine, request_id, kind)
    if existing is not None:
        return existing.outcome
    now = clock.now()
    with engine.begin() as conn:
        outcome = dict(work(conn))
        conn.execute(
            rights_execution.insert().values(**_done_once(request_id, kind, outcome, now, actor))
        )
    return outcome


def once_many(
    engine: Engine,
    clock: Clock,
    *,
    kind: str,
    actor: str,
    outcomes: Mapping[str, Mapping[str, Any]],
) -> dict[str, Mapping[str, Any]]:
    """:func:`once` for a batch: record each request's ``outcome`` unless a run already did, in
    one transaction, and return the recorded outcome of every request (the earlier run's where
    there was one). What a run decided before acting is what its resumption keeps to."""
    if not outcomes:
        return {}
    recorded: dict[str, Mapping[str, Any]] = {}
    ids = sorted(outcomes)
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                sa.select(rights_execution.c.request_id, rights_execution.c.outcome).where(
                    rights_execution.c.kind == kind,
                    rights_execution.c.request_id.in_(ids[start : start + 500]),
                )
            )
            recorded.update({row.request_id: json.loads(row.outcome) for row in rows})
    now = clock.now()
    missing = [rid for rid in ids if rid not in recorded]
    new = [_done_once(rid, kind, outcomes[rid], now, actor) for rid in missing]
    if new:
        with engine.begin() as conn:
            conn.execute(rights_execution.insert(), new)
        recorded.update({rid: outcomes[rid] for rid in missing})
    return recorded


def audit_once(
    engine: Engine,
    clock: Clock,
    *,
    request_id: str,
    kind: str,
    event: NewEvent,
    outcome: Mapping[str, Any] | None = None,
) -> Mapping[str, Any]:
    """Append ``event`` to the audit trail once for the request (``once``), keeping
    ``outcome`` with it; a later call returns the kept outcome and appends nothing."""

    def append(conn: Connection) -> Mapping[str, Any]:
        audit.append(conn, clock, event)
        return dict(outcome or {})

    return once(engine, clock, request_id=request_id, kind=kind, actor=event.actor, work=append)


class StoreStepJournal:
    """Implements ``StepJournal`` on the store; each chunk is recorded in its own transaction."""

    def __init__(self, engine: Engine, execution_id: str) -> None:
        self.engine = engine
        self.execution_id = execution_id

    def chunks_done(self) -> dict[int, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(rights_step.c.position, rights_step.c.chunks_done).where(
                    rights_step.c.execution_id == self.execution_id
                )
            )
            return {r.position: r.chunks_done for r in rows}

    def record_chunk(self, position: int, chunks_done: int, rows: int) -> None:
        """``rows``: the chunk's rows, counted from its keys (``execute_steps``)."""
        with self.engine.begin() as conn:
            conn.execute(
                rights_step.update()
                .where(
                    rights_step.c.execution_id == self.execution_id,
                    rights_step.c.position == position,
                )
                .values(chunks_done=chunks_done, rows_done=rights_step.c.rows_done + rows)
            )


def close(
    engine: Engine,
    clock: Clock,
    execution: Execution,
    *,
    actor: str,
    details: Mapping[str, Any],
    error: str | None = None,
) -> None:
    status = "failed" if error else "completed"
    with engine.begin() as conn:
        conn.execute(
            rights_execution.update()
            .where(rights_execution.c.id == execution.id)
            .values(status=status, finished_at=clock.now(), error=error)
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                f"rights.{execution.kind}.{status}",
                f"request:{execution.request_id}",
                {"execution": execution.id, **details, "error": error},
            ),
        )


def step_progress(engine: Engine, execution_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(rights_step)
            .where(rights_step.c.execution_id == execution_id)
            .order_by(rights_step.c.position)
        )
        return [dict(r._mapping) for r in rows]
