"""The SQL image of each normaliser is its Python image, on SQLite, PostgreSQL and MariaDB
(issue 10 §2): the database sieves with the expression, gardien decides with the Python, and
a difference would lose rows (or, for a hold, protect the wrong ones). The advised index is
the one the look-up uses."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.connectors.sql import SqlConnector
from gardien.connectors.sql import normalise as sql_normalise
from gardien.connectors.sql.compile import compile_condition
from gardien.registry.normalisers import ColumnNormaliser, Normaliser, PhonePlan
from gardien.retention.conditions import NormalisedIn, evaluate

FR = PhonePlan.for_region("FR")

STORED = [
    "06 12 34 56 78",
    "+33 6 12 34 56 78",
    "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "(06) 12/34/56/78",
    "06\u00a012\u00a034\u00a056\u00a078",  # no-break spaces (French typography)
    "06\u202f12\u202f34\u202f56\u202f78",  # narrow no-break spaces
    "\t0612345678",
    "+33612345678",
    "+33612345679",
    "0044 20 7946 0958",
    "0",
    "00",
    "+330",
    "",
    "   ",
    " Paul.Durand@Exemple.FR ",
    "PAUL.DURAND@EXEMPLE.FR",
    "paul_durand@exemple.fr",
    "paul%@exemple.fr",
    "C-001 234",
    "o'brien\"; DROP TABLE person;--",
]
ACCENTED = ["ÉLODIE@EXEMPLE.FR", "élodie@exemple.fr", "elodie@exemple.fr", "Zoë@Exämple.fr"]


def _person(db_url: str, values: list[str]) -> tuple[SqlConnector, list[dict[str, Any]]]:
    engine = sa.create_engine(db_url)
    table = sa.Table(
        "person_norm",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ident", sa.String(320)),
    )
    table.metadata.create_all(engine)
    rows = [{"id": i, "ident": v} for i, v in enumerate([*values, None], start=1)]
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    return SqlConnector("db", db_url, engine=engine), rows


def _values(db_url: str) -> list[str]:
    # SQLite's lower() folds ASCII only: non-ASCII capitals are left to PostgreSQL and MariaDB
    # (docs/identity.md says so).
    return STORED + ([] if db_url.startswith("sqlite") else ACCENTED)


def test_the_database_normalises_every_stored_form_as_gardien_does(db_url: str) -> None:
    connector, rows = _person(db_url, _values(db_url))
    rules = [ColumnNormaliser(name, FR) for name in Normaliser]
    table = connector.table("person_norm")
    expressions = (sql_normalise.expression(table.c.ident, rule) for rule in rules)
    with connector.engine.connect() as conn:
        got = {r[0]: r[1:] for r in conn.execute(sa.select(table.c.id, *expressions))}
    for row in rows:
        for rule, value in zip(rules, got[row["id"]], strict=True):
            expected = None if row["ident"] is None else rule.apply(row["ident"])
            assert value == expected, (db_url.split(":")[0], rule.name, row["ident"])
    connector.dispose()


@pytest.mark.parametrize("name", [Normaliser.EMAIL, Normaliser.PHONE])
def test_a_hold_condition_selects_what_the_evaluator_selects_accents_included(
    db_url: str, name: Normaliser
) -> None:
    connector, rows = _person(db_url, _values(db_url))
    rule = ColumnNormaliser(name, FR)
    table = connector.table("person_norm")
    wanted = ("+33612345678", "paul.durand@exemple.fr", "elodie@exemple.fr", "paul_durand@x.fr")
    condition = NormalisedIn("ident", rule, tuple(rule.apply(v) for v in wanted))
    with connector.engine.connect() as conn:
        selected = set(
            conn.execute(
                sa.select(table.c.id).where(compile_condition(connector, condition, table))
            ).scalars()
        )
    assert selected == {r["id"] for r in rows if evaluate(condition, r)}
    assert selected  # the property is not vacuous
    connector.dispose()


def test_the_advised_index_is_the_one_the_look_up_uses(db_url: str) -> None:
    connector, _rows = _person(db_url, STORED * 20)
    rule = ColumnNormaliser(Normaliser.PHONE, FR)
    dialect = connector.engine.dialect
    with connector.engine.begin() as conn:
        for statement in sql_normalise.index_ddl(dialect, "person_norm", "ident", rule):
            conn.exec_driver_sql(statement)
    connector.forget_table("person_norm")
    found = connector.read_matching(
        "person_norm", {"ident": ["+33612345678"]}, normalisers={"ident": rule}
    )
    assert found and all(rule.apply(r["ident"]) == "+33612345678" for r in found)
    assert all(not sql_normalise.is_generated(c) for r in found for c in r)
    table = connector.table("person_norm")
    query = sa.select(table.c.id).where(
        sql_normalise.looked_up(table, table.c.ident, rule).in_(["+33612345678"])
    )
    text = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    index = sql_normalise.index_name("person_norm", "ident")
    with connector.engine.connect() as conn:
        if dialect.name == "sqlite":
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {text}"))
        elif dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN {text}"))
        else:
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN {text}"))
    assert index in plan, plan
    connector.dispose()


def test_an_integer_identifier_keeps_its_plain_index(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    table = sa.Table(
        "member_norm",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("member_number", sa.Integer, index=True),
    )
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            table.insert(), [{"id": 1, "member_number": 123}, {"id": 2, "member_number": 7}]
        )
    connector = SqlConnector("db", db_url, engine=engine)
    rule = ColumnNormaliser(Normaliser.TRIM, FR)  # the default for a kind other than e-mail, phone
    found = connector.read_matching(
        "member_norm", {"member_number": ["123"]}, normalisers={"member_number": rule}
    )
    assert [r["id"] for r in found] == [1]
    assert connector.advised_index("member_norm", "member_number", rule) == []
    reflected = connector.table("member_norm")
    assert not sql_normalise.needs_expression(reflected.c.member_number, rule)
    connector.dispose()


_ALPHABET = "0123456789+ .-()/\t\u00a0\u202fabcAB@_%'é"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(_ALPHABET, max_size=16), min_size=1, max_size=30))
def test_any_stored_text_is_normalised_alike_in_sqlite_and_in_python(values: list[str]) -> None:
    # One statement per example over every normaliser: the SQL image is the Python image.
    engine = sa.create_engine("sqlite://")
    connector = SqlConnector("db", "sqlite://", engine=engine)
    table = sa.Table("v", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("t", sa.String))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "t": v} for i, v in enumerate(values)])
        rules = [ColumnNormaliser(name, FR) for name in Normaliser]
        query = sa.select(table.c.id, *(sql_normalise.expression(table.c.t, r) for r in rules))
        for row in conn.execute(query):
            for rule, got in zip(rules, row[1:], strict=True):
                assert got == rule.apply(values[row[0]]), (rule.name, values[row[0]])
    connector.dispose()
