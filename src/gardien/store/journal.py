"""The retention journal in the store: runs, their steps, and the cursor of each step."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.retention.executor import StepState
from gardien.retention.policy import RetentionPlan
from gardien.store import audit
from gardien.store.schema import retention_run, retention_step


def _json_key(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


@dataclass
class RunRecord:
    id: str
    now: datetime
    registry_digest: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    actor: str
    error: str | None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_from_row(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        now=_aware(row.now),
        registry_digest=row.registry_digest,
        status=row.status,
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at) if row.finished_at else None,
        actor=row.actor,
        error=row.error,
    )


class StoreJournal:
    """Implements ``RunJournal`` on gardien's store; each write is its own transaction."""

    def __init__(self, engine: Engine, run_id: str) -> None:
        self.engine = engine
        self.run_id = run_id

    @classmethod
    def open_run(
        cls, engine: Engine, clock: Clock, plan: RetentionPlan, registry_digest: str, actor: str
    ) -> StoreJournal:
        run_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(
                retention_run.insert().values(
                    id=run_id,
                    now=plan.now,
                    registry_digest=registry_digest,
                    status="running",
                    started_at=clock.now(),
                    actor=actor,
                )
            )
            conn.execute(
                retention_step.insert(),
                [
                    {
                        "run_id": run_id,
                        "position": i,
                        "system_id": a.system,
                        "table_name": a.table,
                        "stage": a.stage.value,
                        "action": a.kind.value,
                        "status": "pending",
                        "rows_done": 0,
                        "batches": 0,
                        "held": 0,
                    }
                    for i, a in enumerate(plan.actions)
                ],
            ) if plan.actions else None
            audit.append(
                conn,
                clock,
                NewEvent(
                    actor,
                    "retention.run.started",
                    f"run:{run_id}",
                    {
                        "now": plan.now.isoformat(),
                        "actions": len(plan.actions),
                        "registry": registry_digest,
                    },
                ),
            )
        return cls(engine, run_id)

    def steps(self) -> list[StepState]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(retention_step)
                .where(retention_step.c.run_id == self.run_id)
                .order_by(retention_step.c.position)
            )
            return [
                StepState(
                    r.position,
                    r.status,
                    json.loads(r.cursor) if r.cursor else None,
                    r.rows_done,
                    r.batches,
                    r.held,
                    tuple(json.loads(r.effects)) if r.effects else (),
                )
                for r in rows
            ]

    def _update(self, position: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                retention_step.update()
                .where(
                    retention_step.c.run_id == self.run_id, retention_step.c.position == position
                )
                .values(**values)
            )

    def start_step(self, position: int, held: int, effects: tuple[int, ...] = ()) -> None:
        self._update(position, status="running", held=held, effects=json.dumps(list(effects)))

    def record_batch(self, position: int, cursor: Any, rows: int) -> None:
        self._update(
            position,
            cursor=_json_key(cursor),
            rows_done=retention_step.c.rows_done + rows,
            batches=retention_step.c.batches + 1,
        )

    def finish_step(self, position: int) -> None:
        self._update(position, status="done")

    def reconcile_step(self, position: int, cursor: Any, rows_done: int, batches: int) -> None:
        """The step as the target's batch markers say it is (the journal missed the last
        batches a killed process committed)."""
        self._update(position, cursor=_json_key(cursor), rows_done=rows_done, batches=batches)

    def close(
        self, clock: Clock, actor: str, summary: dict[str, Any], error: str | None = None
    ) -> None:
        status = "failed" if error else "completed"
        with self.engine.begin() as conn:
            conn.execute(
                retention_run.update()
                .where(retention_run.c.id == self.run_id)
                .values(status=status, finished_at=clock.now(), error=error)
            )
            audit.append(
                conn,
                clock,
                NewEvent(
                    actor,
                    f"retention.run.{status}",
                    f"run:{self.run_id}",
                    {**summary, "error": error},
                ),
            )


def unfinished_run(engine: Engine) -> RunRecord | None:
    """The latest run that was killed or failed: it is resumed before anything new starts."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(retention_run)
            .where(retention_run.c.status.in_(("running", "failed")))
            .order_by(retention_run.c.started_at.desc())
            .limit(1)
        ).first()
    return _run_from_row(row) if row else None


def abandon(engine: Engine, clock: Clock, run_id: str, actor: str, why: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            retention_run.update()
            .where(retention_run.c.id == run_id)
            .values(status="abandoned", finished_at=clock.now(), error=why)
        )
        audit.append(
            conn, clock, NewEvent(actor, "retention.run.abandoned", f"run:{run_id}", {"why": why})
        )


def runs(engine: Engine, limit: int = 20) -> list[RunRecord]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(retention_run).order_by(retention_run.c.started_at.desc()).limit(limit)
        )
        return [_run_from_row(r) for r in rows]


def steps_of(engine: Engine, run_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(retention_step)
            .where(retention_step.c.run_id == run_id)
            .order_by(retention_step.c.position)
        )
        return [dict(r._mapping) for r in rows]
