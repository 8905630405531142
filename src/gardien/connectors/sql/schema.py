"""Does the database match the registry? Every table and column it names must exist.

Run before any change (``jobs.retention.require_systems``): a registry naming a column the
database does not have stops a run before it touches anything, naming ``system.table.column``.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.connectors.sql.database import SqlDatabase
from gardien.connectors.sql.normalise import is_generated
from gardien.registry.model import Registry, Table


def _needed(table: Table) -> set[str]:
    needed = {table.key, *table.identity.values(), *table.own_events.values(), *table.columns}
    needed |= {r.column for r in table.relations.values() if r.column is not None}
    if table.erase is not None:
        needed |= set(table.erase.columns)
    if table.restriction_flag:
        needed.add(table.restriction_flag)
    if table.belongs_to is not None:
        needed.add(table.belongs_to.column)
    return needed


def schema_problems(db: SqlDatabase, registry: Registry) -> list[str]:
    """Tables and columns the registry names that the database does not have."""
    problems: list[str] = []
    declared = registry.systems[db.system_id].tables
    with db.transaction() as conn:
        inspector = sa.inspect(conn)
        existing = set(inspector.get_table_names())
        for name, table in declared.items():
            if name not in existing:
                problems.append(f"table {db.system_id}.{name} does not exist")
                continue
            columns = {c["name"] for c in inspector.get_columns(name)}
            for column in sorted(_needed(table) - columns):
                problems.append(f"column {db.system_id}.{name}.{column} does not exist")
    return problems


def undeclared_columns(db: SqlDatabase, registry: Registry) -> list[str]:
    """Columns present in the database but mapped to nothing in the registry."""
    found: list[str] = []
    declared = registry.systems[db.system_id].tables
    with db.transaction() as conn:
        inspector = sa.inspect(conn)
        for name, table in declared.items():
            if not inspector.has_table(name):
                continue
            known = {
                table.key,
                *table.identity.values(),
                *table.own_events.values(),
                *table.columns,
            }
            known |= {r.column for r in table.relations.values() if r.column is not None}
            if table.restriction_flag:
                known.add(table.restriction_flag)
            if table.belongs_to is not None:
                known.add(table.belongs_to.column)
            for column in inspector.get_columns(name):
                # gardien's own generated column (the MariaDB index advice) holds no new data.
                if column["name"] not in known and not is_generated(column["name"]):
                    found.append(f"{db.system_id}.{name}.{column['name']}")
    return found


def nullable_columns(db: SqlDatabase, registry: Registry) -> dict[tuple[str, str, str], bool]:
    """Whether each event column the registry maps may hold NULL (``check --systems``, GD506)."""
    facts: dict[tuple[str, str, str], bool] = {}
    declared = registry.systems[db.system_id].tables
    with db.transaction() as conn:
        inspector = sa.inspect(conn)
        existing = set(inspector.get_table_names())
        for name, table in declared.items():
            if name not in existing:
                continue
            wanted = set(table.events.values())
            for column in inspector.get_columns(name):
                if column["name"] in wanted:
                    facts[(db.system_id, name, column["name"])] = bool(column["nullable"])
    return facts
