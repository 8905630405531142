"""Dates read through a relation: a rule's conditions on ``client.contract_ended_on``.

A table's ``events`` may name a column of a related table (``events: {contract_end:
client.contract_ended_on}``, ``relations: {client: {table: client, column: client_id}}``).
The policy builds its conditions as for the table's own columns, with the dotted name as the
column; this module then moves every condition on a dotted column onto the related rows, as
one ``Related`` subquery, whatever the date condition is (generic over the leaf, as
``ParentMatches`` is over its inner condition).

What the related date *is*, for one row (docs/retention.md, "Dates from another table"):

- several related rows (a trusted person named by two clients, one-to-many): the latest of
  their dates, and unknown while any of them is unknown: the person stays while any contract
  still runs (R-RET-03, read protectively);
- no related row (a dangling link, a client erased on request): the date is unknown, as an
  empty column of the table's own; the rule waits, it never deletes on a date it cannot read;
- related rows already in the restricted archive count: retention moves them with their
  dates (R-RET-08), and the contract's end is not forgotten because the client row moved.

So ``date <= t`` becomes "some related row exists and every related row's date is <= t", and
``date IS NULL`` becomes its complement "no related row has a known date … or none exists".
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from gardien.registry.model import Table
from gardien.retention.conditions import (
    All,
    AnyOf,
    Condition,
    IsNull,
    Not,
    Related,
    all_of,
    any_of,
    negate,
)


class UnknownRelation(ValueError):
    """An event names a relation the table does not declare (the checker reports it first)."""


@dataclass(frozen=True)
class Link:
    """How one row of a table finds its related rows: ``related.their_column = our_column``."""

    our_column: str
    table: str
    their_column: str


def link(tables: dict[str, Table], name: str, relation: str) -> Link:
    table = tables[name]
    declared = table.relations.get(relation)
    if declared is None or declared.table not in tables:
        raise UnknownRelation(
            f"{name}: the relation '{relation}' is not declared, or leads to an undeclared table"
        )
    if declared.column is not None:  # many-to-one: our column holds their key
        return Link(declared.column, declared.table, tables[declared.table].key)
    assert declared.referenced_by is not None
    return Link(table.key, declared.table, declared.referenced_by)


def _column_of(leaf: Condition) -> str | None:
    """The column a leaf condition tests, whatever the leaf (IsNull, a date condition…)."""
    if "column" not in {f.name for f in fields(leaf)}:
        return None
    value: object = leaf.__dict__["column"]
    return value if isinstance(value, str) else None


def _on_column(leaf: Condition, column: str) -> Condition:
    """The same leaf on another column (a frozen dataclass with a ``column`` field)."""
    changed: Condition = replace(leaf, **{"column": column})  # type: ignore[arg-type]
    return changed


def through_relations(condition: Condition, tables: dict[str, Table], name: str) -> Condition:
    """``condition`` on table ``name`` with every dotted column read on the related rows."""
    match condition:
        case All(ops):
            return all_of([through_relations(o, tables, name) for o in ops])
        case AnyOf(ops):
            return any_of([through_relations(o, tables, name) for o in ops])
        case Not(inner):
            return negate(through_relations(inner, tables, name))
    column = _column_of(condition)
    if column is None or "." not in column:
        return condition  # an own column, or a condition on another table already
    relation, related_column = column.split(".", 1)
    found = link(tables, name, relation)
    if "." in related_column:
        # a chain (designations.client.contract_ended_on): the related rows' own date is read
        # through their relation in turn, with the same reading at every step
        inner = through_relations(_on_column(condition, related_column), tables, found.table)
        if isinstance(condition, IsNull):
            inner = through_relations(Not(IsNull(related_column)), tables, found.table)
            return negate(
                Related(found.our_column, found.table, found.their_column, inner, True, True)
            )
        return Related(found.our_column, found.table, found.their_column, inner, True, True)
    if isinstance(condition, IsNull):
        # unknown while any related date is unknown, or no related row exists
        known = Related(
            found.our_column,
            found.table,
            found.their_column,
            Not(IsNull(related_column)),
            every=True,
            with_archive=True,
        )
        return negate(known)
    # Every date condition is false on an empty column: "every related row's date satisfies
    # it" also says that none of them is unknown.
    return Related(
        found.our_column,
        found.table,
        found.their_column,
        _on_column(condition, related_column),
        every=True,
        with_archive=True,
    )


def related_tables(tables: dict[str, Table], name: str) -> set[str]:
    """The tables whose rows ``name``'s events read, along every step of their paths."""
    found: set[str] = set()
    for path in tables[name].related_events.values():
        current, steps = name, [path[0], *path[1].split(".")[:-1]]
        for relation in steps:
            declared = tables[current].relations.get(relation)
            if declared is None or declared.table not in tables:
                break
            current = declared.table
            found.add(current)
    return found
