"""One organisation database: its URL and engine, its transactions, its reflected tables.

Every statement gardien sends runs inside ``transaction()`` (or ``atomically()``, which also
retries a transaction the database rolled back to resolve a deadlock), so driver errors become
connector errors in one place. Table and column names come only from the validated registry
and are quoted by the dialect; a name the database does not have is refused naming
``system.table.column``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.connectors.errors import SchemaMismatch, StatementFailed, SystemUnreachable
from gardien.connectors.sql.failures import ATTEMPTS, is_transient, retrying, translate

T = TypeVar("T")


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as the registry wrote it, minus credentials
        return url.split("@")[-1]


class SqlDatabase:
    """The connection side of a SQL connector (SQLite, PostgreSQL, MariaDB/MySQL)."""

    def __init__(self, system_id: str, url: str, *, engine: Engine | None = None) -> None:
        self.system_id = system_id
        self.url = url
        self._engine = engine
        self._metadata = sa.MetaData()
        self._tables: dict[str, sa.Table] = {}

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
        except sa.exc.DBAPIError as exc:
            raise translate(self.system_id, safe_url(self.url), exc) from exc

    def atomically(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction, tried again (whole) when the database rolled it back
        for a deadlock, a serialization failure or a lock wait (``failures.retrying``)."""

        def attempt() -> T:
            with self.engine.begin() as conn:
                return work(conn)

        try:
            return retrying(attempt)
        except sa.exc.DBAPIError as exc:
            if is_transient(exc):
                raise StatementFailed(
                    self.system_id,
                    f"the database rolled the batch back {ATTEMPTS} times (deadlock, "
                    f"serialization failure or lock wait), giving up: {exc.orig}",
                ) from exc
            raise translate(self.system_id, safe_url(self.url), exc) from exc

    def ping(self) -> None:
        with self.transaction() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # --- reflected tables ------------------------------------------------------------------

    def table(self, name: str) -> sa.Table:
        if name not in self._tables:
            try:
                with self.transaction() as conn, warnings.catch_warnings():
                    # SQLite: the advised expression index (``gardien systems check``) is not
                    # reflected, and need not be: the database uses it, gardien never reads it.
                    warnings.filterwarnings(
                        "ignore", "Skipped unsupported reflection of expression-based index"
                    )
                    self._tables[name] = sa.Table(name, self._metadata, autoload_with=conn)
            except sa.exc.NoSuchTableError as exc:
                raise SchemaMismatch(
                    self.system_id, [f"table {self.system_id}.{name} does not exist"]
                ) from exc
        return self._tables[name]

    def has_table(self, name: str) -> bool:
        with self.transaction() as conn:
            return sa.inspect(conn).has_table(name)

    def exists(self, name: str) -> bool:
        """``has_table``, without asking the database again about a table already reflected."""
        return name in self._tables or self.has_table(name)

    def forget_table(self, name: str) -> None:
        """Drop a reflected table from the cache (it was created or changed meanwhile)."""
        self._tables.pop(name, None)
        if name in self._metadata.tables:
            self._metadata.remove(self._metadata.tables[name])

    def column(self, table: sa.Table, name: str) -> sa.ColumnElement[Any]:
        if name not in table.c:
            raise SchemaMismatch(
                self.system_id, [f"column {self.system_id}.{table.name}.{name} does not exist"]
            )
        return table.c[name]

    @staticmethod
    def coerce(column: sa.ColumnElement[Any], values: Sequence[str]) -> list[Any]:
        """Text values as the column's type; what cannot be one (``abc`` for an integer key)
        matches nothing, and is dropped rather than sent to fail in the database."""
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            return list(values)
        if python_type is int:
            return [int(v) for v in values if str(v).lstrip("-").isdigit()]
        return list(values)
