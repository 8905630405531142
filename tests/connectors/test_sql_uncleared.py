"""A category rule's ``Uncleared``: SQL selects what the evaluator selects (issue 10 §6).

Rows whose columns are already NULL, or already hold anonymise's placeholder in a text column,
are not selected again; a number column is cleared to NULL, so only NULL counts as cleared."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from gardien.connectors.sql import SqlConnector
from gardien.retention.conditions import Uncleared, evaluate
from gardien.retention.policy import ANONYMISED


def test_rows_already_cleared_are_not_selected_again() -> None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table(
        "payment",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card", sa.String),
        sa.Column("score", sa.Integer),
    )
    table.metadata.create_all(engine)
    values = itertools.product([None, ANONYMISED, "4970"], [None, 7])
    rows = [{"id": i, "card": c, "score": s} for i, (c, s) in enumerate(values, start=1)]
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    connector = SqlConnector("db", "sqlite://", engine=engine)
    reflected = connector.table("payment")
    for placeholder in (None, ANONYMISED):
        condition = Uncleared(("card", "score"), placeholder)
        compiled = connector.compile(condition, reflected)
        with engine.connect() as conn:
            selected = {r[0] for r in conn.execute(sa.select(reflected.c.id).where(compiled))}
        expected = {row["id"] for row in rows if evaluate(condition, row)}
        assert selected == expected, placeholder
    # the only row left alone under anonymise: placeholder in the text, NULL in the number
    assert {r["id"] for r in rows if not evaluate(Uncleared(("card", "score"), ANONYMISED), r)} == {
        1,
        3,
    }
