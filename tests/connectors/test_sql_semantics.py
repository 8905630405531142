"""The SQL compiler means what the reference evaluator means, NULLs included.

SQL's three-valued logic makes ``NOT (phone IN (…))`` unknown when phone is NULL, which would
silently keep rows out of a retention run; this property pins the two semantics together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.connectors.sql import SqlConnector
from gardien.holds.model import LegalHold
from gardien.retention.conditions import evaluate
from gardien.retention.policy import Stage, plan_retention
from tests.retention.test_policy_property import EVENTS, NOW, day, registry_with, rules

# Stored forms of the held address, and near misses (issue 10 §2): the hold compares normal forms.
emails = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "held@example.fr",
            "free@example.fr",
            " Held@EXAMPLE.fr ",
            "héld@example.fr",
            "held_@example.fr",
        ]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(rules(), min_size=1, max_size=3),
    st.lists(
        st.fixed_dictionaries({**{e: day for e in EVENTS}, "email": emails}),
        min_size=1,
        max_size=12,
    ),
)
def test_sql_selects_exactly_what_the_evaluator_selects(
    rule_list: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    registry = registry_with(rule_list)
    hold = LegalHold(
        "h",
        "litigation",
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
        "dpo",
        identity_kind="email",
        identity_value="held@example.fr",
    )
    plan = plan_retention(registry, NOW.replace(tzinfo=UTC), [hold])
    engine = sa.create_engine("sqlite://")
    table = sa.Table(
        "person",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String),
        *(sa.Column(e, sa.DateTime) for e in EVENTS),
    )
    table.metadata.create_all(engine)
    numbered = [{"id": i, **row} for i, row in enumerate(rows, start=1)]
    with engine.begin() as conn:
        conn.execute(table.insert(), numbered)
    connector = SqlConnector("db", "sqlite://", engine=engine)
    for action in plan.actions:
        if action.stage is not Stage.ACTIVE:
            continue
        reflected = connector.table("person")
        compiled = connector.compile(action.target, reflected)
        with engine.connect() as conn:
            selected = {r[0] for r in conn.execute(sa.select(reflected.c.id).where(compiled))}
        expected = {row["id"] for row in numbered if evaluate(action.target, row)}
        assert selected == expected, action.label
