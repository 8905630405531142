"""Restriction (Art. 18, R-RGT-07): the person's rows marked restricted where a system can say so.

While a restriction is in force the data may only be stored (Art. 18(2)): the systems must
know which rows are frozen. A table that declares ``restriction_flag`` gets the flag set on
every row of the person, in the active table and in its restricted archive; lifting the
restriction clears it. A table without such a column cannot carry the mark: its rows are
protected only by gardien's restriction list (``gardien.consent``), which other systems query —
the outcome says so, table by table, so that the DPO knows where the freeze depends on them.
Recipients of the data are listed to be told of the restriction and of its lifting (Art. 19).

Pure: the result is a plan of :class:`WriteStep` and a :class:`RestrictionOutcome`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from gardien.consent.restriction import recipients_to_notify
from gardien.errors import UsageError
from gardien.registry.model import Registry
from gardien.rights.erasure import LocatedRow
from gardien.rights.erasure_execution import WriteAction, WriteStep
from gardien.rights.outcome import RestrictionOutcome, TableRestriction


class RestrictionRefused(UsageError):
    """The restriction cannot be marked or lifted as asked; nothing was changed."""

    code = "restriction_refused"


@dataclass(frozen=True)
class RestrictionPlan:
    outcome: RestrictionOutcome
    steps: tuple[WriteStep, ...]


def plan_restriction(
    registry: Registry, request_id: str, rows: Sequence[LocatedRow], *, lift: bool = False
) -> RestrictionPlan:
    """Set (or, when lifting, clear) the restriction flag on the person's rows."""
    groups: dict[tuple[str, str], list[LocatedRow]] = defaultdict(list)
    for row in rows:
        if (
            row.system not in registry.systems
            or row.table not in registry.systems[row.system].tables
        ):
            raise RestrictionRefused(f"{row.system}.{row.table} is not a table of the registry")
        groups[(row.system, row.table)].append(row)
    steps: list[WriteStep] = []
    tables: list[TableRestriction] = []
    notes: list[str] = []
    for (system, name), found in sorted(groups.items()):
        table = registry.systems[system].tables[name]
        flag = table.restriction_flag
        if flag is None:
            tables.append(TableRestriction(system, name, None, len(found), 0))
            notes.append(
                f"{system}.{name} has no restriction flag: its rows are protected only by "
                "gardien's restriction list, which the system must consult"
            )
            continue
        for archived in (False, True):
            keys = tuple(sorted((r.key for r in found if r.archived is archived), key=str))
            if keys:
                steps.append(
                    WriteStep(
                        system,
                        name,
                        archived,
                        table.key,
                        WriteAction.UPDATE,
                        keys,
                        {flag: not lift},
                    )
                )
        tables.append(TableRestriction(system, name, flag, len(found), len(found)))
    activities: list[str] = []
    for system, name in sorted(groups):
        for activity in registry.table_activities(system, name):
            if activity not in activities:
                activities.append(activity)
    recipients = recipients_to_notify(registry, activities) if activities else []
    outcome = RestrictionOutcome(request_id, lift, tuple(tables), tuple(recipients), tuple(notes))
    return RestrictionPlan(outcome, tuple(steps))
