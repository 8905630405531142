"""Finding people in every declared system, many requests at once (issue 4 §3, R-RGT-01).

A request names a person by identifiers (``{kind: value}``, normalised by gardien.identity);
the registry says which column holds each kind in each table. Looking people up one at a time
would cost one query per person per table; instead the look-ups of a batch of requests share
one query per table — ``WHERE email IN (…) OR phone IN (…)`` — which the identity indexes
answer, then one query per child table, ``WHERE link IN (parent keys)``, following
``belongs_to``. The restricted archive (R-RET-08) is searched the same way: the person has a
right of access to archived rows too, and they are marked archived.

Tables hold identifiers as people and programs wrote them (``Paul.Durand@Exemple.FR``,
``06 12 34 56 78``): each identity column has a normaliser (registry/normalisers.py, issue 10
§2) that the query applies to the stored value — ``lower(trim(email)) IN (…)``, an expression
the advised index covers (``gardien systems check``) — and that is applied to the values the
requests named, so both sides are compared in one form.

Rows come back to the request(s) whose identifiers they hold *exactly* in that form: the
database only sieves (a MariaDB collation ignores case, accents and trailing spaces), and
each row's stored identifier is normalised in Python by the same rule and compared with the
normalised values each request named. So ``jean.martin1@x.fr`` never answers for
``jean.martin@x.fr``, nor ``jose@x.fr`` for ``josé@x.fr``, and the same rows are found on
SQLite, PostgreSQL and MariaDB. No LIKE is used: ``_`` and ``%`` are ordinary characters.

Planning (which queries, with which values) is pure and separate from execution, which goes
through a :class:`RowReader` — the SQL connector, or an in-memory double in unit tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gardien.errors import UsageError
from gardien.identity import MalformedIdentifier, normalise
from gardien.registry.model import Registry, Table
from gardien.registry.normalisers import ColumnNormaliser, identity_normalisers

DEFAULT_BATCH = 1_000  # values per IN list: well under every driver's bound-parameter limit

Person = tuple[str, Mapping[str, str]]
"""A request id and the identifiers it names, ``{kind: normalised value}``."""


class UnknownIdentifierKind(UsageError):
    """A request names a kind of identifier that no declared table holds."""

    code = "unknown_identifier_kind"


class RowReader(Protocol):
    """What locating needs from a system: rows where any column holds one of given values."""

    def read_matching(
        self,
        table_name: str,
        columns: Mapping[str, Sequence[Any]],
        *,
        archived: bool = False,
        normalisers: Mapping[str, ColumnNormaliser] | None = None,
    ) -> list[dict[str, Any]]: ...


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityLookup:
    """One query on a subject table: rows whose identity columns hold one of the values."""

    system: str
    table: str
    archived: bool
    key: str  # the table's key column
    columns: Mapping[str, str]  # identifier kind → column
    values: Mapping[str, tuple[str, ...]]  # column → values in the column's form (one chunk)
    normalisers: Mapping[str, ColumnNormaliser] = field(default_factory=dict)  # column → rule

    @property
    def label(self) -> str:
        return f"{self.system}.{self.table}" + (" (archive)" if self.archived else "")


@dataclass(frozen=True)
class ChildLookup:
    """One query per child table: rows whose link column holds a key found in its parent.

    Archived children are looked up by archived parents' keys and active ones by active
    parents' keys, as retention moves them together: a key freed in the active table and
    reused for someone else must never bring that person's children along.
    """

    system: str
    table: str
    archived: bool
    key: str  # the child table's key column
    link: str  # the child's column holding the parent's key
    parent: str  # the parent table
    parent_key: str  # the parent's key column

    @property
    def label(self) -> str:
        return f"{self.system}.{self.table}" + (" (archive)" if self.archived else "")


@dataclass(frozen=True)
class LocatePlan:
    identity: tuple[IdentityLookup, ...]
    children: tuple[ChildLookup, ...]  # parents before their children
    people: Mapping[str, Mapping[str, str]]  # request id → normalised identifiers
    batch_size: int = DEFAULT_BATCH  # parent keys per child query

    @property
    def queries(self) -> int:
        """Queries the plan runs at most (child look-ups with many parents are chunked too)."""
        return len(self.identity) + len(self.children)


def identifier_kinds(registry: Registry) -> set[str]:
    """Every identifier kind some declared table holds."""
    return {
        kind
        for system in registry.systems.values()
        for table in system.tables.values()
        for kind in table.identity
    }


def normalisers_of(registry: Registry, table: Table) -> dict[str, ColumnNormaliser]:
    """A table's identity column → its normaliser (telephone numbers read in the controller's
    country)."""
    return identity_normalisers(table.identity, table.normalise, registry.controller.country)


def checked_identity(
    registry: Registry, request_id: str, identity: Mapping[str, str]
) -> dict[str, str]:
    """The identifiers normalised again, every kind declared somewhere; else a clear refusal."""
    if not identity:
        raise MalformedIdentifier(f"request {request_id}: no identifier given")
    known = identifier_kinds(registry)
    out: dict[str, str] = {}
    for kind, value in sorted(identity.items()):
        if kind not in known:
            raise UnknownIdentifierKind(
                f"request {request_id}: no declared table holds a {kind!r} identifier "
                f"(declared kinds: {', '.join(sorted(known)) or 'none'})"
            )
        if not isinstance(value, str):
            raise MalformedIdentifier(f"request {request_id}: {kind}: the value is not text")
        try:
            out[kind] = normalise(kind, value, registry.controller.country)
        except MalformedIdentifier as exc:
            raise MalformedIdentifier(f"request {request_id}: {exc}") from exc
    return out


def _chunks(values: Sequence[Any], size: int) -> Iterator[tuple[Any, ...]]:
    for start in range(0, len(values), size):
        yield tuple(values[start : start + size])


def _ordered(registry: Registry, system_id: str) -> list[str]:
    """The system's tables with every parent before its children."""
    tables = registry.systems[system_id].tables
    ordered: list[str] = []

    def visit(name: str, seen: frozenset[str]) -> None:
        if name in ordered or name in seen or name not in tables:
            return
        link = tables[name].belongs_to
        if link is not None:
            visit(link.table, seen | {name})
        ordered.append(name)

    for name in tables:
        visit(name, frozenset())
    return ordered


