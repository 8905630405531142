"""Rectification (Art. 16, R-RGT-02): the named fields, set where the person's data lives.

A request names the fields to correct and their new values. A field is named by

- its column, ``last_name`` — every table where the person's rows were found and that
  declares that column;
- its table and column, ``client.last_name``, or ``crm.client.last_name``;
- its data category, ``identity`` — the one column of that category in each table where the
  person's rows were found (a table with several such columns asks for the column to be named).

Only declared columns are rectified (mapped to a data category, or an identifier); anything
else is refused, naming ``system.table.column``, before anything is written. An identifier is
stored in gardien.identity's normal form, so the person is still found by it afterwards.

Rows in the restricted archive are left as they are: they are kept as proof of what was held
(R-RET-08, Art. 17(3)(e)); the change is counted beside them. The audit trail gets the previous
and the new values as keyed digests only (``gardien.consent.keys``), never in clear; Art. 19
recipients of the tables concerned are listed so that they can be told.

Pure: the result is a plan of :class:`WriteStep` and the :class:`FieldChange` records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gardien.consent.keys import SubjectKey
from gardien.consent.restriction import recipients_to_notify
from gardien.errors import UsageError
from gardien.identity import MalformedIdentifier, normalise
from gardien.registry.model import Registry, Table
from gardien.rights.erasure import LocatedRow
from gardien.rights.erasure_execution import WriteAction, WriteStep
from gardien.rights.outcome import FieldChange, RectificationOutcome


class RectificationRefused(UsageError):
    """A named field cannot be rectified (unknown, undeclared, ambiguous); nothing was changed."""

    code = "rectification_refused"


@dataclass(frozen=True)
class RectificationPlan:
    outcome: RectificationOutcome
    steps: tuple[WriteStep, ...]


def value_digest(key: SubjectKey, value: Any) -> str | None:
    """A keyed digest of a value for the audit trail; None for an empty value."""
    return None if value is None else key.digest("rectification", str(value))


def _declared(table: Table) -> dict[str, str]:
    """Columns that may be rectified → what they hold (data category, or identifier kind)."""
    columns = {c: category for c, category in table.columns.items()}
    for kind, column in table.identity.items():
        columns.setdefault(column, f"identifier {kind}")
    return columns


def _listing(where: Sequence[str]) -> str:
    return ", ".join(sorted(where)) or "none"


def _resolve(
    registry: Registry, name: str, tables: Collection[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The (system, table, column) a field name designates among the person's tables."""
    parts = name.strip().split(".")
    everywhere = [
        f"{s}.{t}.{c}" for s, t in sorted(tables) for c in _declared(_table(registry, s, t))
    ]
    if len(parts) in (2, 3):
        if len(parts) == 3:
            system, table, column = parts
            candidates = [(system, table)]
        else:
            table, column = parts
            candidates = [
                (s, t)
                for s in sorted(registry.systems)
                for t in registry.systems[s].tables
                if t == table
            ]
        if (
            not candidates
            or candidates[0][0] not in registry.systems
            or candidates[0][1] not in registry.systems[candidates[0][0]].tables
        ):
            raise RectificationRefused(f"{name}: no such table in the registry")
        out = []
        for system, table in candidates:
            declared = _declared(registry.systems[system].tables[table])
            if column not in declared:
                raise RectificationRefused(
                    f"{system}.{table}.{column} is not a declared column of {system}.{table} "
                    f"(declared: {', '.join(sorted(declared))})"
                )
            if (system, table) in tables:
                out.append((system, table, column))
        if not out:
            where = ", ".join(f"{s}.{t}" for s, t in candidates)
            raise RectificationRefused(f"{name}: the person has no data in {where}")
        return out
    if len(parts) != 1 or not parts[0]:
        raise RectificationRefused(
            f"{name!r} is not a field: write COLUMN, TABLE.COLUMN or SYSTEM.TABLE.COLUMN"
        )
    out = []
    for system, table in sorted(tables):
        declared = _declared(registry.systems[system].tables[table])
        if name in declared:
            out.append((system, table, name))
    if out:
        return out
    if name in registry.data:  # a data category: its one column in each table
        for system, table in sorted(tables):
            declared = _declared(registry.systems[system].tables[table])
            of_category = sorted(c for c, category in declared.items() if category == name)
            if len(of_category) > 1:
                raise RectificationRefused(
                    f"{name} is held in several columns of {system}.{table} "
                    f"({', '.join(f'{system}.{table}.{c}' for c in of_category)}): name the column"
                )
            out.extend((system, table, c) for c in of_category)
        if out:
            return out
    raise RectificationRefused(
        f"{name}: no table where the person's data was found declares such a field "
        f"(fields there: {_listing(everywhere)})"
    )


