"""Rules about where data lives: tables, their columns and their link to activities."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.rules.tables import located_tables


@rule(
    "GD601",
    "column-unmapped",
    Severity.ERROR,
    article="GDPR Art. 30(1)(c), 15(1)(b)",
    hint="map the column to a data category under the table's columns: {column: category}",
)
def column_unmapped(ctx: CheckContext) -> Iterator[Issue]:
    # A column gardien reads or changes holds personal data: the record, the notice and an
    # access request must be able to say which category it belongs to.
    for located in located_tables(ctx.registry):
        table, path = located.table, located.path
        used: list[tuple[str, tuple[str, ...]]] = [
            *((column, ("identity", kind)) for kind, column in table.identity.items()),
            *((column, ("events", event)) for event, column in table.own_events.items()),
        ]
        # Erased columns outside columns/identity/events are already GD005 (references.py).
        if table.restriction_flag is not None:
            used.append((table.restriction_flag, ("restriction_flag",)))
        reported: set[str] = set()
        for column, where in used:
            if column not in table.columns and column not in reported:
                reported.add(column)
                yield Issue(
                    f"column {located.label}.{column} is used ({where[0]}) but mapped to no "
                    "data category",
                    (*path, *where),
                )


@rule(
    "GD602",
    "table-without-activity",
    Severity.ERROR,
    article="GDPR Art. 5(1)(b), 5(1)(e)",
    hint="list the activities that use the table under its activities",
)
def table_without_activity(ctx: CheckContext) -> Iterator[Issue]:
    for located in located_tables(ctx.registry):
        if located.subject is not None and not located.activities:
            yield Issue(
                f"table {located.label} holds personal data for no declared activity",
                located.path,
            )


@rule(
    "GD603",
    "table-activity-other-subject",
    Severity.ERROR,
    article="GDPR Art. 5(1)(b), 30(1)(c)",
    hint="remove the activity from the table, or add the table's subject to the activity",
)
def table_activity_other_subject(ctx: CheckContext) -> Iterator[Issue]:
    activities = ctx.registry.activities
    for located in located_tables(ctx.registry):
        if located.subject is None:
            continue
        for index, aid in enumerate(located.table.activities):
            if aid in activities and located.subject not in activities[aid].subjects:
                yield Issue(
                    f"table {located.label} holds {located.subject} data, but activity {aid} "
                    f"does not concern {located.subject}",
                    (*located.path, "activities", index),
                )


@rule(
    "GD604",
    "activity-not-located",
    Severity.WARNING,
    article="GDPR Art. 5(2), 17, 30; R-RET-09",
    hint="add the activity to the tables that hold this subject's data",
)
def activity_not_located(ctx: CheckContext) -> Iterator[Issue]:
    # Only meaningful once systems are declared: a registry used for the notice alone is fine.
    if not ctx.registry.systems:
        return
    located_pairs = {
        (aid, located.subject)
        for located in located_tables(ctx.registry)
        for aid in located.activities
    }
    for aid, act in ctx.registry.activities.items():
        for index, sid in enumerate(act.subjects):
            if (aid, sid) not in located_pairs:
                yield Issue(
                    f"activity {aid} concerns {sid}, but no table of any system holds that data "
                    "for it: retention and rights cannot reach it",
                    ("activities", aid, "subjects", index),
                )


@rule(
    "GD605",
    "column-data-outside-activities",
    Severity.ERROR,
    article="GDPR Art. 5(1)(b)-(c)",
    hint="add the data category to one of the table's activities, or remap the column",
)
def column_data_outside_activities(ctx: CheckContext) -> Iterator[Issue]:
    activities = ctx.registry.activities
    # Tables mostly share their activities: one set per combination, not per table (5,000
    # tables of an activity processing 5,000 categories took seconds).
    processed_by: dict[tuple[str, ...], set[str]] = {}
    for located in located_tables(ctx.registry):
        if not located.activities:
            continue  # GD602 says it
        key = tuple(located.activities)
        if key not in processed_by:
            processed_by[key] = {
                did for aid in key if aid in activities for did in activities[aid].data
            }
        processed = processed_by[key]
        for column, did in located.table.columns.items():
            if did in ctx.registry.data and did not in processed:
                yield Issue(
                    f"column {located.label}.{column} holds {did}, which none of the table's "
                    "activities processes",
                    (*located.path, "columns", column),
                )


@rule(
    "GD606",
    "erasure-strategy-missing",
    Severity.WARNING,
    article="GDPR Art. 17; R-RGT-03",
    hint="add erase: row, or erase: {column: null|hash|anonymise}",
)
def erasure_strategy_missing(ctx: CheckContext) -> Iterator[Issue]:
    for located in located_tables(ctx.registry):
        if located.table.erase is None:
            yield Issue(
                f"table {located.label} does not say how its rows are erased",
                located.path,
            )


@rule(
    "GD607",
    "identity-missing",
    Severity.WARNING,
    article="GDPR Art. 12(6), 15; R-RGT-11",
    hint="add identity: {email: column, phone: column…} so requests can find the person",
)
def identity_missing(ctx: CheckContext) -> Iterator[Issue]:
    for located in located_tables(ctx.registry):
        if located.table.subject is not None and not located.table.identity:
            yield Issue(
                f"table {located.label} has no identity column: a rights request cannot find "
                "the person in it",
                (*located.path, "subject"),
            )
