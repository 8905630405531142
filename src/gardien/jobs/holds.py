"""Legal holds (R-RET-05): place, release, list; the one home of their validation.

``gardien hold``, ``/api/v1/holds`` and ``/office/holds`` call these: a hold on a person names
one identifier of a kind some table declares; a hold on rows names a declared table with its
own subject (a child table follows its parent's rows, so the parent is held) and at least one
key; every hold says why (the reason is shown to whoever asks why data was not erased). Each
edge only turns what it was given (``KIND=VALUE``, a JSON object, form fields) into these
arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.errors import ReasonRequired, UsageError
from gardien.holds.model import HeldIdentifier, LegalHold
from gardien.identity import normalise
from gardien.registry.model import Registry
from gardien.rights.locate import RowReader
from gardien.rights.pivot import locate_with_pivot
from gardien.store import holds as book

NO_REASON = "a hold needs a reason: it is shown to whoever asks why data was kept"


@dataclass(frozen=True)
class HeldRows:
    """Rows of one declared table, by primary key."""

    system: str
    table: str
    keys: tuple[str, ...]

    @classmethod
    def of(cls, system: str, table: str, keys: Sequence[str]) -> HeldRows:
        return cls(system.strip(), table.strip(), tuple(k.strip() for k in keys if k.strip()))


def identity_kinds(registry: Registry) -> list[str]:
    """The identifier kinds a hold on a person may name."""
    return sorted(
        {k for s in registry.systems.values() for t in s.tables.values() for k in t.identity}
    )


def holdable_tables(registry: Registry) -> list[str]:
    """``system.table`` of the tables a hold on rows may name: those with their own subject."""
    return sorted(
        f"{system_id}.{name}"
        for system_id, system in registry.systems.items()
        for name, table in system.tables.items()
        if table.subject is not None
    )


def _person(registry: Registry, kind: str, value: str) -> tuple[str, str]:
    kinds = identity_kinds(registry)
    if kind not in kinds:
        raise UsageError(
            f"no table declares the identifier kind {kind!r} (declared: {', '.join(kinds)})",
            field="subject",
        )
    # A national number is the controller's country's, as every look-up reads it (issue 10 §2).
    return kind, normalise(kind, value, registry.controller.country)


def _rows(registry: Registry, rows: HeldRows) -> tuple[str, str, tuple[str, ...]]:
    system = registry.systems.get(rows.system)
    if system is None or rows.table not in system.tables:
        raise UsageError(
            f"{rows.system}.{rows.table} is not a table declared in the registry", field="table"
        )
    declared = system.tables[rows.table]
    if declared.subject is None:
        parent = declared.belongs_to.table if declared.belongs_to else "?"
        raise UsageError(
            f"{rows.system}.{rows.table} follows its parent's rows: hold the parent row in "
            f"{rows.system}.{parent} instead",
            field="table",
        )
    if not rows.keys:
        raise UsageError("a hold on rows names at least one key of the rows to hold", field="keys")
    return rows.system, rows.table, rows.keys


def place(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    *,
    actor: str,
    reason: str | None,
    case: str | None = None,
    person: tuple[str, str] | None = None,
    rows: HeldRows | None = None,
    systems: Mapping[str, RowReader] | None = None,
) -> LegalHold:
    """Hold a person (``person``: identifier kind and value) or rows; held data is never
    archived, anonymised or deleted while the hold is in force (R-RET-05).

    With ``systems``, a hold on a person also covers the identifiers their own rows hold
    (the phone of the client row found by the e-mail held: its recordings are kept too),
    found by the same bounded pivot as the rights (``rights.pivot``, issue 10 §3) and stored
    on the hold when it is placed, so that what it protects is auditable and stable. A value
    shared with somebody else's rows is not added: a hold must not keep another person's
    data past its period (Art. 5(1)(e))."""
    why = ReasonRequired.check(reason, NO_REASON)
    if person is not None and rows is not None:
        raise UsageError(
            "a hold covers a person or rows of a table, not both: place two holds",
            field="subject",
        )
    if person is None and rows is None:
        raise UsageError(
            "a hold covers a person (one identifier) or rows (a table and their keys): "
            "give one of the two",
            field="subject",
        )
    held = _person(registry, *person) if person is not None else None
    return book.place(
        engine,
        clock,
        actor=actor,
        reason=why,
        case=(case or "").strip() or None,
        identity=held,
        rows=_rows(registry, rows) if rows is not None else None,
        pivoted=_pivoted(registry, held, systems) if held and systems is not None else (),
    )


def _pivoted(
    registry: Registry, person: tuple[str, str], systems: Mapping[str, RowReader]
) -> tuple[HeldIdentifier, ...]:
    found = locate_with_pivot(registry, [("hold", {person[0]: person[1]})], systems)["hold"]
    return tuple(HeldIdentifier(p.kind, p.value, p.found_in) for p in found.pivots)


def release(
    engine: Engine, clock: Clock, hold_id: str, *, actor: str, appeal_ends: date | None = None
) -> LegalHold:
    """Release a hold; with ``appeal_ends`` the data stays protected until that date."""
    return book.release(engine, clock, hold_id, actor=actor, appeal_ends=appeal_ends)


def parse_appeal_end(text: str | None) -> date | None:
    """The end of the appeal period as typed (``YYYY-MM-DD``), or None when blank."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"appeal period end {text!r}: give a date as YYYY-MM-DD, such as 2027-06-30",
            field="appeal_ends",
        ) from None


def all_holds(engine: Engine) -> list[LegalHold]:
    """Every hold, in force or released, oldest first."""
    return book.all_holds(engine)
