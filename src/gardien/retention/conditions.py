"""Row conditions as data: the policy states *which* rows, a connector compiles it to SQL.

Keeping conditions as a small tree (instead of SQL text) keeps the policy pure and testable
without a database, and lets each connector bind every value as a parameter and quote every
name with its own dialect. Every condition is two-valued: NULL columns are tested explicitly,
so negation never meets SQL's unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gardien.law.calendar import local_day
from gardien.registry.normalisers import ColumnNormaliser


@dataclass(frozen=True)
class Always:
    value: bool


@dataclass(frozen=True)
class IsNull:
    column: str


@dataclass(frozen=True)
class OnOrBefore:
    """The column's *day* is known and on or before ``day`` (issue 10 §1).

    The day of a value is its date in the controller's time zone ``zone``
    (``gardien.law.calendar.local_day``): a DATE is its own day, a naive timestamp is UTC, an
    aware one is converted, ISO text is read as such. Periods end at the end of their last
    day (Reg. 1182/71 art. 3(2)(c)), so a whole-day comparison is the only one the law makes.
    """

    column: str
    day: date
    zone: str = "UTC"


@dataclass(frozen=True)
class ValueIn:
    """``column IN (values)`` with the values bound as parameters."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class NormalisedIn:
    """``normalise(column) IN (values)``: a stored identifier in its column's form (issue 10
    §2), the values normalised by the same rule; bound as parameters."""

    column: str
    normaliser: ColumnNormaliser
    values: tuple[str, ...]


@dataclass(frozen=True)
class ParentMatches:
    """For a child table: ``link IN (SELECT key FROM parent WHERE condition)``."""

    link_column: str
    parent_table: str
    parent_key: str
    condition: Condition
    archived: bool = False  # the parent rows are in the archive table


@dataclass(frozen=True)
class Related:
    """Rows whose related rows, ``table.related_column = column``, satisfy ``condition``.

    ``every``: at least one related row exists and every one satisfies the condition (an
    event read through a relation: a trusted person named by two clients is kept while either
    contract runs, the protective reading of R-RET-03); otherwise some related row does (a
    foreign key still pointing at the row). ``with_archive``: the related rows are looked for
    in the related table and in its restricted archive too, since retention moves rows there
    with their dates (R-RET-08).
    """

    column: str
    table: str
    related_column: str
    condition: Condition
    every: bool = True
    with_archive: bool = False


@dataclass(frozen=True)
class AnyNotNull:
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Uncleared:
    """Some column still holds a value a category rule clears (issue 10 §6): not NULL and, when
    the rule anonymises, not already the placeholder (in text columns): rows already cleared
    are never touched twice."""

    columns: tuple[str, ...]
    placeholder: str | None = None


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class All:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    operands: tuple[Condition, ...]


Condition = (
    Always
    | IsNull
    | OnOrBefore
    | ValueIn
    | NormalisedIn
    | ParentMatches
    | Related
    | AnyNotNull
    | Uncleared
    | Not
    | All
    | AnyOf
)

TRUE = Always(True)
FALSE = Always(False)


def _merge_bounds(operands: Sequence[Condition], *, keep_earliest: bool) -> list[Condition]:
    """Fold ``c <= t1`` and ``c <= t2`` on the same column into one bound; drop duplicates."""
    out: list[Condition] = []
    bound_at: dict[str, int] = {}
    for op in operands:
        if isinstance(op, OnOrBefore) and op.column in bound_at:
            index = bound_at[op.column]
            current = out[index]
            assert isinstance(current, OnOrBefore)
            if current.zone == op.zone:
                pick = min if keep_earliest else max
                out[index] = OnOrBefore(op.column, pick(current.day, op.day), op.zone)
                continue
        if isinstance(op, OnOrBefore) and op.column not in bound_at:
            bound_at[op.column] = len(out)
        if op not in out:
            out.append(op)
    return out


def all_of(operands: Sequence[Condition]) -> Condition:
    ops = _merge_bounds([o for o in operands if o != TRUE], keep_earliest=True)
    if any(o == FALSE for o in ops):
        return FALSE
    if not ops:
        return TRUE
    return ops[0] if len(ops) == 1 else All(tuple(ops))


def any_of(operands: Sequence[Condition]) -> Condition:
    ops = _merge_bounds([o for o in operands if o != FALSE], keep_earliest=False)
    if any(o == TRUE for o in ops):
        return TRUE
    if not ops:
        return FALSE
    return ops[0] if len(ops) == 1 else AnyOf(tuple(ops))


def negate(operand: Condition) -> Condition:
    if isinstance(operand, Always):
        return Always(not operand.value)
    if isinstance(operand, Not):
        return operand.operand
    return Not(operand)


