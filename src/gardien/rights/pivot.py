"""The person, not the identifier they typed: one bounded pivot (issue 10 §3, R-RGT-01).

A person proves one identifier (their e-mail); the controller's own rows found through it
hold their other identifiers (the client row's phone, the prospect row's customer number),
and tables keyed by those alone (call recordings by caller number) hold the person's data
too. After the look-up by proven identifiers, every identifier a *matched* row holds, in a
column its table declares, normalised by ``gardien.identity``, is searched as well — in one
more look-up for the whole batch (one query per table per chunk, as ``rights.locate``).

The pivot is bounded:

- one hop only: identifiers are read from rows found by proven identifiers, never from rows
  found by a pivoted value. A family phone shared by two people would otherwise chain from
  one person's rows to the other's, then to everything of the other's e-mail (Art. 15(4):
  access must not adversely affect the rights of others);
- child rows carry no identifier of their own (their parent was matched) and are no source;
- a value that belongs to somebody else too is not pivoted but withheld for review: a value
  two requests of the batch read from their rows, or one whose pivot look-up meets a row
  that names somebody else (a row in a table with another identifier column holding a value
  the person was not searched with). The family phone of two clients discloses neither's
  recordings to the other, erases nothing of the other's, suppresses nobody else's number;
  the DPO sees it listed with where it was met.

Pure: the look-ups go through ``rights.locate`` and its :class:`RowReader`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gardien.identity import MalformedIdentifier, normalise
from gardien.registry.model import Registry
from gardien.rights.locate import (
    DEFAULT_BATCH,
    FoundRow,
    Person,
    PersonLocation,
    RowReader,
    locate,
)

WITHHELD = (
    "read from the person's rows but also held by a row naming somebody else: not searched, "
    "for the DPO to review (GDPR Art. 15(4))"
)
SEP = "\x1f"  # joins a request id and a pivot's rank into a look-up id no request can have


@dataclass(frozen=True)
class Pivot:
    """An identifier read from the person's own rows and searched too (or withheld)."""

    kind: str
    value: str  # normalised by gardien.identity
    found_in: tuple[str, ...]  # "system.table #key" of the person's rows holding it
    rows_in: tuple[str, ...] = ()  # "system.table" where searching with it found rows
    shared_with: tuple[str, ...] = ()  # for a withheld value: where somebody else holds it

    @property
    def withheld(self) -> bool:
        return bool(self.shared_with)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "identifier": self.kind,
            "value": self.value,
            "found_in": list(self.found_in),
        }
        if self.withheld:
            data["shared_with"] = list(self.shared_with)
        else:
            data["rows_in"] = list(self.rows_in)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pivot:
        return cls(
            str(data["identifier"]),
            str(data["value"]),
            tuple(data["found_in"]),
            tuple(data.get("rows_in", ())),
            tuple(data.get("shared_with", ())),
        )


@dataclass(frozen=True)
class PivotedLocation:
    """One request's rows: those found by its own identifiers, plus those of each pivot."""

    base: PersonLocation
    pivots: tuple[Pivot, ...] = ()  # searched: their rows are in ``found``
    withheld: tuple[Pivot, ...] = ()  # not searched: somebody else holds them too
    found: Mapping[str, PersonLocation] = field(default_factory=dict)  # "kind=value" → rows

    def journal(self) -> dict[str, Any]:
        """What was decided, journaled before acting (``jobs.fulfil``): the values searched
        and withheld, where each was read and what it found."""
        return {
            "pivots": [p.as_json() for p in self.pivots],
            "withheld": [p.as_json() for p in self.withheld],
        }

    def kept_to(self, journal: Mapping[str, Any]) -> PivotedLocation:
        """This look-up held to what an earlier, interrupted run of the same request decided.

        A resumed erasure finds the person's client row gone (the killed run erased it), so
        reading it again would pivot on nothing and the answer would no longer say the phone
        was searched. The journaled pivots are the request's; the rows each still finds are
        this look-up's (what the interrupted run already erased is in its own journal)."""
        pivots = tuple(Pivot.from_json(p) for p in journal["pivots"])
        withheld = tuple(Pivot.from_json(p) for p in journal["withheld"])
        if pivots == self.pivots and withheld == self.withheld:
            return self
        return PivotedLocation(self.base, pivots, withheld, self.found)

    def location(self, kinds: Iterable[tuple[str, str]] | None = None) -> PersonLocation:
        """The base rows with those of every pivot (or only of the ``(kind, value)`` given)."""
        chosen = set(kinds) if kinds is not None else None
        tables: dict[str, dict[tuple[bool, Any], FoundRow]] = defaultdict(dict)
        for where, rows in self.base.tables.items():
            for row in rows:
                tables[where][(row.archived, row.key)] = row
        for pivot in self.pivots:
            if chosen is not None and (pivot.kind, pivot.value) not in chosen:
                continue
            found = self.found.get(f"{pivot.kind}={pivot.value}")
            for row in found.all_rows() if found is not None else ():
                tables[row.where].setdefault((row.archived, row.key), row)
        return PersonLocation(
            self.base.request_id,
            self.base.identity,
            {
                where: tuple(sorted(rows.values(), key=lambda r: (r.archived, r.key)))
                for where, rows in sorted(tables.items())
            },
        )


