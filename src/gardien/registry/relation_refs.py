"""Relations between tables and events read through them must name what is declared (GD005).

A relation to a table the system does not declare, a link column nobody maps, an event
through a relation the table does not have, or a related column the related table does not
map: each is refused at its ``file:line`` with the declared choices as the hint, before any
engine runs on it (issue 10 §4).
"""

from __future__ import annotations

from collections.abc import Mapping

from gardien.registry.findings import Finding, Severity
from gardien.registry.model import Registry, Table
from gardien.registry.source import PathKey, SourceMap


def known_columns(table: Table) -> set[str]:
    """The columns a registry names for a table: what relations and events may point at."""
    known = {table.key, *table.columns, *table.identity.values(), *table.own_events.values()}
    if table.belongs_to is not None:
        known.add(table.belongs_to.column)
    known |= {r.column for r in table.relations.values() if r.column is not None}
    if table.restriction_flag is not None:
        known.add(table.restriction_flag)
    return known


def _listed(names: set[str] | list[str]) -> str:
    return ", ".join(sorted(names)[:20]) or "none declared"


def relation_findings(registry: Registry, source: SourceMap) -> list[Finding]:
    out: list[Finding] = []

    def refuse(message: str, path: PathKey, hint: str) -> None:
        out.append(Finding.at("GD005", Severity.ERROR, message, source.locate(path), hint=hint))

    for sid, system in registry.systems.items():
        tables = system.tables
        for tname, table in tables.items():
            base: PathKey = ("systems", sid, "tables", tname)
            for rname, relation in table.relations.items():
                where: PathKey = (*base, "relations", rname)
                related = tables.get(relation.table)
                if related is None:
                    refuse(
                        f"relation {sid}.{tname}.{rname} leads to '{relation.table}', which is "
                        f"not a declared table of system {sid}",
                        (*where, "table"),
                        f"declared tables: {_listed(list(tables))}",
                    )
                    continue
                if relation.column is not None and relation.column not in known_columns(table):
                    refuse(
                        f"relation {sid}.{tname}.{rname}: column {sid}.{tname}.{relation.column} "
                        "is not declared in the table",
                        (*where, "column"),
                        "map the link column under columns, or name one the table declares: "
                        + _listed(known_columns(table)),
                    )
                theirs = relation.referenced_by
                if theirs is not None and theirs not in known_columns(related):
                    refuse(
                        f"relation {sid}.{tname}.{rname}: column {sid}.{relation.table}.{theirs} "
                        f"is not declared in table {relation.table}",
                        (*where, "referenced_by"),
                        f"declare the link in {relation.table} (belongs_to, relations or "
                        f"columns); it declares: {_listed(known_columns(related))}",
                    )
            for event, (first, rest) in table.related_events.items():
                path: PathKey = (*base, "events", event)
                *steps, column = [first, *rest.split(".")]
                current, current_table = tname, table
                for rname in steps:
                    relation_ = current_table.relations.get(rname)
                    if relation_ is None:
                        refuse(
                            f"event '{event}' of {sid}.{tname} is read through a relation "
                            f"'{rname}' that table {current} does not declare",
                            path,
                            f"declare relations: {{{rname}: {{table: …, column: …}}}} in "
                            f"{current}; its relations: {_listed(list(current_table.relations))}",
                        )
                        break
                    if relation_.table not in tables:
                        break  # reported on the relation itself
                    if relation_.many and _descends(tables, relation_.table, current):
                        refuse(
                            f"event '{event}' of {sid}.{tname} is read on {relation_.table}, "
                            f"a child of {current}: child rows are removed before their "
                            "parent, so the date would be gone when the parent is judged",
                            path,
                            "read the date from a table outside the family (the client's "
                            "row, through the child's own relation), or map it on the table",
                        )
                        break
                    current, current_table = relation_.table, tables[relation_.table]
                else:
                    if column not in known_columns(current_table):
                        refuse(
                            f"event '{event}' of {sid}.{tname} reads {sid}.{current}.{column}, "
                            f"which table {current} does not declare",
                            path,
                            f"map the date column in {current} (columns or events); it "
                            f"declares: {_listed(known_columns(current_table))}",
                        )
    return out


def _descends(tables: Mapping[str, Table], name: str, ancestor: str) -> bool:
    """Whether ``name`` is a child (grandchild…) of ``ancestor`` through ``belongs_to``."""
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current in tables and current not in seen:
        seen.add(current)
        link = tables[current].belongs_to
        current = link.table if link else None
        if current == ancestor:
            return True
    return False
