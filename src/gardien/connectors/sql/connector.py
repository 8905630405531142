"""``SqlConnector``: one organisation database as retention and rights requests use it.

The connector is the one object the jobs hold per system; each of its ideas lives in its own
module of this package, and the methods here only tie them to the connector's state (the
engine, the reflected tables, the batch pace, the registry it last matched).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.connectors.sql import archive as archives
from gardien.connectors.sql import batches, foreign_keys, markers, normalise, rows, schema
from gardien.connectors.sql.compile import compile_condition
from gardien.connectors.sql.database import SqlDatabase
from gardien.registry.model import Registry
from gardien.registry.normalisers import ColumnNormaliser, Normaliser
from gardien.retention.conditions import Condition, ParentMatches
from gardien.retention.constraints import Effect, ForeignKey
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import Batch, BatchOutcome, CommittedBatch


class SqlConnector(SqlDatabase):
    def __init__(self, system_id: str, url: str, *, engine: Engine | None = None) -> None:
        super().__init__(system_id, url, engine=engine)
        self._pace = batches.BlockPace()
        self._checked_for: Registry | None = None  # the registry this database last matched

    # --- schema ----------------------------------------------------------------------------

    def check(self, registry: Registry) -> list[str]:
        """Problems between the registry and the database; empty when every name exists.

        A connector that passed once is not inspected again (a long-lived process such as the
        API keeps its connectors); a later change of schema still fails loudly, as a
        ``StatementFailed`` naming the system.
        """
        if self._checked_for is registry:
            return []
        problems = schema.schema_problems(self, registry)
        if not problems:
            self._checked_for = registry
        return problems

    def nullable_columns(self, registry: Registry) -> dict[tuple[str, str, str], bool]:
        return schema.nullable_columns(self, registry)

    def undeclared_columns(self, registry: Registry) -> list[str]:
        return schema.undeclared_columns(self, registry)

    def physical(self, name: str, stage: Stage) -> sa.Table:
        return self.table(archives.archive_table_name(name) if stage is Stage.ARCHIVE else name)

    def ensure_archive(self, name: str) -> sa.Table:
        return archives.ensure_archive(self, name)

    def compile(self, condition: Condition, table: sa.Table) -> sa.ColumnElement[bool]:
        return compile_condition(self, condition, table)

    # --- retention -------------------------------------------------------------------------

    def prepare(self, action: TableAction) -> None:
        markers.ensure_markers(self)
        if action.kind is ActionKind.ARCHIVE or action.stage is Stage.ARCHIVE:
            self.ensure_archive(action.table)
            if action.parent is not None:
                self.ensure_archive(action.parent)

    def count(self, action: TableAction, condition: Condition) -> int:
        if action.stage is Stage.ARCHIVE and not self.exists(
            archives.archive_table_name(action.table)
        ):
            return 0
        if action.parent is not None and self._needs_missing_parent_archive(condition):
            return 0
        table = self.physical(action.table, action.stage)
        query = sa.select(sa.func.count()).select_from(table).where(self.compile(condition, table))
        with self.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def count_and_first_keys(
        self, table_name: str, key: str, condition: Condition, limit: int
    ) -> tuple[int, list[Any]]:
        """How many active rows match, and the first ``limit`` keys in key order (bounded:
        a plan lists rows under review without reading a table, issue 10 §5)."""
        table = self.table(table_name)
        where = self.compile(condition, table)
        count = sa.select(sa.func.count()).select_from(table).where(where)
        first = sa.select(table.c[key]).where(where).order_by(table.c[key]).limit(limit)
        with self.transaction() as conn:
            return int(conn.execute(count).scalar_one()), list(conn.execute(first).scalars())

    def foreign_keys(self, registry: Registry) -> list[ForeignKey]:
        """The database's foreign keys referencing the system's declared tables."""
        declared = set(registry.systems[self.system_id].tables)
        return foreign_keys.foreign_keys(self, declared)

    def count_referencing(self, action: TableAction, effect: Effect) -> int:
        if action.stage is Stage.ARCHIVE:
            return 0  # gardien's archive tables are referenced by no foreign key
        table = self.physical(action.table, action.stage)
        referencing = self.table(effect.constraint.table)
        return foreign_keys.count_referencing(
            self,
            table,
            self.compile(action.target, table),
            effect.constraint,
            self.compile(effect.remaining, referencing),
        )

    def _needs_missing_parent_archive(self, condition: Condition) -> bool:
        if isinstance(condition, ParentMatches):
            name = archives.archive_table_name(condition.parent_table)
            if condition.archived and not self.exists(name):
                return True
            return self._needs_missing_parent_archive(condition.condition)
        return False

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, batch: Batch
    ) -> BatchOutcome:
        source = self.physical(action.table, action.stage)
        archive = (
            self.physical(action.table, Stage.ARCHIVE)
            if action.kind is ActionKind.ARCHIVE
            else None
        )
        return batches.run_batch(
            self,
            action,
            source,
            archive,
            markers.ensure_markers(self),
            after_key,
            batch_size,
            batch,
            self._pace,
        )

    def committed_batches(self, run_id: str, step: int) -> list[CommittedBatch]:
        return markers.committed(self, run_id, step)

    def forget_batches(self, run_id: str) -> None:
        markers.forget(self, run_id)

    # --- archive reads and rights requests -------------------------------------------------

    def read_archive(
        self, table_name: str, column: str, values: Sequence[str]
    ) -> list[dict[str, Any]]:
        return rows.read_archive(self, table_name, column, values)

    def read_matching(
        self,
        table_name: str,
        columns: Mapping[str, Sequence[Any]],
        *,
        archived: bool = False,
        normalisers: Mapping[str, ColumnNormaliser] | None = None,
    ) -> list[dict[str, Any]]:
        return rows.read_matching(
            self, table_name, columns, archived=archived, normalisers=normalisers
        )

    def sample_column(self, table_name: str, column: str, limit: int) -> list[Any]:
        return rows.sample_column(self, table_name, column, limit)

    def advised_index(self, table_name: str, column: str, rule: ColumnNormaliser) -> list[str]:
        """The DDL that keeps normalised look-ups on the column fast; [] when it is there."""
        reflected = self.column(self.table(table_name), column)
        if not normalise.needs_expression(reflected, rule):
            # Compared as it is (a number, or ``none``): an index on the column itself.
            rule = ColumnNormaliser(Normaliser.NONE, rule.phone)
        with self.transaction() as conn:
            if normalise.index_exists(conn, table_name, column, rule):
                return []
        length = self.text_length(table_name, column) or 320
        return normalise.index_ddl(self.engine.dialect, table_name, column, rule, length)

    def delete_keys(
        self, table_name: str, key: str, keys: Sequence[Any], *, archived: bool = False
    ) -> int:
        return rows.delete_keys(self, table_name, key, keys, archived=archived)

    def update_keys(
        self,
        table_name: str,
        key: str,
        keys: Sequence[Any],
        constants: Mapping[str, Any],
        per_key: Mapping[str, Mapping[Any, Any]],
        *,
        archived: bool = False,
    ) -> int:
        return rows.update_keys(self, table_name, key, keys, constants, per_key, archived=archived)

    def columns_of(self, table_name: str) -> list[str]:
        """The columns the database has for a table (reflected)."""
        return [c.name for c in self.table(table_name).columns]

    def text_length(self, table_name: str, column: str) -> int | None:
        """The characters a text column holds, as the schema declares it (None: unbounded,
        or not a text column; a column the table lacks is the execution's to report)."""
        table = self.table(table_name)
        if column not in table.c:
            return None
        length = getattr(table.c[column].type, "length", None)
        return length if isinstance(length, int) else None


def connectors_for(registry: Registry) -> dict[str, SqlConnector]:
    return {
        system_id: SqlConnector(system_id, system.url)
        for system_id, system in sorted(registry.systems.items())
    }
