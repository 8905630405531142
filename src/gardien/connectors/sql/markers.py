"""Batch markers: what each committed batch changed, committed in the batch's transaction.

gardien's journal lives in its own store, a different database from the target: a batch
commits in the target, then the journal records it. A process killed between the two would
leave the journal one batch behind; the resumed run re-runs that range, which now changes
nothing, and the run's count would miss the batch's rows (issue 9 §4: 5 of 48 trials). So
each batch inserts one row into ``gardien_retention_batch`` in the target, in the same
transaction as its changes: the marker exists if and only if the batch committed. A resumed
run reads the markers of its running step and takes the cursor and the counts from them.

Markers hold no personal data (a run id, a step number, a cursor: a block number on
PostgreSQL, a primary key value elsewhere, the same value the journal holds) and are deleted
when the run closes. The primary key (run, step, number) also means no batch of a step can be
committed twice.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.connectors.sql.archive import create_if_missing
from gardien.connectors.sql.database import SqlDatabase
from gardien.retention.ports import Batch, BatchOutcome, CommittedBatch

MARKER_TABLE = "gardien_retention_batch"


def _definition() -> sa.Table:
    return sa.Table(
        MARKER_TABLE,
        sa.MetaData(),
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("step", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("cursor", sa.Text(), nullable=True),  # JSON, as the journal's cursor
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def ensure_markers(db: SqlDatabase) -> sa.Table:
    if not db.exists(MARKER_TABLE):
        create_if_missing(db, _definition())
    return db.table(MARKER_TABLE)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def mark(conn: Connection, markers: sa.Table, batch: Batch, outcome: BatchOutcome) -> None:
    """Insert the batch's marker inside the batch's transaction (``conn``)."""
    conn.execute(
        markers.insert().values(
            run_id=batch.run_id,
            step=batch.step,
            number=batch.number,
            cursor=_json(outcome.last_key),
            changed=outcome.rows,
            done=outcome.done,
            at=batch.at.replace(tzinfo=None),
        )
    )


def committed(db: SqlDatabase, run_id: str, step: int) -> list[CommittedBatch]:
    if not db.exists(MARKER_TABLE):
        return []
    markers = db.table(MARKER_TABLE)
    query = (
        sa.select(markers.c.number, markers.c.cursor, markers.c.changed, markers.c.done)
        .where(markers.c.run_id == run_id, markers.c.step == step)
        .order_by(markers.c.number)
    )
    with db.transaction() as conn:
        return [
            CommittedBatch(
                r.number, json.loads(r.cursor) if r.cursor else None, int(r.changed), bool(r.done)
            )
            for r in conn.execute(query)
        ]


def forget(db: SqlDatabase, run_id: str) -> None:
    if not db.exists(MARKER_TABLE):
        return
    markers = db.table(MARKER_TABLE)
    with db.transaction() as conn:
        conn.execute(sa.delete(markers).where(markers.c.run_id == run_id))
