"""The copy of a person's data, for access (Art. 15(3)) and portability (Art. 20).

From what ``locate`` found for one request, one table copy per ``system.table`` holding rows:
every column the row has, labelled with the registry's data category, minus gardien's own
bookkeeping (when and by which run a row was archived); dates in ISO 8601. Each copy is
written as JSON and as CSV (``table_json``, ``table_csv``); ``access_package`` and
``portability_package`` put them in a zip with, for access, the letter.

Portability is narrower than access (R-RGT-08): only the data the person *provided*
(``provided_by_subject``, else the identity and mapped columns without the business-event dates
the organisation records), only from tables used by an activity based on consent or a contract
(Art. 20(1)(a)), only active rows (archived rows are kept as evidence, not to perform the
contract), as JSON.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gardien.publish.wording import pick, resolve_language
from gardien.registry.model import LegalBasis, Registry, Table
from gardien.rights.access_wording import letter_words
from gardien.rights.locate import FoundRow, PersonLocation

# gardien.connectors.sql.ARCHIVED_AT / ARCHIVE_RUN: the restricted archive's bookkeeping,
# which says nothing about the person (tests hold the two lists together).
GARDIEN_COLUMNS = frozenset({"gardien_archived_at", "gardien_run_id"})
PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})  # Art. 20(1)(a)


@dataclass(frozen=True)
class RequestReference:
    """What the package says about the request it answers."""

    id: str
    received_at: dt.datetime  # Art. 12(3) counts from it; the zip's entries are dated by it
    answered_on: dt.date  # the letter's date
    not_searched: tuple[str, ...] = ()
    """Identifier kinds the request gave but did not prove, so not searched (R-RGT-11)."""
    searched_with: tuple[SearchedWith, ...] = ()
    """Every identifier searched, how it was proven or where it was read (issue 10 §3)."""


@dataclass(frozen=True)
class SearchedWith:
    """One identifier a request was searched with, for the letter's "searched with"."""

    kind: str
    value: str
    how: str  # "code", "attestation", "pivot" (read from the person's rows) or "withheld"
    found_in: tuple[str, ...] = ()  # for a pivot: the person's rows that hold it
    rows_in: tuple[str, ...] = ()  # for a pivot: where searching with it found rows

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"identifier": self.kind, "value": self.value, "how": self.how}
        if self.found_in:
            data["found_in"] = list(self.found_in)
        if self.rows_in:
            data["rows_in"] = list(self.rows_in)
        return data


@dataclass(frozen=True)
class ColumnLabel:
    name: str
    category: str | None  # the registry's data category; None for keys and undeclared columns
    label: str

    def as_json(self) -> dict[str, Any]:
        return {"column": self.name, "category": self.category, "label": self.label}


@dataclass(frozen=True)
class TableCopy:
    """The person's rows of one table, as they are given to them."""

    system: str
    table: str
    columns: tuple[ColumnLabel, ...]
    rows: tuple[tuple[bool, Mapping[str, Any]], ...]  # (archived, values as JSON values)

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}"

    @property
    def archived(self) -> int:
        return sum(1 for archived, _ in self.rows if archived)

    def categories(self) -> list[str]:
        return list(dict.fromkeys(c.category for c in self.columns if c.category))


def json_value(value: Any) -> Any:
    """A database value as JSON has it: dates in ISO 8601, decimals and bytes as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _label(registry: Registry, table: Table, column: str, lang: str) -> ColumnLabel:
    words = letter_words(lang)
    category = table.columns.get(column)
    if category is not None:
        data = registry.data.get(category)
        return ColumnLabel(column, category, (pick(data.label, lang) if data else None) or category)
    if column == table.key:
        return ColumnLabel(column, None, words["l_key"])
    if table.belongs_to is not None and column == table.belongs_to.column:
        return ColumnLabel(column, None, words["l_link"].format(table=table.belongs_to.table))
    return ColumnLabel(column, None, words["l_undeclared"])


def _copy(
    registry: Registry, rows: Sequence[FoundRow], lang: str, keep: set[str] | None = None
) -> TableCopy | None:
    if not rows:
        return None
    first = rows[0]
    table = registry.systems[first.system].tables[first.table]
    names = [
        c
        for c in dict.fromkeys(c for row in rows for c in row.values)
        if c not in GARDIEN_COLUMNS and (keep is None or c in keep)
    ]
    if not names:
        return None
    columns = tuple(_label(registry, table, c, lang) for c in names)
    flag = table.restriction_flag

    def value(row: FoundRow, column: str) -> Any:
        raw = row.values.get(column)
        if column == flag and raw is not None:
            return bool(raw)  # MariaDB gives the Art. 18 flag as 0/1
        return json_value(raw)

    return TableCopy(
        first.system,
        first.table,
        columns,
        tuple((row.archived, {c: value(row, c) for c in names}) for row in rows),
    )


def access_copies(registry: Registry, location: PersonLocation, lang: str) -> list[TableCopy]:
    """Art. 15(3): a copy of every row found, table by table, archived rows included."""
    copies = [_copy(registry, rows, lang) for _, rows in sorted(location.tables.items())]
    return [c for c in copies if c is not None]


def provided_columns(table: Table) -> set[str]:
    """What the person provided: declared, else identity and mapped columns minus event dates."""
    if table.provided_by_subject is not None:
        return set(table.provided_by_subject)
    recorded = set(table.own_events.values())
    if table.restriction_flag:
        recorded.add(table.restriction_flag)
    return (set(table.identity.values()) | set(table.columns)) - recorded


def portable(registry: Registry, system: str, name: str) -> bool:
    """Art. 20(1)(a): some activity using the table is based on consent or a contract."""
    activities = registry.table_activities(system, name)
    return any(
        registry.activities[a].legal_basis in PORTABLE_BASES
        for a in activities
        if a in registry.activities
    )


def portability_copies(registry: Registry, location: PersonLocation, lang: str) -> list[TableCopy]:
    """Art. 20: the provided data of active rows, from consent- or contract-based tables."""
    copies = []
    for rows in (location.tables[w] for w in sorted(location.tables)):
        active = [r for r in rows if not r.archived]
        if not active or not portable(registry, active[0].system, active[0].table):
            continue
        table = registry.systems[active[0].system].tables[active[0].table]
        copy = _copy(registry, active, lang, provided_columns(table))
        if copy is not None:
            copies.append(copy)
    return copies


# --- formats -------------------------------------------------------------------------------


def table_json(copy: TableCopy, *, with_archive: bool = True) -> dict[str, Any]:
    rows = [
        {"archived": archived, "values": values} if with_archive else dict(values)
        for archived, values in copy.rows
    ]
    return {
        "system": copy.system,
        "table": copy.table,
        "columns": [c.as_json() for c in copy.columns],
        "rows": rows,
    }


def dump_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def table_csv(copy: TableCopy, archive_label: str = "archived") -> bytes:
    """One header line, ``column (category label)``; then one line per row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*(f"{c.name} ({c.label})" for c in copy.columns), archive_label])
    for archived, values in copy.rows:
        writer.writerow([*(_csv_cell(values[c.name]) for c in copy.columns), _csv_cell(archived)])
    # A byte-order mark so that spreadsheet programs read the accents as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def package_language(registry: Registry, lang: str | None) -> str:
    """The language asked for, if the registry declares it; else the registry's first."""
    return resolve_language(registry.languages, lang)
