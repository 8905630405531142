"""The database's own foreign keys, as the retention policy reads them (constraints.py).

Reflected with SQLAlchemy's inspector, for every table of the database: a table gardien does
not know may still reference one it deletes from (ON DELETE RESTRICT blocks, CASCADE follows).
SQLite enforces them only under ``PRAGMA foreign_keys=ON``, which is then the database's
business: gardien reads the declarations either way and plans as if they were enforced.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import sqlalchemy as sa

from gardien.connectors.sql.archive import ARCHIVE_SUFFIX
from gardien.connectors.sql.database import SqlDatabase
from gardien.retention.constraints import ForeignKey, OnDelete


def foreign_keys(db: SqlDatabase, referred: AbstractSet[str]) -> list[ForeignKey]:
    """Every foreign key of the database that references one of the ``referred`` tables."""
    if not referred:
        return []
    if db.dialect in ("mysql", "mariadb"):
        return _from_information_schema(db, referred)
    found: list[ForeignKey] = []
    with db.transaction() as conn:
        inspector = sa.inspect(conn)
        multi = inspector.get_multi_foreign_keys()
    for (_schema, table), keys in sorted(multi.items(), key=lambda kv: kv[0][1]):
        if table.endswith(ARCHIVE_SUFFIX):
            continue  # gardien's own archive tables declare none
        for key in keys:
            if key["referred_table"] not in referred or not key["constrained_columns"]:
                continue
            options = key.get("options") or {}
            found.append(
                ForeignKey(
                    db.system_id,
                    table,
                    key.get("name"),
                    tuple(key["constrained_columns"]),
                    key["referred_table"],
                    tuple(key["referred_columns"]),
                    OnDelete.parse(options.get("ondelete")),
                )
            )
    return found


_MARIADB = sa.text(
    "SELECT rc.CONSTRAINT_NAME AS name, rc.TABLE_NAME AS tbl, rc.DELETE_RULE AS rule, "
    "rc.REFERENCED_TABLE_NAME AS referred, k.COLUMN_NAME AS col, "
    "k.REFERENCED_COLUMN_NAME AS referred_col "
    "FROM information_schema.REFERENTIAL_CONSTRAINTS rc "
    "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA "
    "AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME "
    "WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND rc.REFERENCED_TABLE_NAME IN :names "
    "ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION"
).bindparams(sa.bindparam("names", expanding=True))


def _from_information_schema(db: SqlDatabase, referred: AbstractSet[str]) -> list[ForeignKey]:
    """MariaDB's inspector reads every table's CREATE TABLE; one query names only the keys
    that reference the declared tables."""
    with db.transaction() as conn:
        rows = conn.execute(_MARIADB, {"names": sorted(referred)}).all()
    grouped: dict[tuple[str, str], list[sa.Row[tuple[str, str, str, str, str, str]]]] = {}
    for row in rows:
        grouped.setdefault((row.tbl, row.name), []).append(row)
    return [
        ForeignKey(
            db.system_id,
            table,
            name,
            tuple(r.col for r in parts),
            parts[0].referred,
            tuple(r.referred_col for r in parts),
            OnDelete.parse(parts[0].rule),
        )
        for (table, name), parts in grouped.items()
    ]


def count_referencing(
    db: SqlDatabase,
    source: sa.Table,
    target: sa.ColumnElement[bool],
    constraint: ForeignKey,
    remaining: sa.ColumnElement[bool],
) -> int:
    """Rows of the referencing table pointing at rows of ``source`` matching ``target``."""
    referencing = db.table(constraint.table)
    theirs = db.column(referencing, constraint.columns[0])
    ours = db.column(source, constraint.referred_columns[0])
    query = (
        sa.select(sa.func.count())
        .select_from(referencing)
        .where(theirs.in_(sa.select(ours).where(target)), remaining)
    )
    with db.transaction() as conn:
        return int(conn.execute(query).scalar_one())
