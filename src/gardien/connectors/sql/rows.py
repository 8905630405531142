"""Rows of people, for rights requests and archive reads: found by identity, changed by key.

Reads are one statement, ``WHERE a IN (…) OR b IN (…)`` with every value bound, so that the
identity indexes answer for many people at once (issue 4 §3). Writes are one statement per
table and idempotent: ``DELETE``/``UPDATE … WHERE key IN (…)``. An archive table that was never
created holds no rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gardien.connectors.errors import ValueDoesNotFit
from gardien.connectors.sql import normalise
from gardien.connectors.sql.archive import ARCHIVED_AT, archive_table_name
from gardien.connectors.sql.database import SqlDatabase
from gardien.registry.normalisers import ColumnNormaliser


def _physical(db: SqlDatabase, table_name: str, archived: bool) -> sa.Table | None:
    name = archive_table_name(table_name) if archived else table_name
    if archived and not db.exists(name):
        return None  # an archive never created holds no rows
    return db.table(name)


def read_archive(
    db: SqlDatabase, table_name: str, column: str, values: Sequence[str]
) -> list[dict[str, Any]]:
    archive = _physical(db, table_name, archived=True)
    if archive is None:
        return []
    col = db.column(archive, column)
    query = (
        sa.select(archive).where(col.in_(db.coerce(col, values))).order_by(archive.c[ARCHIVED_AT])
    )
    with db.transaction() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def read_matching(
    db: SqlDatabase,
    table_name: str,
    columns: Mapping[str, Sequence[Any]],
    *,
    archived: bool = False,
    normalisers: Mapping[str, ColumnNormaliser] | None = None,
) -> list[dict[str, Any]]:
    """Rows of a table (or of its restricted archive) where any column holds one of its values.

    A column with a normaliser is compared in its normalised form (``lower(trim(email)) IN
    (…)``, issue 10 §2), the values given being normalised already. The database's comparison
    is only a first sieve: a case- or accent-insensitive collation (MariaDB) returns near
    matches, which the caller drops by comparing normalised values exactly.
    """
    table = _physical(db, table_name, archived)
    if table is None:
        return []
    tests = []
    for column, values in columns.items():
        col = db.column(table, column)
        rule = (normalisers or {}).get(column)
        if rule is not None and normalise.needs_expression(col, rule):
            texts = sorted({str(v) for v in values})
            if texts:
                tests.append(normalise.looked_up(table, col, rule).in_(texts))
            continue
        coerced = db.coerce(col, [str(v) for v in values])
        if coerced:
            tests.append(col.in_(sorted(set(coerced))))
    if not tests:
        return []
    # The generated columns the MariaDB advice adds are gardien's, not the person's data.
    shown = [c for c in table.c if not normalise.is_generated(c.name)]
    query = sa.select(*shown).where(sa.or_(*tests))
    with db.transaction() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def sample_column(db: SqlDatabase, table_name: str, column: str, limit: int) -> list[Any]:
    """Up to ``limit`` non-empty values of a column, for ``gardien systems check``: a bounded
    read, whatever the table's size."""
    table = db.table(table_name)
    col = db.column(table, column)
    query = sa.select(col).where(col.is_not(None)).limit(limit)
    with db.transaction() as conn:
        return list(conn.execute(query).scalars())


def delete_keys(
    db: SqlDatabase, table_name: str, key: str, keys: Sequence[Any], *, archived: bool = False
) -> int:
    """``DELETE FROM t WHERE key IN (…)``: one statement, one transaction, idempotent."""
    table = _physical(db, table_name, archived)
    if table is None or not keys:
        return 0
    where = db.column(table, key).in_(list(keys))
    with db.transaction() as conn:
        return max(int(conn.execute(sa.delete(table).where(where)).rowcount), 0)


def fits(db: SqlDatabase, table: sa.Table, column: str, value: Any) -> Any:
    """The value to write, as its column's type: text given for a number, a date or a flag is
    converted; what cannot be converted, or is too long, is refused naming the column."""
    col = db.column(table, column)
    where = f"{db.system_id}.{table.name}.{column}"
    if not isinstance(value, str):
        return value
    try:
        python_type = col.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is str:
        length = getattr(col.type, "length", None)
        if length is not None and len(value) > length:
            raise ValueDoesNotFit(
                db.system_id,
                f"column {where} holds at most {length} characters; {len(value)} are needed",
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
        raise ValueDoesNotFit(
            db.system_id,
            f"column {where} holds {python_type.__name__} values: {value!r} is not one",
        ) from exc
    raise ValueDoesNotFit(
        db.system_id, f"column {where} is not a text column: it cannot hold {value!r}"
    )


def update_keys(
    db: SqlDatabase,
    table_name: str,
    key: str,
    keys: Sequence[Any],
    constants: Mapping[str, Any],
    per_key: Mapping[str, Mapping[Any, Any]],
    *,
    archived: bool = False,
) -> int:
    """``UPDATE t SET c = :v, h = CASE key WHEN … END WHERE key IN (…)``, idempotent.

    ``constants`` gives every row the same value (NULL, a flag, a rectified value); ``per_key``
    gives each row its own (a keyed hash computed beforehand). Values are bound parameters
    typed as their column.
    """
    table = _physical(db, table_name, archived)
    if table is None or not keys:
        return 0
    key_column = db.column(table, key)
    values: dict[str, Any] = {}
    for column, value in constants.items():
        value = fits(db, table, column, value)
        values[column] = sa.bindparam(None, value, type_=table.c[column].type)
    for column, by_key in per_key.items():
        col = db.column(table, column)
        if by_key:
            whens = [
                (key_column == k, sa.bindparam(None, fits(db, table, column, v), type_=col.type))
                for k, v in by_key.items()
            ]
            values[column] = sa.case(*whens, else_=col)
    if not values:
        return 0
    statement = sa.update(table).where(key_column.in_(list(keys))).values(values)
    with db.transaction() as conn:
        return max(int(conn.execute(statement).rowcount), 0)
