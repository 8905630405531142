"""The tables of a declared system, derived from the registry alone.

The same registry must give the same shape on SQLite, PostgreSQL and MariaDB (issue 3 §5), so
types come only from what the registry says a column is: the key, the link to a parent table,
an identifier, a business-event date, the restriction flag (Art. 18), or any other mapped data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from gardien.connectors.errors import SystemUnreachable
from gardien.errors import UsageError
from gardien.registry.model import Registry, Table


def safe_url(url: str | URL) -> str:
    """The URL as it may be shown to people: the password is masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparsable URL>"


def system_tables(registry: Registry, system_id: str) -> dict[str, Table]:
    if system_id not in registry.systems:
        known = ", ".join(sorted(registry.systems)) or "none"
        raise UsageError(f"no system '{system_id}' in the registry (declared: {known})")
    return dict(registry.systems[system_id].tables)


def ordered_tables(registry: Registry, system_id: str) -> list[str]:
    """Table names with every parent before its children (``belongs_to``)."""
    tables = system_tables(registry, system_id)
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        link = tables[name].belongs_to
        if link is not None:
            if link.table not in tables:
                raise UsageError(
                    f"{system_id}.{name} belongs to '{link.table}', which is not a table "
                    f"of system '{system_id}'"
                )
            visit(link.table)
        for relation in tables[name].relations.values():
            # a many-to-one relation's rows are drawn among the related table's: fill it first
            if relation.column is not None and relation.table in tables:
                visit(relation.table)
        visiting.discard(name)
        ordered.append(name)

    for name in tables:
        visit(name)
    return ordered


def event_column_type(column: str) -> sa.types.TypeEngine[Any]:
    """``*_on`` columns hold a day; every other event column a naive UTC timestamp."""
    return sa.Date() if column.endswith("_on") else sa.DateTime(timezone=False)


def _table(metadata: sa.MetaData, registry: Registry, system_id: str, name: str) -> sa.Table:
    spec = registry.systems[system_id].tables[name]
    columns: dict[str, sa.Column[object]] = {
        spec.key: sa.Column(spec.key, sa.Integer, primary_key=True, autoincrement=True)
    }
    if spec.belongs_to is not None:
        parent = registry.systems[system_id].tables[spec.belongs_to.table]
        link = spec.belongs_to.column
        columns.setdefault(
            link,
            sa.Column(
                link,
                sa.Integer,
                sa.ForeignKey(f"{spec.belongs_to.table}.{parent.key}"),
                nullable=False,
                index=True,
            ),
        )
    for relation in spec.relations.values():
        if relation.column is not None:
            columns.setdefault(
                relation.column, sa.Column(relation.column, sa.Integer, nullable=True, index=True)
            )
    for column in spec.own_events.values():
        columns.setdefault(column, sa.Column(column, event_column_type(column), nullable=True))
    for column in spec.identity.values():
        columns.setdefault(column, sa.Column(column, sa.String(255), nullable=True, index=True))
    if spec.restriction_flag is not None:
        columns.setdefault(
            spec.restriction_flag,
            sa.Column(spec.restriction_flag, sa.Boolean, nullable=False, server_default=sa.false()),
        )
    others = list(spec.columns)
    if spec.erase is not None:
        others += list(spec.erase.columns)
    for column in others:
        columns.setdefault(column, sa.Column(column, sa.String(255), nullable=True))
    return sa.Table(name, metadata, *columns.values())


def build_metadata(registry: Registry, system_id: str) -> sa.MetaData:
    """The tables of one declared system, with the names exactly as declared."""
    metadata = sa.MetaData()
    for name in ordered_tables(registry, system_id):
        _table(metadata, registry, system_id, name)
    return metadata


def system_url(registry: Registry, system_id: str, url: str | None = None) -> str:
    system_tables(registry, system_id)
    return url if url is not None else registry.systems[system_id].url


def open_engine(system_id: str, url: str) -> Engine:
    """An engine on the system's database, checked reachable; SQLite gets its directory."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise UsageError(f"system '{system_id}': {url!r} is not a database URL") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(parsed)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise UsageError(f"system '{system_id}': cannot use {safe_url(parsed)}: {exc}") from exc
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SystemUnreachable(system_id, f"cannot reach {safe_url(parsed)}: {reason}") from exc
    return engine


def create_system(
    registry: Registry, system_id: str, url: str | None = None, *, drop: bool = False
) -> sa.MetaData:
    """Create the system's tables (``drop=True``: drop them first, children before parents)."""
    metadata = build_metadata(registry, system_id)
    engine = open_engine(system_id, system_url(registry, system_id, url))
    try:
        if drop:
            metadata.drop_all(engine)  # reverse dependency order: children first
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return metadata
