"""Writing chunks of rows: PostgreSQL COPY through psycopg, else SQLAlchemy Core bulk inserts.

COPY streams rows without building SQL and is several times faster than multi-row INSERTs
on PostgreSQL (measured in the report for issue 3 §4). Identifiers come only from the
registry and are quoted by the driver or the dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def uses_copy(conn: sa.Connection, method: str) -> bool:
    if method == "insert":
        return False
    can_copy = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
    if method == "copy" and not can_copy:
        raise ValueError(
            f"COPY needs PostgreSQL through psycopg, not {conn.dialect.name}+{conn.dialect.driver}"
        )
    return can_copy


def write_chunk(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    method: str = "auto",
) -> None:
    """Write ``rows`` (tuples in ``columns`` order) inside the caller's transaction."""
    if not rows:
        return
    if uses_copy(conn, method):
        _copy(conn, table, columns, rows)
        return
    names = list(columns)
    conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])


def _copy(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    from psycopg import sql  # only with the psycopg driver

    driver: Any = conn.connection.driver_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def fix_sequences(engine: sa.Engine, tables: Sequence[sa.Table]) -> None:
    """Keys were given explicitly: move PostgreSQL's serial sequences past them.

    MariaDB and SQLite advance their auto-increment counters on explicit keys by themselves.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        for table in tables:
            for key in table.primary_key.columns:
                conn.execute(
                    sa.text(
                        "SELECT setval(pg_get_serial_sequence(:table, :column), "
                        f"(SELECT coalesce(max({quote(key.name)}), 0) + 1 "
                        f"FROM {quote(table.name)}), false)"
                    ),
                    {"table": quote(table.name), "column": key.name},
                )
