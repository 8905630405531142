"""``gardien systems check`` on identity columns (issue 10 §2): how many stored values are not
in normal form, masked examples, and the index to create — then nothing once it exists."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.cli.test_retention_cli import env, invoke

__all__ = ["env"]


def _untidy(env: dict[str, str]) -> None:
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE client SET email = upper(email) WHERE id % 2 = 0"))
        conn.execute(sa.text("UPDATE trusted_person SET phone = '06 12 34 56 78'"))
    engine.dispose()


def test_systems_check_counts_untidy_identifiers_and_prints_the_index(
    env: dict[str, str],
) -> None:
    _untidy(env)
    code, output = invoke(env, "systems", "check", "--json")
    assert code == 0
    columns = {c["column"]: c for c in json.loads(output)["crm"]["identity_columns"]}
    email = columns["crm.client.email"]
    assert email["normaliser"] == "email" and email["sampled"] > 0
    assert 0 < email["not_canonical"] < email["sampled"]
    # Masked: the first letter and the domain, enough to recognise the habit, not to copy.
    assert email["examples"] and all(e[1:3] == "…@" for e in email["examples"])
    assert email["advised_index"] == [
        "CREATE INDEX gardien_client_email_norm ON client ((lower(trim(email))));"
    ]
    phone = columns["crm.trusted_person.phone"]
    assert phone["normaliser"] == "phone" and phone["not_canonical"] == phone["sampled"]
    assert phone["examples"][0] == "06 …78"
    assert "CASE WHEN" in phone["advised_index"][0]
    code, text = invoke(env, "systems", "check")
    assert "not in normal form" in text and "advised index" in text


def test_systems_check_advises_nothing_once_the_index_exists(env: dict[str, str]) -> None:
    code, output = invoke(env, "systems", "check", "--json")
    statements = [
        s
        for c in json.loads(output)["crm"]["identity_columns"]
        if c["column"] == "crm.client.email"
        for s in c["advised_index"]
    ]
    engine = sa.create_engine(env["IMA_PROTECT_CRM_URL"])
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()
    code, output = invoke(env, "systems", "check", "--json")
    columns = {c["column"]: c for c in json.loads(output)["crm"]["identity_columns"]}
    assert code == 0 and columns["crm.client.email"]["advised_index"] == []
    assert columns["crm.client.phone"]["advised_index"]  # the others are still advised
