"""Reading back what the generator wrote, through the registry's own table shapes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gardien.registry.model import Registry
from gardien.synthetic.schema import build_metadata


def read_system(registry: Registry, system_id: str, url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the system, ordered by key, with typed values."""
    metadata = build_metadata(registry, system_id)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [
                    tuple(row)
                    for row in conn.execute(sa.select(table).order_by(*table.primary_key))
                ]
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def read_table(url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def read_rows(registry: Registry, system_id: str, url: str, table: str) -> list[dict[str, Any]]:
    """The rows of one table as dictionaries, with typed values (dates, datetimes, booleans)."""
    metadata = build_metadata(registry, system_id)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(metadata.tables[table]))]
    finally:
        engine.dispose()
