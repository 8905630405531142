"""Categories that expire before their row (issue 10 §6), on SQLite, PostgreSQL and MariaDB.

The invoice stays ten years (C. com. L.123-22) while the card number on it goes 13 months
after the transaction (CNIL délibération 2018-303) and a call analysis after a year (CNIL):
a data category's own ``retention`` clears its columns, one set-based UPDATE per batch, the
row staying; held rows keep their columns (R-RET-05); a second run touches nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.jobs import retention as job
from gardien.registry.model import DataCategory, ParentLink, Registry, Table
from gardien.retention.policy import ANONYMISED as POLICY_PLACEHOLDER
from gardien.rights.erasure import ANONYMISED
from gardien.store import holds
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
LABEL = {"fr": "x", "en": "x"}


def with_categories(registry: Registry) -> Registry:
    """The example, with card data (13 months from the transaction), the invoice's
    accounting data (kept with the row), and call analyses anonymised after a year."""
    data = {
        **registry.data,
        "card": DataCategory.model_validate(
            {"label": LABEL, "retention": {"for": "P13M", "from": "transaction"}}
        ),
        "accounting": DataCategory.model_validate({"label": LABEL}),
        "call_analysis": DataCategory.model_validate(
            {
                "label": LABEL,
                "retention": {"for": "P1Y", "from": "analysed", "then": "anonymise"},
            }
        ),
    }
    crm = registry.systems["crm"]
    tables = {
        **crm.tables,
        "payment": Table(
            belongs_to=ParentLink(table="client", column="client_id"),
            events={"transaction": "paid_at"},
            columns={
                "card_number": "card",
                "card_holder": "card",
                "amount": "accounting",
                "paid_at": "accounting",
            },
            erase={"row": True},  # type: ignore[arg-type]
        ),
        "call_analysis": Table(
            belongs_to=ParentLink(table="client", column="client_id"),
            events={"analysed": "analysed_at"},
            columns={"transcript": "call_analysis", "analysed_at": "call_analysis"},
            erase={"row": True},  # type: ignore[arg-type]
        ),
    }
    crm = crm.model_copy(update={"tables": tables})
    return registry.model_copy(update={"data": data, "systems": {**registry.systems, "crm": crm}})


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> dict[str, Any]:
    registry = with_categories(registry_on(db_url))
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(db_url)
    insert(  # running contracts: every client row stays
        engine,
        "client",
        [{"id": n, "email": f"c{n}@example.fr", "phone": f"+3360000000{n}"} for n in (1, 2, 3)],
    )
    insert(
        engine,
        "payment",
        [
            # paid 14 months ago: the card goes, the invoice stays
            {"id": 1, "client_id": 1, "card_number": "4970101234567890", "card_holder": "A",
             "amount": "99.00", "paid_at": datetime(2025, 9, 1)},
            # paid last month: within the 13 months
            {"id": 2, "client_id": 1, "card_number": "4970109999999999", "card_holder": "A",
             "amount": "49.00", "paid_at": datetime(2026, 10, 1)},
            # paid 14 months ago by a client under a legal hold
            {"id": 3, "client_id": 2, "card_number": "4970105555555555", "card_holder": "B",
             "amount": "10.00", "paid_at": datetime(2025, 9, 1)},
            # no transaction date: nothing says the card's period has ended
            {"id": 4, "client_id": 3, "card_number": "4970107777777777", "card_holder": "C",
             "amount": "5.00", "paid_at": None},
        ],
    )  # fmt: skip
    insert(
        engine,
        "call_analysis",
        [
            {"id": 1, "client_id": 1, "transcript": "t1", "analysed_at": datetime(2025, 10, 1)},
            {"id": 2, "client_id": 3, "transcript": "t2", "analysed_at": datetime(2026, 6, 1)},
        ],
    )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return {"registry": registry, "engine": engine, "store": store}


def rows(engine: sa.Engine, table: str, *columns: str) -> dict[int, tuple[Any, ...]]:
    with engine.connect() as conn:
        found = conn.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}"))
        return {r[0]: tuple(r[1:]) for r in found}


def test_a_card_number_is_cleared_13_months_after_the_transaction_while_the_invoice_stays(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    clock = FixedClock(NOW)
    holds.place(
        store, clock, actor="dpo", reason="dispute", case="RG 26/9", rows=("crm", "client", ("2",))
    )
    outcome = job.run(registry, store, clock, NOW, actor="test", batch_size=1)

    assert rows(engine, "payment", "card_number", "card_holder", "amount") == {
        1: (None, None, "99.00"),  # the invoice stays, with its amount and date
        2: ("4970109999999999", "A", "49.00"),
        3: ("4970105555555555", "B", "10.00"),  # held through its client (R-RET-05)
        4: ("4970107777777777", "C", "5.00"),
    }
    assert {r[0] for r in rows(engine, "client", "email").values()} >= {"c1@example.fr"}
    [card, archived] = [r for r in outcome.report.results if r.action.category == "card"]
    assert archived.action.stage.value == "archive"  # the client rule has an archive phase
    assert (card.action.label, card.rows, card.held) == (
        "crm.payment: clear card (card_holder, card_number)",
        1,
        1,
    )


def test_call_analysis_is_anonymised_after_a_year_and_never_touched_twice(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    # The event's date drives the rule: it stays, so the row is recognised as cleared.
    assert rows(engine, "call_analysis", "transcript") == {1: (ANONYMISED,), 2: ("t2",)}
    again = job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    assert again.report.total_rows == 0


def test_plan_counts_of_column_rules_match_the_run(world: dict[str, Any]) -> None:
    registry, store = world["registry"], world["store"]
    _, planned = job.plan(registry, store, NOW)
    outcome = job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    assert [(p.rows, p.held) for p in planned] == [(r.rows, r.held) for r in outcome.report.results]
    assert (
        sum(r.rows for r in outcome.report.results if r.action.category) == 3
    )  # two cards, one analysis


def test_the_policy_writes_erasures_placeholder() -> None:
    assert POLICY_PLACEHOLDER == ANONYMISED
