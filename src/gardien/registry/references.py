"""Cross-references inside a registry: every identifier used must be declared (GD005).

These are structural errors, not legal ones: the engines cannot run on a registry whose
activity names a data category that does not exist. They are reported as findings so that a
registry with a dangling reference still shows every other problem.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet

from gardien.registry.findings import Finding, Severity
from gardien.registry.limits import MAX_TABLE_CHAIN
from gardien.registry.model import Registry, Table
from gardien.registry.relation_refs import relation_findings
from gardien.registry.source import PathKey, SourceMap

_SHOWN_CHOICES = 20


def _choices(known: Collection[str]) -> str:
    """The declared identifiers for a hint, the first 20 of them: a registry of 10,000 data
    categories and as many dangling references once wrote 690 MB of hints in 50 s."""
    if not known:
        return "none declared"
    names = sorted(known)
    more = len(names) - _SHOWN_CHOICES
    return ", ".join(names[:_SHOWN_CHOICES]) + (f" and {more:,} more" if more > 0 else "")


def _dangling(
    used: Iterable[str],
    declared: Collection[str],
    what: str,
    path: PathKey,
    source: SourceMap,
    *,
    indexed: bool = True,
) -> list[Finding]:
    # A mapping is searched as it is: copying registry.data for each of 5,000 tables was
    # quadratic.
    known = declared if isinstance(declared, Mapping | AbstractSet) else set(declared)
    findings = []
    choices: str | None = None
    for index, ref in enumerate(used):
        if ref not in known:
            where = source.locate((*path, index) if indexed else (*path, ref))
            choices = choices or _choices(known)
            findings.append(
                Finding.at(
                    "GD005",
                    Severity.ERROR,
                    f"'{ref}' is not a declared {what}",
                    where,
                    hint=f"declared: {choices}",
                )
            )
    return findings


def _unreachable_subject(tables: Mapping[str, Table], name: str, system: str) -> str:
    """Why ``belongs_to`` from ``name`` reaches no subject: a circle, or a chain too long."""
    seen: set[str] = set()
    current: str | None = name
    while current is not None and current in tables and current not in seen:
        if len(seen) == MAX_TABLE_CHAIN:
            return (
                f"{system}.{name}: its 'belongs_to' chain is longer than {MAX_TABLE_CHAIN} "
                f"tables (the limit is {MAX_TABLE_CHAIN}) before a table with a subject"
            )
        seen.add(current)
        link = tables[current].belongs_to
        current = link.table if link else None
    return (
        f"{system}.{name}: 'belongs_to' goes round in a circle and never reaches a table "
        "with a subject"
    )


def reference_findings(registry: Registry, source: SourceMap) -> list[Finding]:
    out: list[Finding] = []
    for aid, act in registry.activities.items():
        base: PathKey = ("activities", aid)
        out += _dangling(
            act.subjects, registry.subjects, "subject category", (*base, "subjects"), source
        )
        out += _dangling(act.data, registry.data, "data category", (*base, "data"), source)
        out += _dangling(
            act.recipients, registry.recipients, "recipient", (*base, "recipients"), source
        )
        out += _dangling(
            act.source,
            act.subjects,
            f"subject category of activity {aid}",
            (*base, "source"),
            source,
            indexed=False,
        )
        out += _dangling(
            act.retention,
            act.subjects,
            f"subject category of activity {aid}",
            (*base, "retention"),
            source,
            indexed=False,
        )
        if act.mandatory is not None:
            out += _dangling(
                act.mandatory.data,
                act.data,
                f"data category of activity {aid}",
                (*base, "mandatory", "data"),
                source,
            )
    for sid, system in registry.systems.items():
        for tname, table in system.tables.items():
            base = ("systems", sid, "tables", tname)
            if table.subject is not None:
                out += _dangling(
                    [table.subject],
                    registry.subjects,
                    "subject category",
                    (*base, "subject"),
                    source,
                    indexed=False,
                )
            out += _dangling(
                table.activities, registry.activities, "activity", (*base, "activities"), source
            )
            out += _dangling(
                table.columns.values(),
                registry.data,
                "data category",
                (*base, "columns"),
                source,
                indexed=False,
            )
            if table.belongs_to is not None:
                parent = table.belongs_to.table
                if parent not in system.tables:
                    out += _dangling(
                        [parent],
                        system.tables,
                        f"table of system {sid}",
                        (*base, "belongs_to", "table"),
                        source,
                        indexed=False,
                    )
                elif registry.table_subject(sid, tname) is None:
                    out.append(
                        Finding.at(
                            "GD005",
                            Severity.ERROR,
                            _unreachable_subject(system.tables, tname, sid),
                            source.locate((*base, "belongs_to")),
                        )
                    )
            if table.erase is not None:
                known_columns = {
                    *table.columns,
                    *table.identity.values(),
                    *table.own_events.values(),
                }
                for column in table.erase.columns:
                    if column not in known_columns:
                        out.append(
                            Finding.at(
                                "GD005",
                                Severity.ERROR,
                                f"{sid}.{tname}.{column} is erased but not declared in 'columns' or 'identity'",
                                source.locate((*base, "erase", "columns", column)),
                                hint="map the column to a data category under 'columns'",
                            )
                        )
    out += relation_findings(registry, source)
    return out