def _table(registry: Registry, system: str, table: str) -> Table:
    return registry.systems[system].tables[table]


def _value(table: Table, system: str, name: str, column: str, value: str) -> str:
    for kind, identity_column in table.identity.items():
        if identity_column == column:
            try:
                return normalise(kind, value)
            except MalformedIdentifier as exc:
                raise RectificationRefused(f"{system}.{name}.{column}: {exc}") from exc
    return value


def plan_rectification(
    registry: Registry,
    request_id: str,
    rows: Sequence[LocatedRow],
    fields: Mapping[str, str],
    *,
    key: SubjectKey,
    existing_columns: Mapping[tuple[str, str], Collection[str]] | None = None,
) -> RectificationPlan:
    """The writes that rectify ``fields`` on the person's rows, refused whole if one is wrong.

    ``existing_columns`` ((system, table) → columns the database has) lets a declared column
    that the database lacks be refused before anything is written.
    """
    if not fields:
        raise RectificationRefused("no field to rectify: name at least one field and its value")
    for row in rows:
        if (
            row.system not in registry.systems
            or row.table not in registry.systems[row.system].tables
        ):
            raise RectificationRefused(f"{row.system}.{row.table} is not a table of the registry")
    located = {(r.system, r.table) for r in rows}
    targets: dict[tuple[str, str, str], str] = {}
    for name, value in fields.items():
        for system, table, column in _resolve(registry, name, located):
            spec = _table(registry, system, table)
            new = _value(spec, system, table, column, value)
            if targets.get((system, table, column), new) != new:
                raise RectificationRefused(
                    f"{system}.{table}.{column} is given two different values"
                )
            targets[(system, table, column)] = new
            if existing_columns is not None:
                have = existing_columns.get((system, table))
                if have is not None and column not in have:
                    raise RectificationRefused(
                        f"{system}.{table}.{column} is declared but the database has no such column"
                    )

    active: dict[tuple[str, str], list[LocatedRow]] = defaultdict(list)
    archived: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row.archived:
            archived[(row.system, row.table)] += 1
        else:
            active[(row.system, row.table)].append(row)

    per_table: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for (system, table, column), value in targets.items():
        per_table[(system, table)][column] = value
    steps: list[WriteStep] = []
    changes: list[FieldChange] = []
    for (system, table), values in sorted(per_table.items()):
        spec = _table(registry, system, table)
        live = active.get((system, table), [])
        if live:
            steps.append(
                WriteStep(
                    system,
                    table,
                    False,
                    spec.key,
                    WriteAction.UPDATE,
                    tuple(sorted((r.key for r in live), key=str)),
                    dict(values),
                )
            )
        for column, value in sorted(values.items()):
            before = sorted({d for r in live if (d := value_digest(key, r.row.get(column)))})
            changes.append(
                FieldChange(
                    system,
                    table,
                    column,
                    rows=len(live),
                    archived_rows=archived.get((system, table), 0),
                    before=tuple(before),
                    after=value_digest(key, value) or "",
                )
            )
    activities: list[str] = []
    for system, table in sorted(per_table):
        for activity in registry.table_activities(system, table):
            if activity not in activities:
                activities.append(activity)
    outcome = RectificationOutcome(
        request_id, tuple(changes), tuple(recipients_to_notify(registry, activities))
    )
    return RectificationPlan(outcome, tuple(steps))
