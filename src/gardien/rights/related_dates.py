"""Dates a person's rows read on related rows, for the answers rights give (issue 10 §4).

A trusted person is kept until the client who designated them ends their contract, and the
date is on the client's row (``events: {contract_end: client.contract_ended_on}``). Retention
reads it in SQL (``retention.relations``); an erasure decides row by row in Python
(``rights.erasure``), so each found row is given the related date under the event's dotted
name (``FoundRow.related``: the client's data, never copied into the trusted person's access
package, Art. 15(4)), read with the same meaning: the latest date of the related rows, active or archived;
unknown (None) while any of them has none, or when there is none — the rule then waits, and the
row is kept, which is what protects the person's designation and the client's claim alike
(R-RET-03).

One step only (``client.contract_ended_on``). A chain (``designations.client.…``) stays
unknown here, so the row is kept and said to be kept while its date is unknown; retention
runs still read the chain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from gardien.law.calendar import local_day
from gardien.registry.model import Registry
from gardien.retention.relations import Link, UnknownRelation, link
from gardien.rights.locate import FoundRow, PersonLocation, RowReader

CHUNK = 500


def _latest(values: Sequence[Any], zone: str) -> Any:
    """The latest of the related dates; None while one is unknown or there is none."""
    if not values or any(v is None for v in values):
        return None
    try:
        return max(values, key=lambda v: local_day(v, zone))
    except ValueError:  # text that is no ISO date: not a known day
        return None


def with_related_dates(
    registry: Registry,
    locations: Mapping[str, PersonLocation],
    readers: Mapping[str, RowReader],
) -> dict[str, PersonLocation]:
    """``locations`` with every found row of a table whose events read a related row given
    those dates (under ``RELATION.COLUMN``): one look-up per related table per chunk."""
    zone = registry.controller.zone
    # (system, table) → event source → its link and the related column
    wanted: dict[tuple[str, str], dict[str, tuple[Link, str]]] = {}
    for system_id, system in registry.systems.items():
        tables = dict(system.tables)
        for name, table in tables.items():
            for source in table.events.values():
                if "." not in source:
                    continue
                relation, column = source.split(".", 1)
                if "." in column:
                    continue  # a chain: unknown here (see the module)
                try:
                    found = link(tables, name, relation)
                except UnknownRelation:
                    continue  # refused by the registry's checks (GD005)
                wanted.setdefault((system_id, name), {})[source] = (found, column)
    if not wanted:
        return dict(locations)
    # (system, related table, their column, related column) → the values our rows hold
    needed: dict[tuple[str, str, str, str], set[Any]] = defaultdict(set)
    for location in locations.values():
        for row in location.all_rows():
            for found, column in wanted.get((row.system, row.table), {}).values():
                value = row.values.get(found.our_column)
                if value is not None:
                    needed[(row.system, found.table, found.their_column, column)].add(value)
    dates: dict[tuple[str, str, str, str], dict[Any, list[Any]]] = {}
    for (system_id, related_table, their, column), values in needed.items():
        by_key: dict[Any, list[Any]] = defaultdict(list)
        ordered = sorted(values, key=repr)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for archived in (False, True):
                for related in readers[system_id].read_matching(
                    related_table, {their: chunk}, archived=archived
                ):
                    by_key[related.get(their)].append(related.get(column))
        dates[(system_id, related_table, their, column)] = by_key

    def dated(row: FoundRow) -> FoundRow:
        sources = wanted.get((row.system, row.table))
        if not sources:
            return row
        values: dict[str, Any] = {}
        for source, (found, column) in sources.items():
            ours = row.values.get(found.our_column)
            related = dates.get((row.system, found.table, found.their_column, column), {})
            values[source] = _latest(related.get(ours, []), zone) if ours is not None else None
        return replace(row, related=values)

    return {
        rid: replace(
            location,
            tables={
                where: tuple(dated(r) for r in rows) for where, rows in location.tables.items()
            },
        )
        for rid, location in locations.items()
    }
