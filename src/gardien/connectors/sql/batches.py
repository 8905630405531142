"""One batch of a retention action: a range of rows changed in one transaction.

Work is pushed into the database: one set-based statement per batch (two for an archive move
outside PostgreSQL), a batch being a range of rows, so a run over a million rows holds at most
one batch of keys in memory and each batch commits on its own, with its marker
(``markers``). Ranges are:

- on PostgreSQL, heap blocks (TID range scans: the physical order of the sequential scan a
  DBA's single statement uses), sized to change about ``batch_size`` rows;
- elsewhere, primary keys (keyset: the ``batch_size``-th next key bounds the batch).

A batch the database rolls back for a deadlock or a serialization failure is tried again
whole (``SqlDatabase.atomically``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.connectors.sql.archive import ARCHIVE_RUN, ARCHIVED_AT
from gardien.connectors.sql.compile import compile_condition
from gardien.connectors.sql.database import SqlDatabase
from gardien.connectors.sql.markers import mark
from gardien.connectors.sql.normalise import is_generated
from gardien.retention.policy import ActionKind, TableAction
from gardien.retention.ports import Batch, BatchOutcome

MAX_SCAN_FACTOR = 20  # a batch scans at most this many batch sizes of rows to find its targets


class BlockPace:
    """PostgreSQL: heap blocks per batch, per action, adapted to what the last batch changed.

    A block range adapts to how many rows the previous batch changed, so sparse matches do not
    cost one commit per few rows, and it never scans more than ``MAX_SCAN_FACTOR`` batches'
    worth of rows.
    """

    def __init__(self) -> None:
        self._blocks: dict[str, int] = {}

    def next_range(
        self, conn: Connection, action: TableAction, table: sa.Table, start: int, batch_size: int
    ) -> tuple[int, int]:
        """The next range of heap blocks ``[start, upper)``, and the table's size in blocks."""
        stats = conn.execute(
            sa.text(
                "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int AS blocks, "
                "c.reltuples, c.relpages FROM pg_class c WHERE c.oid = CAST(:name AS regclass)"
            ),
            {"name": sa.inspect(conn).dialect.identifier_preparer.quote(table.name)},
        ).one()
        per_block = (
            stats.reltuples / stats.relpages if stats.relpages > 0 and stats.reltuples > 0 else 50.0
        )
        base = max(1, int(batch_size / max(per_block, 1.0)))
        blocks = min(self._blocks.get(action.label, base), base * MAX_SCAN_FACTOR)
        return start + max(1, blocks), int(stats.blocks)

    def adapt(self, action: TableAction, blocks: int, changed: int, batch_size: int) -> None:
        """Size the next block range so that it changes about ``batch_size`` rows."""
        if changed <= 0:
            self._blocks[action.label] = blocks * 4
        else:
            self._blocks[action.label] = max(1, min(blocks * 4, int(blocks * batch_size / changed)))


def _upper_key(conn: Connection, key: sa.ColumnElement[Any], after: Any, size: int) -> Any:
    query = sa.select(key).order_by(key).offset(size - 1).limit(1)
    if after is not None:
        query = query.where(key > after)
    return conn.execute(query).scalar_one_or_none()


