"""The SQL connector: SQLite, PostgreSQL and MariaDB/MySQL through SQLAlchemy Core.

Every value is a bound parameter; table and column names come only from the validated
registry and are quoted by the dialect. Work is pushed into the database: one set-based
statement per batch, a batch being a range of primary keys, so a run over a million rows
holds at most one batch of keys in memory and each batch commits on its own.

The restricted archive (R-RET-08) is a table beside the active one, ``<table>_gardien_archive``,
with the same columns plus when and by which run each row was archived. Ordinary queries on the
active table never see it; grant access to it only to the people who may read archives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.connectors.errors import SchemaMismatch, StatementFailed, SystemUnreachable
from gardien.registry.model import Registry
from gardien.retention.conditions import (
    All,
    Always,
    AnyNotNull,
    AnyOf,
    Condition,
    IsNull,
    Not,
    OnOrBefore,
    ParentMatches,
    ValueIn,
)
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import BatchOutcome

ARCHIVE_SUFFIX = "_gardien_archive"
MAX_SCAN_FACTOR = 20  # a batch scans at most this many batch sizes of rows to find its targets
ARCHIVED_AT = "gardien_archived_at"
ARCHIVE_RUN = "gardien_run_id"


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as the registry wrote it, minus credentials
        return url.split("@")[-1]


class SqlConnector:
    def __init__(self, system_id: str, url: str, *, engine: Engine | None = None) -> None:
        self.system_id = system_id
        self.url = url
        self._engine = engine
        self._metadata = sa.MetaData()
        self._tables: dict[str, sa.Table] = {}
        self._pace: dict[str, int] = {}
        self._checked_for: Registry | None = (
            None  # the registry this database last matched  # PostgreSQL: heap blocks per batch, per action
        )

    # --- connection ------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
            except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
                raise SystemUnreachable(
                    self.system_id, f"invalid database URL {safe_url(self.url)}: {exc}"
                ) from exc
        return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            if "connect" in str(exc.orig).lower() or exc.connection_invalidated:
                raise SystemUnreachable(
                    self.system_id, f"cannot reach {safe_url(self.url)}: {exc.orig}"
                ) from exc
            raise StatementFailed(
                self.system_id, f"the database refused a statement: {exc.orig}"
            ) from exc
        except sa.exc.IntegrityError as exc:
            raise StatementFailed(
                self.system_id, f"a constraint of the database refused the change: {exc.orig}"
            ) from exc
        except sa.exc.DBAPIError as exc:
            raise StatementFailed(
                self.system_id, f"the database refused a statement: {exc.orig}"
            ) from exc

    def ping(self) -> None:
        with self.transaction() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # --- schema ----------------------------------------------------------------------------

    def table(self, name: str) -> sa.Table:
        if name not in self._tables:
            try:
                with self.transaction() as conn:
                    self._tables[name] = sa.Table(name, self._metadata, autoload_with=conn)
            except sa.exc.NoSuchTableError as exc:
                raise SchemaMismatch(
                    self.system_id, [f"table {self.system_id}.{name} does not exist"]
                ) from exc
        return self._tables[name]

    def physical(self, name: str, stage: Stage) -> sa.Table:
        return self.table(name + ARCHIVE_SUFFIX if stage is Stage.ARCHIVE else name)

    def has_table(self, name: str) -> bool:
        with self.transaction() as conn:
            return sa.inspect(conn).has_table(name)

    def check(self, registry: Registry) -> list[str]:
        """Problems between the registry and the database; empty when every name exists.

        A connector that passed once is not inspected again (a long-lived process such as the
        API keeps its connectors); a later change of schema still fails loudly, as a
        ``StatementFailed`` naming the system.
        """
        if self._checked_for is registry:
            return []
        problems = self._inspect(registry)
        if not problems:
            self._checked_for = registry
        return problems

    def _inspect(self, registry: Registry) -> list[str]:
        problems: list[str] = []
        declared = registry.systems[self.system_id].tables
        with self.transaction() as conn:
            inspector = sa.inspect(conn)
            existing = set(inspector.get_table_names())
            for name, table in declared.items():
                if name not in existing:
                    problems.append(f"table {self.system_id}.{name} does not exist")
                    continue
                columns = {c["name"] for c in inspector.get_columns(name)}
                needed = {
                    table.key,
                    *table.identity.values(),
                    *table.events.values(),
                    *table.columns,
                }
                if table.erase is not None:
                    needed |= set(table.erase.columns)
                if table.restriction_flag:
                    needed.add(table.restriction_flag)
                if table.belongs_to is not None:
                    needed.add(table.belongs_to.column)
                for column in sorted(needed - columns):
                    problems.append(f"column {self.system_id}.{name}.{column} does not exist")
        return problems

    def undeclared_columns(self, registry: Registry) -> list[str]:
        """Columns present in the database but mapped to nothing in the registry."""
        found: list[str] = []
        declared = registry.systems[self.system_id].tables
        with self.transaction() as conn:
            inspector = sa.inspect(conn)
            for name, table in declared.items():
                if not inspector.has_table(name):
                    continue
                known = {
                    table.key,
                    *table.identity.values(),
                    *table.events.values(),
                    *table.columns,
                }
                if table.restriction_flag:
                    known.add(table.restriction_flag)
                if table.belongs_to is not None:
                    known.add(table.belongs_to.column)
                for column in inspector.get_columns(name):
                    if column["name"] not in known:
                        found.append(f"{self.system_id}.{name}.{column['name']}")
        return found

    def ensure_archive(self, name: str) -> sa.Table:
        """Create ``<name>_gardien_archive`` with the active table's columns, once."""
        archive_name = name + ARCHIVE_SUFFIX
        if archive_name in self._tables:
            return self._tables[archive_name]
        active = self.table(name)
        if not self.has_table(archive_name):
            columns = [
                sa.Column(
                    c.name,
                    c.type,
                    primary_key=c.primary_key,
                    nullable=not c.primary_key,
                    autoincrement=False,
                )
                for c in active.columns
            ]
            columns += [
                sa.Column(ARCHIVED_AT, sa.DateTime(), nullable=False),
                sa.Column(ARCHIVE_RUN, sa.String(64), nullable=False),
            ]
            archive = sa.Table(archive_name, sa.MetaData(), *columns)
            with self.transaction() as conn:
                archive.create(conn, checkfirst=True)
        return self.table(archive_name)

    # --- conditions -> SQL -----------------------------------------------------------------

    def _column(self, table: sa.Table, name: str) -> sa.ColumnElement[Any]:
        if name not in table.c:
            raise SchemaMismatch(
                self.system_id, [f"column {self.system_id}.{table.name}.{name} does not exist"]
            )
        return table.c[name]

    @staticmethod
    def _coerce(column: sa.ColumnElement[Any], values: Sequence[str]) -> list[Any]:
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            return list(values)
        if python_type is int:
            return [int(v) for v in values if str(v).lstrip("-").isdigit()]
        return list(values)

    def compile(self, condition: Condition, table: sa.Table) -> sa.ColumnElement[bool]:
        match condition:
            case Always(value):
                return sa.true() if value else sa.false()
            case IsNull(column):
                return self._column(table, column).is_(None)
            case OnOrBefore(column, moment):
                col = self._column(table, column)
                bound: date | datetime = moment
                if isinstance(col.type, sa.Date) and not isinstance(col.type, sa.DateTime):
                    bound = moment.date()  # a date is its midnight: d <= t  ⟺  d <= date(t)
                return sa.and_(col.is_not(None), col <= bound)
            case ValueIn(column, values):
                col = self._column(table, column)
                coerced = self._coerce(col, values)
                # IS NOT NULL keeps the condition two-valued: NOT (NULL IN (…)) would be
                # unknown in SQL and silently exclude rows whose column is empty.
                return sa.and_(col.is_not(None), col.in_(coerced)) if coerced else sa.false()
            case ParentMatches(link, parent, key, inner, archived):
                parent_table = self.physical(parent, Stage.ARCHIVE if archived else Stage.ACTIVE)
                subquery = sa.select(self._column(parent_table, key)).where(
                    self.compile(inner, parent_table)
                )
                link_column = self._column(table, link)
                return sa.and_(link_column.is_not(None), link_column.in_(subquery))
            case AnyNotNull(columns):
                return sa.or_(*(self._column(table, c).is_not(None) for c in columns))
            case Not(inner):
                return sa.not_(self.compile(inner, table))
            case All(operands):
                return sa.and_(*(self.compile(o, table) for o in operands))
            case AnyOf(operands):
                return sa.or_(*(self.compile(o, table) for o in operands))
        raise TypeError(f"unknown condition {condition!r}")

    # --- retention -------------------------------------------------------------------------

    def prepare(self, action: TableAction) -> None:
        if action.kind is ActionKind.ARCHIVE or action.stage is Stage.ARCHIVE:
            self.ensure_archive(action.table)
            if action.parent is not None:
                self.ensure_archive(action.parent)

    def count(self, action: TableAction, condition: Condition) -> int:
        if action.stage is Stage.ARCHIVE and not self.has_table(action.table + ARCHIVE_SUFFIX):
            return 0
        if action.parent is not None and self._needs_missing_parent_archive(condition):
            return 0
        table = self.physical(action.table, action.stage)
        query = sa.select(sa.func.count()).select_from(table).where(self.compile(condition, table))
        with self.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def _needs_missing_parent_archive(self, condition: Condition) -> bool:
        if isinstance(condition, ParentMatches):
            if condition.archived and not self.has_table(condition.parent_table + ARCHIVE_SUFFIX):
                return True
            return self._needs_missing_parent_archive(condition.condition)
        return False

    def _upper_key(
        self, conn: Connection, table: sa.Table, key: sa.ColumnElement[Any], after: Any, size: int
    ) -> Any:
        query = sa.select(key).order_by(key).offset(size - 1).limit(1)
        if after is not None:
            query = query.where(key > after)
        return conn.execute(query).scalar_one_or_none()

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, run_id: str, at: datetime
    ) -> BatchOutcome:
        source = self.physical(action.table, action.stage)
        key = self._column(source, action.key)
        in_range: list[Any]  # bound conditions, plus PostgreSQL's textual TID range
        with self.transaction() as conn:
            if self.dialect == "postgresql":
                start = int(after_key or 0)
                upper, last_block = self._block_range(conn, action, source, start, batch_size)
                in_range = [
                    self.compile(action.target, source),
                    sa.text("ctid >= CAST(:lo AS tid) AND ctid < CAST(:hi AS tid)").bindparams(
                        lo=f"({start},0)", hi=f"({upper},0)"
                    ),
                ]
                done = upper >= last_block
            else:
                upper = self._upper_key(conn, source, key, after_key, batch_size)
                in_range = [self.compile(action.target, source)]
                if after_key is not None:
                    in_range.append(key > after_key)
                if upper is not None:
                    in_range.append(key <= upper)
                done = upper is None
            where = sa.and_(*in_range)
            if action.kind is ActionKind.DELETE:
                rows = conn.execute(sa.delete(source).where(where)).rowcount
            elif action.kind is ActionKind.ANONYMISE:
                values = {c: None for c in action.personal_columns}
                rows = conn.execute(sa.update(source).where(where).values(values)).rowcount
            else:
                rows = self._archive(conn, action, source, where, key, after_key, upper, run_id, at)
        if self.dialect == "postgresql":
            self._adapt_pace(action, int(upper) - int(after_key or 0), rows, batch_size)
        return BatchOutcome(rows=max(rows, 0), last_key=upper, done=done)

    def _block_range(
        self, conn: Connection, action: TableAction, table: sa.Table, start: int, batch_size: int
    ) -> tuple[int, int]:
        """PostgreSQL: the next range of heap blocks, holding about ``batch_size`` target rows.

        A TID range scan reads the table in physical order like the sequential scan a DBA's
        single statement uses, but in bounded pieces; the cursor is a block number, so a
        resumed run continues exactly where the last committed batch ended. The range adapts
        to how many rows the previous batch changed, so sparse matches do not cost one commit
        per few rows, and it never scans more than ``MAX_SCAN_FACTOR`` batches' worth of rows.
        """
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
        blocks = min(self._pace.get(action.label, base), base * MAX_SCAN_FACTOR)
        return start + max(1, blocks), int(stats.blocks)

    def _adapt_pace(self, action: TableAction, blocks: int, changed: int, batch_size: int) -> None:
        """Size the next block range so that it changes about ``batch_size`` rows."""
        if changed <= 0:
            self._pace[action.label] = blocks * 4
        else:
            self._pace[action.label] = max(1, min(blocks * 4, int(blocks * batch_size / changed)))

    def _archive(
        self,
        conn: Connection,
        action: TableAction,
        source: sa.Table,
        where: sa.ColumnElement[bool],
        key: sa.ColumnElement[Any],
        after_key: Any,
        upper: Any,
        run_id: str,
        at: datetime,
    ) -> int:
        archive = self.physical(action.table, Stage.ARCHIVE)
        names = [c.name for c in source.columns]
        target_columns = [*names, ARCHIVED_AT, ARCHIVE_RUN]
        stamp = [
            sa.literal(at.replace(tzinfo=None), sa.DateTime()).label(ARCHIVED_AT),
            sa.literal(run_id, sa.String()).label(ARCHIVE_RUN),
        ]
        if self.dialect == "postgresql":
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
        inserted = int(
            conn.execute(sa.insert(archive).from_select(target_columns, select)).rowcount
        )
        # Delete exactly what this range put in the archive, not what the condition says now.
        archived_keys = sa.select(archive.c[action.key]).where(archive.c[ARCHIVE_RUN] == run_id)
        bounds = [archive.c[action.key] > after_key] if after_key is not None else []
        if upper is not None:
            bounds.append(archive.c[action.key] <= upper)
        conn.execute(sa.delete(source).where(key.in_(archived_keys.where(*bounds))))
        return inserted

    # --- archive reads ---------------------------------------------------------------------

    def read_archive(
        self, table_name: str, column: str, values: Sequence[str]
    ) -> list[dict[str, Any]]:
        if not self.has_table(table_name + ARCHIVE_SUFFIX):
            return []
        archive = self.physical(table_name, Stage.ARCHIVE)
        col = self._column(archive, column)
        query = (
            sa.select(archive)
            .where(col.in_(self._coerce(col, values)))
            .order_by(archive.c[ARCHIVED_AT])
        )
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # --- rights requests: finding people's rows ---------------------------------------------

    def read_matching(
        self, table_name: str, columns: Mapping[str, Sequence[Any]], *, archived: bool = False
    ) -> list[dict[str, Any]]:
        """Rows of a table (or of its restricted archive) where any column holds one of its values.

        One statement, ``WHERE a IN (…) OR b IN (…)`` with every value bound, so that the
        identity indexes answer for many people at once (issue 4 §3). The database's comparison
        is only a first sieve: a case- or accent-insensitive collation (MariaDB) returns near
        matches, which the caller drops by comparing values exactly. A table's archive that
        was never created holds no rows.
        """
        name = table_name + ARCHIVE_SUFFIX if archived else table_name
        if archived and name not in self._tables and not self.has_table(name):
            return []
        table = self.table(name)
        tests = []
        for column, values in columns.items():
            col = self._column(table, column)
            coerced = self._coerce(col, [str(v) for v in values])
            if coerced:
                tests.append(col.in_(sorted(set(coerced))))
        if not tests:
            return []
        query = sa.select(table).where(sa.or_(*tests))
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # --- rights requests: erasure, rectification, restriction by key -------------------------

    def _by_keys(self, table_name: str, archived: bool) -> sa.Table | None:
        name = table_name + ARCHIVE_SUFFIX if archived else table_name
        if archived and name not in self._tables and not self.has_table(name):
            return None  # an archive never created holds no rows
        return self.table(name)

    def delete_keys(
        self, table_name: str, key: str, keys: Sequence[Any], *, archived: bool = False
    ) -> int:
        """``DELETE FROM t WHERE key IN (…)``: one statement, one transaction, idempotent."""
        table = self._by_keys(table_name, archived)
        if table is None or not keys:
            return 0
        where = self._column(table, key).in_(list(keys))
        with self.transaction() as conn:
            return max(int(conn.execute(sa.delete(table).where(where)).rowcount), 0)

    def columns_of(self, table_name: str) -> list[str]:
        """The columns the database has for a table (reflected)."""
        return [c.name for c in self.table(table_name).columns]

    def _fits(self, table: sa.Table, column: str, value: Any) -> Any:
        """The value to write, as its column's type: text given for a number, a date or a flag
        is converted; what cannot be converted, or is too long, is refused naming the column."""
        col = self._column(table, column)
        where = f"{self.system_id}.{table.name}.{column}"
        if not isinstance(value, str):
            return value
        try:
            python_type = col.type.python_type
        except NotImplementedError:
            python_type = str
        if python_type is str:
            length = getattr(col.type, "length", None)
            if length is not None and len(value) > length:
                raise SchemaMismatch(
                    self.system_id,
                    [f"column {where} holds at most {length} characters; {len(value)} are needed"],
                )
            return value
        try:
            if python_type is bool:
                return {"true": True, "1": True, "false": False, "0": False}[value.lower()]
            if python_type is datetime:
                return datetime.fromisoformat(value)
            if python_type is date:
                return date.fromisoformat(value)
            if python_type in (int, float):
                return python_type(value)
        except (KeyError, ValueError) as exc:
            raise SchemaMismatch(
                self.system_id,
                [f"column {where} holds {python_type.__name__} values: {value!r} is not one"],
            ) from exc
        raise SchemaMismatch(
            self.system_id, [f"column {where} is not a text column: it cannot hold {value!r}"]
        )

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
        """``UPDATE t SET c = :v, h = CASE key WHEN … END WHERE key IN (…)``, idempotent.

        ``constants`` gives every row the same value (NULL, a flag, a rectified value);
        ``per_key`` gives each row its own (a keyed hash computed beforehand). Values are bound
        parameters typed as their column.
        """
        table = self._by_keys(table_name, archived)
        if table is None or not keys:
            return 0
        key_column = self._column(table, key)
        values: dict[str, Any] = {}
        for column, value in constants.items():
            value = self._fits(table, column, value)
            values[column] = sa.bindparam(None, value, type_=table.c[column].type)
        for column, by_key in per_key.items():
            col = self._column(table, column)
            if by_key:
                whens = [
                    (
                        key_column == k,
                        sa.bindparam(None, self._fits(table, column, v), type_=col.type),
                    )
                    for k, v in by_key.items()
                ]
                values[column] = sa.case(*whens, else_=col)
        if not values:
            return 0
        statement = sa.update(table).where(key_column.in_(list(keys))).values(values)
        with self.transaction() as conn:
            return max(int(conn.execute(statement).rowcount), 0)


def connectors_for(registry: Registry) -> dict[str, SqlConnector]:
    return {
        system_id: SqlConnector(system_id, system.url)
        for system_id, system in sorted(registry.systems.items())
    }
