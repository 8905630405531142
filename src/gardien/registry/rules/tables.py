"""Walking a system's tables with what they inherit from their parent (``belongs_to``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gardien.registry.limits import MAX_TABLE_CHAIN
from gardien.registry.model import Registry, Table
from gardien.registry.source import PathKey


@dataclass(frozen=True)
class LocatedTable:
    system: str
    name: str
    table: Table
    subject: str | None  # resolved through belongs_to
    activities: list[str]  # own, or inherited from the parent
    events: dict[str, str]  # own and inherited event columns

    @property
    def path(self) -> PathKey:
        return ("systems", self.system, "tables", self.name)

    @property
    def label(self) -> str:
        return f"{self.system}.{self.name}"


def _chain_events(registry: Registry, system_id: str, table_name: str) -> dict[str, str]:
    tables = registry.systems[system_id].tables
    events: dict[str, str] = {}
    seen: set[str] = set()
    name: str | None = table_name
    while name is not None and name in tables and name not in seen:
        if len(seen) == MAX_TABLE_CHAIN:
            break
        seen.add(name)
        for event, column in tables[name].events.items():
            events.setdefault(event, column)
        link = tables[name].belongs_to
        name = link.table if link else None
    return events


def located_tables(registry: Registry) -> Iterator[LocatedTable]:
    for sid, system in registry.systems.items():
        for tname, table in system.tables.items():
            yield LocatedTable(
                sid,
                tname,
                table,
                registry.table_subject(sid, tname),
                registry.table_activities(sid, tname),
                _chain_events(registry, sid, tname),
            )