def plan_locate(
    registry: Registry, people: Iterable[Person], *, batch_size: int = DEFAULT_BATCH
) -> LocatePlan:
    """The queries that find ``people`` everywhere: one per subject table and stage per chunk
    of ``batch_size`` values, then one per child table and stage."""
    if batch_size < 1:
        raise UsageError(f"the batch size must be positive, not {batch_size}")
    normalised: dict[str, dict[str, str]] = {}
    for rid, named in people:
        if rid in normalised:
            raise UsageError(f"request {rid} is given twice to one look-up")
        normalised[rid] = checked_identity(registry, rid, named)
    identity: list[IdentityLookup] = []
    children: list[ChildLookup] = []
    for system_id in sorted(registry.systems):
        tables = registry.systems[system_id].tables
        for name in _ordered(registry, system_id):
            table = tables[name]
            for archived in (False, True):
                if table.belongs_to is not None:
                    if table.belongs_to.table not in tables:
                        continue  # a dangling parent: the checker reports it (GD005)
                    parent = tables[table.belongs_to.table]
                    children.append(
                        ChildLookup(
                            system_id,
                            name,
                            archived,
                            table.key,
                            table.belongs_to.column,
                            table.belongs_to.table,
                            parent.key,
                        )
                    )
                    continue
                if not table.identity:
                    continue
                rules = normalisers_of(registry, table)
                per_column: dict[str, set[str]] = defaultdict(set)
                for kind, column in table.identity.items():
                    rule = rules[column]
                    per_column[column].update(
                        rule.apply(p[kind]) for p in normalised.values() if kind in p
                    )
                wanted = {c: sorted(v) for c, v in sorted(per_column.items()) if v}
                if not wanted:
                    continue
                longest = max(len(v) for v in wanted.values())
                for start in range(0, longest, batch_size):
                    chunk = {
                        c: tuple(v[start : start + batch_size])
                        for c, v in wanted.items()
                        if v[start : start + batch_size]
                    }
                    identity.append(
                        IdentityLookup(
                            system_id,
                            name,
                            archived,
                            table.key,
                            dict(table.identity),
                            chunk,
                            rules,
                        )
                    )
    return LocatePlan(tuple(identity), tuple(children), normalised, batch_size)


# --- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundRow:
    """One row that holds data about the person."""

    system: str
    table: str
    key: Any
    values: Mapping[str, Any]
    matched: tuple[str, ...]  # identifier kinds whose value the row holds; () for a child row
    via: str | None  # for a child row: the parent table it was reached through
    archived: bool  # in the restricted archive (R-RET-08)
    # Dates its events read on related rows (``rights.related_dates``), by dotted source:
    # another person's data (the client's contract end), for decisions, never for copies.
    related: Mapping[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}"


@dataclass(frozen=True)
class PersonLocation:
    """Everything found for one request: per ``system.table``, the rows."""

    request_id: str
    identity: Mapping[str, str]
    tables: Mapping[str, tuple[FoundRow, ...]] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return any(self.tables.values())

    def rows(self, system: str, table: str) -> tuple[FoundRow, ...]:
        return self.tables.get(f"{system}.{table}", ())

    def all_rows(self) -> Iterator[FoundRow]:
        for where in sorted(self.tables):
            yield from self.tables[where]

    def summary(self) -> dict[str, dict[str, int]]:
        """Rows found per ``system.table`` (and how many archived): counts only, no personal
        data, fit for a request's stored result or an audit event."""
        return {
            where: {"rows": len(rows), "archived": sum(1 for r in rows if r.archived)}
            for where, rows in sorted(self.tables.items())
        }