def _label(row: FoundRow) -> str:
    return f"{row.where}{' (archive)' if row.archived else ''} #{row.key}"


def _identifiers(registry: Registry, row: FoundRow) -> Iterable[tuple[str, str]]:
    """The identifiers a row holds in its declared identity columns, normalised; a value that
    is not a well-formed identifier of its kind is no identifier of the person."""
    table = registry.systems[row.system].tables[row.table]
    for kind, column in sorted(table.identity.items()):
        stored = row.values.get(column)
        if stored is None or str(stored).strip() == "":
            continue
        try:
            yield kind, normalise(kind, str(stored), registry.controller.country)
        except MalformedIdentifier:
            continue


def candidates(
    registry: Registry, location: PersonLocation
) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(kind, value) → where it was found`` for every identifier the person's matched rows
    hold that the request was not searched with. Child rows are no source (see the module)."""
    searched = set(location.identity.items())
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in location.all_rows():
        if not row.matched:
            continue
        for pair in _identifiers(registry, row):
            if pair not in searched:
                found[pair].add(_label(row))
    return {pair: tuple(sorted(where)) for pair, where in sorted(found.items())}


def _somebody_else(
    registry: Registry,
    pivot: tuple[str, str],
    own: set[tuple[bool, str, Any]],
    known: set[tuple[str, str]],
    found: PersonLocation,
) -> tuple[str, ...]:
    """Rows the pivot met that name another person: not the person's own, and holding an
    identifier (other than the pivot) the person was not searched with."""
    others: set[str] = set()
    for row in found.all_rows():
        if not row.matched or (row.archived, row.where, row.key) in own:
            continue
        if any(pair != pivot and pair not in known for pair in _identifiers(registry, row)):
            others.add(_label(row))
    return tuple(sorted(others))


def locate_with_pivot(
    registry: Registry,
    people: Iterable[Person],
    readers: Mapping[str, RowReader],
    *,
    batch_size: int = DEFAULT_BATCH,
) -> dict[str, PivotedLocation]:
    """Find every request's person by its identifiers, then by the identifiers their own
    matched rows hold (one hop, see the module): two look-ups for the whole batch."""
    people = list(people)
    first = locate(registry, people, readers, batch_size=batch_size)
    wanted = {rid: candidates(registry, loc) for rid, loc in first.items()}
    # A value read from the rows of two requests of the batch is shared: nobody's to pivot.
    readers_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rid, pairs in wanted.items():
        for pair in pairs:
            readers_of[pair].add(rid)
    lookups: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)  # rid → pair → id
    second_people: list[Person] = []
    for rid, pairs in sorted(wanted.items()):
        for rank, pair in enumerate(pairs):
            if len(readers_of[pair]) > 1:
                continue
            lookup = f"{rid}{SEP}{rank}"
            lookups[rid][pair] = lookup
            second_people.append((lookup, {pair[0]: pair[1]}))
    second = (
        locate(registry, second_people, readers, batch_size=batch_size) if second_people else {}
    )
    out: dict[str, PivotedLocation] = {}
    for rid, base in first.items():
        own = {(r.archived, r.where, r.key) for r in base.all_rows()}
        known = set(base.identity.items()) | set(wanted[rid])
        pivots: list[Pivot] = []
        withheld: list[Pivot] = []
        found: dict[str, PersonLocation] = {}
        for pair, where in wanted[rid].items():
            ident = lookups[rid].get(pair)
            if ident is None:
                others = sorted(f"request {o}" for o in readers_of[pair] if o != rid)
                withheld.append(Pivot(pair[0], pair[1], where, shared_with=tuple(others)))
                continue
            result = second[ident]
            others_rows = _somebody_else(registry, pair, own, known, result)
            if others_rows:
                withheld.append(Pivot(pair[0], pair[1], where, shared_with=others_rows))
                continue
            pivots.append(Pivot(pair[0], pair[1], where, tuple(sorted(result.tables))))
            found[f"{pair[0]}={pair[1]}"] = replace(result, request_id=rid)
        out[rid] = PivotedLocation(base, tuple(pivots), tuple(withheld), found)
    return out
