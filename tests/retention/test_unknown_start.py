"""Rows whose retention start is unknown, and the prospect clock (issue 10 §5 and §6), on
SQLite, PostgreSQL and MariaDB.

A prospect with neither a collection nor a contact date used to be kept for ever, silently:
now the rule's ``if_unknown`` decides (delete, keep, review) and review lists the rows.
The prospect clock runs from the last contact *from* the prospect (CNIL référentiel gestion
commerciale): our unanswered call moves ``last_contact_at``, never ``last_inbound_contact_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.sql import connectors_for
from gardien.jobs import retention as job
from gardien.registry.model import Registry
from gardien.registry.unknown_dates import IfUnknown
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, keys, registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def with_prospect_rule(registry: Registry, **changes: Any) -> Registry:
    """The example, its prospect rule changed, and the prospect table also mapping the
    any-direction ``last_contact_at`` (as a CRM has it) to no rule."""
    activity = registry.activities["prospecting"]
    rule = activity.retention["prospect"].model_copy(update=changes)
    activity = activity.model_copy(update={"retention": {"prospect": rule}})
    crm = registry.systems["crm"]
    prospect = crm.tables["prospect"]
    prospect = prospect.model_copy(
        update={"events": {**prospect.events, "last_contact_at": "last_contact_at"}}
    )
    crm = crm.model_copy(update={"tables": {**crm.tables, "prospect": prospect}})
    return registry.model_copy(
        update={
            "activities": {**registry.activities, "prospecting": activity},
            "systems": {**registry.systems, "crm": crm},
        }
    )


PROSPECTS = [
    # neither a collection nor a contact date: the start is unknown
    {"id": 1, "collected_at": None, "last_inbound_contact_at": None, "last_contact_at": None},
    {"id": 2, "collected_at": None, "last_inbound_contact_at": None, "last_contact_at": None},
    # collected 3 years ago, never answered: our calls last month do not restart the clock
    {
        "id": 3,
        "collected_at": datetime(2023, 10, 1),
        "last_inbound_contact_at": None,
        "last_contact_at": datetime(2026, 10, 15),
    },
    # collected 3 years ago, called us back last year: kept (two years from that call)
    {
        "id": 4,
        "collected_at": datetime(2023, 10, 1),
        "last_inbound_contact_at": datetime(2025, 11, 1),
        "last_contact_at": datetime(2026, 10, 15),
    },
    # only a contact date, old: past
    {
        "id": 5,
        "collected_at": None,
        "last_inbound_contact_at": datetime(2023, 1, 1),
        "last_contact_at": None,
    },
]


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> dict[str, Any]:
    return {"db_url": db_url, "store": open_store(f"sqlite:///{tmp_path / 'gardien.db'}")}


def build(world: dict[str, Any], **changes: Any) -> tuple[Registry, sa.Engine]:
    registry = with_prospect_rule(registry_on(world["db_url"]), **changes)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(world["db_url"])
    insert(
        engine,
        "prospect",
        [{**p, "email": f"p{p['id']}@example.fr", "last_name": "Petit"} for p in PROSPECTS],
    )
    world["registry"] = registry
    return registry, engine


def run(world: dict[str, Any]) -> None:
    job.run(world["registry"], world["store"], FixedClock(NOW), NOW, actor="test")


def test_prospect_without_any_date_is_deleted_when_the_rule_says_delete(
    world: dict[str, Any],
) -> None:
    registry, engine = build(world, if_unknown=IfUnknown.DELETE)
    plan, _ = job.plan(registry, world["store"], NOW)
    assert not job.under_review(plan, connectors_for(registry))
    run(world)
    assert keys(engine, "prospect") == {4}


def test_prospect_without_any_date_is_kept_when_the_rule_says_keep(world: dict[str, Any]) -> None:
    registry, engine = build(world, if_unknown=IfUnknown.KEEP)
    plan, _ = job.plan(registry, world["store"], NOW)
    assert not job.under_review(plan, connectors_for(registry))  # kept, as the registry decided
    run(world)
    assert keys(engine, "prospect") == {1, 2, 4}


def test_prospect_without_any_date_is_listed_for_review_and_untouched(
    world: dict[str, Any],
) -> None:
    registry, engine = build(world, if_unknown=None)  # nothing said: review, the default
    plan, _ = job.plan(registry, world["store"], NOW)
    [review] = job.under_review(plan, connectors_for(registry), limit=1)
    assert (review.system, review.table, review.rows, review.first_keys) == (
        "crm",
        "prospect",
        2,
        ("1",),
    )
    [reason] = review.reasons
    assert "prospecting" in reason and "latest(collected_at, last_inbound_contact)" in reason
    assert "no if_unknown declared: review" in reason
    run(world)
    assert keys(engine, "prospect") == {1, 2, 4}
    plan, _ = job.plan(registry, world["store"], NOW)
    assert [r.rows for r in job.under_review(plan, connectors_for(registry))] == [2]


def test_unanswered_outgoing_call_does_not_extend_the_prospect(world: dict[str, Any]) -> None:
    # CNIL référentiel gestion commerciale: 3 years at most from the last contact *from* the
    # prospect; IMA PROTECT promises 2 (R-RET-02). Prospect 3 was called by us last month.
    _, engine = build(world, if_unknown=IfUnknown.KEEP)
    run(world)
    remaining = keys(engine, "prospect")
    assert 3 not in remaining  # collected 2023-10-01, never answered: past two years
    assert 4 in remaining  # called us on 2025-11-01: two years from then
    assert 5 not in remaining


def test_retention_run_lets_an_objection_go_three_years_after_it(world: dict[str, Any]) -> None:
    # issue 10 §6: the run enforces the suppression list's declared period (P3Y by default).
    from gardien.consent.keys import SubjectKey
    from gardien.consent.ledger import Channel, EventKind
    from gardien.consent.subject import Subject
    from gardien.store import consent as ledger
    from gardien.store import journal
    from gardien.store import suppression as suppression_book

    registry, _ = build(world, if_unknown=IfUnknown.KEEP)
    store = world["store"]
    person = Subject.of({"email": "p4@example.fr"}, SubjectKey(b"k" * 32))
    objected = datetime(2023, 11, 22, 8, 0, tzinfo=UTC)
    ledger.record_event(
        store,
        FixedClock(objected),
        registry,
        person,
        "prospecting",
        EventKind.OBJECTION,
        channel=Channel.EMAIL,
        actor="dpo",
        prospecting_asserted=True,
    )
    run(world)  # NOW = 2026-11-22: the last day of the three years
    assert suppression_book.is_suppressed(store, person)
    after = datetime(2026, 11, 23, tzinfo=UTC)
    job.run(registry, store, FixedClock(after), after, actor="test")
    assert not suppression_book.is_suppressed(store, person)
    last = journal.runs(store, 1)[0]
    assert last.status == "completed"


def test_check_systems_reads_which_start_columns_may_be_empty(world: dict[str, Any]) -> None:
    # `gardien check --systems` (GD506): the reflected nullability of every event column.
    registry, _ = build(world, if_unknown=None)
    facts = job.column_facts(registry)
    assert facts[("crm", "prospect", "collected_at")] is True
    assert facts[("crm", "prospect", "last_inbound_contact_at")] is True
    assert facts[("telephony", "call_recording", "recorded_at")] is True