def _stored(value: Any, rule: ColumnNormaliser | None = None) -> str | None:
    """A stored identifier as text in its column's form, compared exactly: a row found only
    because the database folds accents or trailing spaces matches nobody, on every database
    alike."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if rule is None else rule.apply(text)


def _sort_key(row: FoundRow) -> tuple[bool, Any]:
    return (row.archived, row.key)


def execute_plan(plan: LocatePlan, readers: Mapping[str, RowReader]) -> dict[str, PersonLocation]:
    """Run the plan and give every request its rows (an empty location when none)."""
    # (kind, value) → the requests that named it
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rid, identity in plan.people.items():
        for kind, value in identity.items():
            wanted[(kind, value)].append(rid)
    found: dict[str, dict[str, dict[tuple[bool, Any], FoundRow]]] = {
        rid: defaultdict(dict) for rid in plan.people
    }
    # (system, table, archived) → parent key → requests whose row it is
    owners: dict[tuple[str, str, bool], dict[Any, set[str]]] = defaultdict(lambda: defaultdict(set))

    for lookup in plan.identity:
        rows = readers[lookup.system].read_matching(
            lookup.table, lookup.values, archived=lookup.archived, normalisers=lookup.normalisers
        )
        # (kind, value in the column's form) → the requests that named it, for this table
        in_form: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (kind, value), rids in wanted.items():
            column = lookup.columns.get(kind)
            if column is not None:
                rule = lookup.normalisers.get(column)
                in_form[(kind, rule.apply(value) if rule else value)].extend(rids)
        for row in rows:
            matches: dict[str, list[str]] = defaultdict(list)  # request → kinds matched
            for kind, column in lookup.columns.items():
                stored = _stored(row.get(column), lookup.normalisers.get(column))
                if stored is None:
                    continue
                for rid in in_form.get((kind, stored), ()):
                    matches[rid].append(kind)
            for rid, kinds in matches.items():
                key = row[lookup.key]
                found[rid][f"{lookup.system}.{lookup.table}"][(lookup.archived, key)] = FoundRow(
                    lookup.system,
                    lookup.table,
                    key,
                    row,
                    tuple(sorted(kinds)),
                    None,
                    lookup.archived,
                )
                owners[(lookup.system, lookup.table, lookup.archived)][key].add(rid)

    for child in plan.children:
        parents = owners.get((child.system, child.parent, child.archived), {})
        if not parents:
            continue
        for keys in _chunks(sorted(parents), plan.batch_size):
            rows = readers[child.system].read_matching(
                child.table, {child.link: keys}, archived=child.archived
            )
            for row in rows:
                link = row.get(child.link)
                for rid in sorted(parents.get(link, ())):
                    key = row[child.key]
                    found[rid][f"{child.system}.{child.table}"][(child.archived, key)] = FoundRow(
                        child.system, child.table, key, row, (), child.parent, child.archived
                    )
                    owners[(child.system, child.table, child.archived)][key].add(rid)

    return {
        rid: PersonLocation(
            rid,
            plan.people[rid],
            {
                where: tuple(sorted(rows.values(), key=_sort_key))
                for where, rows in sorted(tables.items())
                if rows
            },
        )
        for rid, tables in found.items()
    }


def pivots(registry: Registry, location: PersonLocation, unproven: Mapping[str, str]) -> set[str]:
    """The unproven identifiers (``{kind: normalised value}``) that a row found through a proven
    identifier holds, in the column its table declares for that kind, both in the column's
    normalised form (R-RGT-11 pivot).

    Only rows matched by identifier count, never child rows: a child holds no identifier of
    its own, and its parent was already matched."""
    held: set[str] = set()
    for row in location.all_rows():
        if not row.matched:
            continue
        table = registry.systems[row.system].tables[row.table]
        rules = normalisers_of(registry, table)
        for kind, value in unproven.items():
            column = table.identity.get(kind)
            if column is None:
                continue
            rule = rules[column]
            if _stored(row.values.get(column), rule) == rule.apply(value):
                held.add(kind)
    return held


def locate(
    registry: Registry,
    people: Iterable[Person],
    readers: Mapping[str, RowReader],
    *,
    batch_size: int = DEFAULT_BATCH,
) -> dict[str, PersonLocation]:
    """Find every request's person in every declared system (see the module's docstring)."""
    from gardien.rights.related_dates import with_related_dates  # it builds on this module

    plan = plan_locate(registry, people, batch_size=batch_size)
    return with_related_dates(registry, execute_plan(plan, readers), readers)