def describe(condition: Condition) -> str:
    """A readable SQL-like rendering, for plans shown to people and for tests."""
    match condition:
        case Always(value):
            return "TRUE" if value else "FALSE"
        case IsNull(column):
            return f"{column} IS NULL"
        case OnOrBefore(column, day, zone):
            return f"day({column}) <= {day.isoformat()}" + ("" if zone == "UTC" else f" {zone}")
        case ValueIn(column, values):
            return f"{column} IN ({len(values)} values)"
        case NormalisedIn(column, normaliser, values):
            return f"{normaliser.name.value}({column}) IN ({len(values)} values)"
        case ParentMatches(link, parent, key, inner, archived):
            parent = f"{parent}(archive)" if archived else parent
            return f"{link} IN (SELECT {key} FROM {parent} WHERE {describe(inner)})"
        case Related(column, related, related_column, inner, every, with_archive):
            where = f"{related}(+archive)" if with_archive else related
            if every:
                return (
                    f"{column} IN (SELECT {related_column} FROM {where}) AND NOT {column} IN "
                    f"(SELECT {related_column} FROM {where} WHERE NOT ({describe(inner)}))"
                )
            return f"{column} IN (SELECT {related_column} FROM {where} WHERE {describe(inner)})"
        case AnyNotNull(columns):
            return "(" + " OR ".join(f"{c} IS NOT NULL" for c in columns) + ")"
        case Uncleared(columns, placeholder):
            if placeholder is None:
                return "(" + " OR ".join(f"{c} IS NOT NULL" for c in columns) + ")"
            return "(" + " OR ".join(f"{c} NOT IN (NULL, {placeholder!r})" for c in columns) + ")"
        case Not(inner):
            return f"NOT ({describe(inner)})"
        case All(ops):
            return "(" + " AND ".join(describe(o) for o in ops) + ")"
        case AnyOf(ops):
            return "(" + " OR ".join(describe(o) for o in ops) + ")"
    raise TypeError(f"unknown condition {condition!r}")


Rows = dict[object, dict[str, object]]


def _related_rows(
    condition: Related, value: object, active: dict[str, Rows], archived: dict[str, Rows]
) -> list[dict[str, object]]:
    if value is None:
        return []
    stores = [active, archived] if condition.with_archive else [active]
    return [
        r
        for store in stores
        for r in store.get(condition.table, {}).values()
        if r.get(condition.related_column) == value
    ]


def evaluate(
    condition: Condition,
    row: dict[str, object],
    parents: dict[str, Rows] | None = None,
    *,
    active: dict[str, Rows] | None = None,
    archived: dict[str, Rows] | None = None,
) -> bool:
    """Evaluate on an in-memory row: the reference semantics the SQL compilers must match.

    ``parents`` holds the tables a child's ``ParentMatches`` reads (active or archived, as the
    stage is); ``active`` and ``archived`` the tables a ``Related`` reads."""
    deeper = {"active": active, "archived": archived}
    match condition:
        case Always(value):
            return value
        case IsNull(column):
            return row.get(column) is None
        case OnOrBefore(column, day, zone):
            found = row.get(column)
            if not isinstance(found, (date, str)):
                return False
            try:
                return local_day(found, zone) <= day
            except ValueError:  # text that is no ISO date: not a known day
                return False
        case ValueIn(column, values):
            return row.get(column) in values
        case NormalisedIn(column, normaliser, values):
            found = row.get(column)
            return found is not None and normaliser.apply(found) in values
        case ParentMatches(link, parent, _key, inner, _archived):
            table = (parents or {}).get(parent, {})
            parent_row = table.get(row.get(link))
            return parent_row is not None and evaluate(inner, parent_row, parents, **deeper)
        case Related(column, _table, _related_column, inner, every, _with_archive):
            related = _related_rows(condition, row.get(column), active or {}, archived or {})
            # The related rows are judged on their own: a ParentMatches inside is theirs.
            results = [evaluate(inner, r, parents, **deeper) for r in related]
            return bool(results) and all(results) if every else any(results)
        case AnyNotNull(columns):
            return any(row.get(c) is not None for c in columns)
        case Uncleared(columns, placeholder):
            return any(row.get(c) is not None and row.get(c) != placeholder for c in columns)
        case Not(inner):
            return not evaluate(inner, row, parents, **deeper)
        case All(ops):
            return all(evaluate(o, row, parents, **deeper) for o in ops)
        case AnyOf(ops):
            return any(evaluate(o, row, parents, **deeper) for o in ops)
    raise TypeError(f"unknown condition {condition!r}")
