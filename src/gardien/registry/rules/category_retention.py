"""Rules about a data category's own retention and data never to be stored (issue 10 §6)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.model import StoreMode
from gardien.registry.rules.tables import located_tables


@rule(
    "GD310",
    "column-holds-data-never-stored",
    Severity.ERROR,
    article="GDPR Art. 5(1)(c); CNIL délibération 2018-303",
    hint="drop the column from the table (and the database), or remove 'store: never' from "
    "the category if it may be kept",
)
def column_holds_data_never_stored(ctx: CheckContext) -> Iterator[Issue]:
    # A card's security code is never kept once the payment is made (CNIL 2018-303): a table
    # that maps a column to such a category says the organisation stores it.
    never = {did for did, data in ctx.registry.data.items() if data.store is StoreMode.NEVER}
    if not never:
        return
    for located in located_tables(ctx.registry):
        for column, did in located.table.columns.items():
            if did in never:
                yield Issue(
                    f"column {located.label}.{column} holds {did}, which the registry says is "
                    "never stored (store: never)",
                    (*located.path, "columns", column),
                )


@rule(
    "GD311",
    "category-retention-event-unmapped",
    Severity.ERROR,
    article="GDPR Art. 5(1)(e); R-RET-09",
    hint="map the event to a date column of the table: events: {EVENT: <column>}",
)
def category_retention_event_unmapped(ctx: CheckContext) -> Iterator[Issue]:
    # The category's columns are cleared when its own period ends, read from the table that
    # holds them: without the date, retention could not clear them (it stops with a message).
    for located in located_tables(ctx.registry):
        table = located.table
        for column, did in table.columns.items():
            data = ctx.registry.data.get(did)
            if data is None or data.retention is None:
                continue
            for event in data.retention.events():
                if event not in table.events:
                    yield Issue(
                        f"column {located.label}.{column} holds {did}, whose retention runs "
                        f"from the event '{event}', but the table maps no column to it",
                        (*located.path, "columns", column),
                    )