def run_batch(
    db: SqlDatabase,
    action: TableAction,
    source: sa.Table,
    archive: sa.Table | None,
    markers: sa.Table,
    after_key: Any,
    batch_size: int,
    batch: Batch,
    pace: BlockPace,
) -> BatchOutcome:
    """Apply ``action`` to the next range of ``source`` and mark the batch, atomically."""
    key = db.column(source, action.key)
    target = compile_condition(db, action.target, source)

    def attempt(conn: Connection) -> tuple[BatchOutcome, int]:
        in_range: list[Any]  # bound conditions, plus PostgreSQL's textual TID range
        if db.dialect == "postgresql":
            start = int(after_key or 0)
            upper, last_block = pace.next_range(conn, action, source, start, batch_size)
            tids = sa.text("ctid >= CAST(:lo AS tid) AND ctid < CAST(:hi AS tid)")
            in_range = [target, tids.bindparams(lo=f"({start},0)", hi=f"({upper},0)")]
            done = upper >= last_block
            scanned = upper - start
        else:
            upper = _upper_key(conn, key, after_key, batch_size)
            in_range = [target]
            if after_key is not None:
                in_range.append(key > after_key)
            if upper is not None:
                in_range.append(key <= upper)
            done, scanned = upper is None, 0
        where = sa.and_(*in_range)
        if action.kind is ActionKind.DELETE:
            rows = conn.execute(sa.delete(source).where(where)).rowcount
        elif action.kind is ActionKind.ANONYMISE:
            values = {c: None for c in action.personal_columns}
            rows = conn.execute(sa.update(source).where(where).values(values)).rowcount
        elif action.kind is ActionKind.CLEAR:
            values = _cleared(db, action, source)
            rows = conn.execute(sa.update(source).where(where).values(values)).rowcount
        else:
            assert archive is not None
            rows = _archive(db, conn, action, source, archive, where, key, after_key, upper, batch)
        outcome = BatchOutcome(rows=max(int(rows), 0), last_key=upper, done=done)
        mark(conn, markers, batch, outcome)
        if batch.before_commit is not None:
            batch.before_commit()
        return outcome, scanned

    outcome, scanned = db.atomically(attempt)
    if db.dialect == "postgresql":
        pace.adapt(action, scanned, outcome.rows, batch_size)
    return outcome


def _cleared(db: SqlDatabase, action: TableAction, source: sa.Table) -> dict[Any, Any]:
    """What a category rule writes: NULL, or anonymise's placeholder in text columns (a number
    or a date has no neutral value: NULL, as erasure does)."""
    values: dict[Any, Any] = {}
    for name in action.cleared:
        column = db.column(source, name)
        text = isinstance(column.type, sa.String)
        values[column] = action.placeholder if action.placeholder is not None and text else None
    return values


def _archive(
    db: SqlDatabase,
    conn: Connection,
    action: TableAction,
    source: sa.Table,
    archive: sa.Table,
    where: sa.ColumnElement[bool],
    key: sa.ColumnElement[Any],
    after_key: Any,
    upper: Any,
    batch: Batch,
) -> int:
    # Not the generated columns of the MariaDB index advice: the database computes them.
    names = [c.name for c in source.columns if not is_generated(c.name)]
    target_columns = [*names, ARCHIVED_AT, ARCHIVE_RUN]
    stamp = [
        sa.literal(batch.at.replace(tzinfo=None), sa.DateTime()).label(ARCHIVED_AT),
        sa.literal(batch.run_id, sa.String()).label(ARCHIVE_RUN),
    ]
    if db.dialect == "postgresql":
        # One statement: the rows leave the active table and enter the archive together.
        moved = sa.delete(source).where(where).returning(*source.columns).cte("moved")
        select = sa.select(*(moved.c[n] for n in names), *stamp)
        # The driver's rowcount is not reliable for a data-modifying CTE: count what entered.
        entered = (
            sa.insert(archive)
            .from_select(target_columns, select)
            .returning(archive.c[action.key])
            .cte("entered")
        )
        return int(conn.execute(sa.select(sa.func.count()).select_from(entered)).scalar_one())
    select = sa.select(*(source.c[n] for n in names), *stamp).where(where)
    inserted = int(conn.execute(sa.insert(archive).from_select(target_columns, select)).rowcount)
    # Delete exactly what this range put in the archive, not what the condition says now.
    archived_keys = sa.select(archive.c[action.key]).where(archive.c[ARCHIVE_RUN] == batch.run_id)
    bounds = [archive.c[action.key] > after_key] if after_key is not None else []
    if upper is not None:
        bounds.append(archive.c[action.key] <= upper)
    conn.execute(sa.delete(source).where(key.in_(archived_keys.where(*bounds))))
    return inserted
