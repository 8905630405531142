"""Rules about how long data is kept (Art. 5(1)(e), 13(2)(a), 30(1)(f); R-RET-01…09)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.law.retention_guidance import exceeds, retention_guidance
from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.rules.tables import located_tables


@rule(
    "GD501",
    "activity-retention-missing",
    Severity.ERROR,
    article="GDPR Art. 5(1)(e), 13(2)(a), 30(1)(f); R-RET-09",
    hint="add retention.<subject>: {active: …, then: delete} to the activity",
)
def activity_retention_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        for index, sid in enumerate(act.subjects):
            if sid not in act.retention:
                yield Issue(
                    f"activity {aid} keeps data on {sid} with no retention period",
                    ("activities", aid, "subjects", index),
                )


@rule(
    "GD502",
    "table-retention-missing",
    Severity.ERROR,
    article="GDPR Art. 5(1)(e); R-RET-09",
    hint="give the table's subject a retention rule in at least one of its activities",
)
def table_retention_missing(ctx: CheckContext) -> Iterator[Issue]:
    activities = ctx.registry.activities
    for located in located_tables(ctx.registry):
        if located.table.belongs_to is not None or located.subject is None:
            continue  # a child table follows its parent's rows
        own = [a for a in located.activities if a in activities]
        if own and not any(located.subject in activities[a].retention for a in own):
            yield Issue(
                f"table {located.label} holds {located.subject} data that none of its "
                "activities gives a retention period for, so no row can ever be deleted",
                (*located.path, "activities"),
            )


@rule(
    "GD503",
    "retention-event-unmapped",
    Severity.ERROR,
    article="GDPR Art. 5(1)(e); R-RET-01…08",
    hint="map the event to a date column under the table's events: {event: column}",
)
def retention_event_unmapped(ctx: CheckContext) -> Iterator[Issue]:
    activities = ctx.registry.activities
    for located in located_tables(ctx.registry):
        if located.subject is None or (
            located.table.belongs_to is not None and not located.table.activities
        ):
            continue  # inherits its parent's activities and events: checked there
        for aid in located.activities:
            retention = activities[aid].retention if aid in activities else {}
            rule_ = retention.get(located.subject)
            if rule_ is None:
                continue
            for event in rule_.events():
                if event not in located.events:
                    where = "events" if located.table.events else "activities"
                    yield Issue(
                        f"activity {aid} keeps {located.subject} data until an event "
                        f"'{event}' that table {located.label} does not map to a column",
                        (*located.path, where),
                    )


@rule(
    "GD504",
    "archive-reason-missing",
    Severity.ERROR,
    article="GDPR Art. 5(1)(e); CNIL guide « Les durées de conservation » (2020); R-RET-08",
    hint="add archive.reason: why the data is kept (proof, limitation period, legal duty)",
)
def archive_reason_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        for sid, retention in act.retention.items():
            if retention.archive is not None and retention.archive.reason is None:
                yield Issue(
                    f"activity {aid} archives {sid} data for {retention.archive.for_} "
                    "without a reason",
                    ("activities", aid, "retention", sid, "archive"),
                )


@rule(
    "GD505",
    "retention-beyond-cnil-guidance",
    Severity.WARNING,
    article="CNIL reference periods: prospects 3 years, call recordings 6 months, logs 1 year",
    hint="shorten the active phase, or state in retention.<subject>.note why it must be longer",
)
def retention_beyond_cnil_guidance(ctx: CheckContext) -> Iterator[Issue]:
    data = ctx.registry.data
    for aid, act in ctx.registry.activities.items():
        kinds = ["direct_marketing"] if act.direct_marketing else []
        for did in act.data:
            reference = data[did].retention_reference if did in data else None
            if reference is not None:
                kinds.append(reference.value)
        for sid, retention in act.retention.items():
            duration = retention.active.for_
            if duration is None or retention.note is not None:
                continue
            for kind in kinds:
                guidance = retention_guidance(kind)
                if guidance is not None and exceeds(duration, guidance.limit):
                    yield Issue(
                        f"activity {aid} keeps {sid} data for {duration}, beyond the "
                        f"{guidance.limit} the CNIL recommends for {kind.replace('_', ' ')} "
                        f"({guidance.source})",
                        ("activities", aid, "retention", sid, "active", "for"),
                    )


@rule(
    "GD506",
    "retention-unknown-start-unsaid",
    Severity.WARNING,
    article="GDPR Art. 5(1)(e); issue 10 §5",
    hint="say what an empty start date means: if_unknown: delete | keep | review "
    "(review, the default, keeps the rows and lists them in every retention plan)",
)
def retention_unknown_start_unsaid(ctx: CheckContext) -> Iterator[Issue]:
    """A duration counted from a date a row may not have, and nothing said about that row.

    Without the systems' schema (``gardien check --systems``), any start column may be empty;
    with it, a rule whose every start column is NOT NULL cannot meet an unknown start.
    """
    activities = ctx.registry.activities
    for aid, act in activities.items():
        for sid, retention in act.retention.items():
            start = retention.active.from_
            if start is None or retention.if_unknown is not None:
                continue
            nullable: list[str] = []
            for located in located_tables(ctx.registry):
                if located.subject != sid or aid not in located.activities:
                    continue
                for event in start.events:
                    column = located.events.get(event)
                    if column is None:
                        continue  # GD503 reports it
                    key = (located.system, located.name, column)
                    if ctx.columns is None or ctx.columns.get(key, True):
                        nullable.append(f"{located.label}.{column}")
            if nullable:
                how = "may be empty" if ctx.columns is None else "is nullable"
                yield Issue(
                    f"activity {aid} keeps {sid} data for {retention.active.for_} from {start}, "
                    f"but does not say what a row without that date means "
                    f"({', '.join(sorted(set(nullable)))} {how}): such rows are kept and "
                    "listed for review",
                    ("activities", aid, "retention", sid),
                )
