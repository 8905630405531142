"""Rectification (Art. 16, R-RGT-02): fields named by column or category, refused by name when
unknown, before/after as keyed digests only; on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.consent.keys import SubjectKey
from gardien.jobs.rectification import rectify
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.rights.erasure import LocatedRow
from gardien.rights.rectification import RectificationRefused, plan_rectification, value_digest
from gardien.store import audit
from gardien.store.schema import audit_event
from tests.rights.test_erasure_sql import CLIENT, EXAMPLE, NOW, TRUSTED, World, build

KEY = SubjectKey(b"rectification-test-key")
TRAP = "O'Brien-Dupré\"; DROP TABLE client;-- 🔑"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(EXAMPLE, environ={})


def client_rows() -> list[LocatedRow]:
    return [
        LocatedRow("crm", "client", 1, False, {"id": 1, "last_name": "Martin", **CLIENT}),
        LocatedRow("crm", "client", 9, True, {"id": 9, "last_name": "Martin", **CLIENT}),
        LocatedRow("crm", "prospect", 4, False, {"id": 4, "last_name": "Martn", **CLIENT}),
    ]


def test_a_column_is_rectified_in_every_table_of_the_person(registry: Registry) -> None:
    plan = plan_rectification(registry, "r", client_rows(), {"last_name": "Martin"}, key=KEY)
    assert [(s.table, s.keys, dict(s.constants)) for s in plan.steps] == [
        ("client", (1,), {"last_name": "Martin"}),
        ("prospect", (4,), {"last_name": "Martin"}),
    ]
    client, prospect = plan.outcome.changes
    assert (client.where, client.rows, client.archived_rows) == ("crm.client.last_name", 1, 1)
    assert prospect.before == (value_digest(KEY, "Martn"),)
    assert prospect.after == value_digest(KEY, "Martin")


def test_a_qualified_field_is_rectified_only_there(registry: Registry) -> None:
    plan = plan_rectification(registry, "r", client_rows(), {"crm.client.last_name": "X"}, key=KEY)
    assert [s.table for s in plan.steps] == ["client"]
    plan = plan_rectification(registry, "r", client_rows(), {"prospect.last_name": "X"}, key=KEY)
    assert [s.table for s in plan.steps] == ["prospect"]


def test_a_category_with_one_column_names_it(registry: Registry) -> None:
    rows = [LocatedRow("crm", "trusted_person", 3, False, {"id": 3, **TRUSTED})]
    plan = plan_rectification(registry, "r", rows, {"contact": "06 12 34 56 78"}, key=KEY)
    [step] = plan.steps
    assert dict(step.constants) == {"phone": "+33612345678"}  # stored in normal form


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"shoe_size": "42"},
            r"shoe_size: no table .* declares such a field \(fields there: crm.client",
        ),
        (
            {"crm.client.shoe_size": "42"},
            r"crm.client.shoe_size is not a declared column of crm.client",
        ),
        ({"crm.nowhere.name": "x"}, r"crm.nowhere.name: no such table"),
        (
            {"identity": "x"},
            r"identity is held in several columns of crm.client \(crm.client.first_name",
        ),
        ({"trusted_person.phone": "+33611111111"}, r"the person has no data in crm.trusted_person"),
        (
            {"email": "not an address"},
            r"crm.client.email: email: 'not an address' is not an e-mail",
        ),
        ({}, r"no field to rectify"),
    ],
)
def test_wrong_fields_are_refused_by_name(
    registry: Registry, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(RectificationRefused, match=message):
        plan_rectification(registry, "r", client_rows(), fields, key=KEY)


def test_a_column_missing_from_the_database_is_refused(registry: Registry) -> None:
    existing = {("crm", "client"): {"id", "email"}, ("crm", "prospect"): {"id", "last_name"}}
    with pytest.raises(
        RectificationRefused, match=r"crm\.client\.last_name is declared but the database"
    ):
        plan_rectification(
            registry, "r", client_rows(), {"last_name": "X"}, key=KEY, existing_columns=existing
        )


# --- on the databases ---------------------------------------------------------------------


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    built = build(db_url, tmp_path)
    yield built
    for connector in built.connectors.values():
        connector.dispose()


def run(world: World, fields: dict[str, str]) -> Any:
    return rectify(
        world.registry,
        world.store,
        FixedClock(NOW),
        "r-rect",
        world.rows_of("r-rect", CLIENT),
        fields,
        world.connectors,
        actor="dpo",
        key=KEY,
    )


def trail(world: World) -> str:
    with world.store.connect() as conn:
        return json.dumps([r.details for r in conn.execute(sa.select(audit_event.c.details))])


def test_unicode_and_sql_metacharacters_are_stored_as_given(world: World) -> None:
    outcome = run(world, {"last_name": TRAP, "email": "Jean.Martin@Exämple.FR"})
    assert world.row("client", 1)["last_name"] == TRAP
    assert world.row("prospect", 1)["last_name"] == TRAP
    assert world.row("client", 1)["email"] == "jean.martin@exämple.fr"
    assert world.keys("client") == {1}  # the table is still there, with its one row
    changes = {c.where: c for c in outcome.changes}
    assert changes["crm.client.last_name"].after == value_digest(KEY, TRAP)
    assert changes["crm.client.email"].before == (value_digest(KEY, CLIENT["email"]),)
    assert outcome.recipients == ("field-providers", "it-processors", "prescriber")  # Art. 19
    # The trail holds digests: neither the old nor the new values.
    text = trail(world)
    for value in ("Martin", "O'Brien", "jean.martin@x.fr", "exämple"):
        assert value not in text
    assert value_digest(KEY, TRAP) in text
    assert audit.verify_trail(world.store).ok
    # The person is found again by the rectified, normalised address.
    assert {r.table for r in world.rows_of("again", {"email": "jean.martin@exämple.fr"})} >= {
        "client",
        "prospect",
    }


def test_rectifying_twice_reaches_the_same_state(world: World) -> None:
    run(world, {"crm.client.last_name": "Dupont"})
    first = world.row("client", 1)
    run(world, {"crm.client.last_name": "Dupont"})
    assert world.row("client", 1) == first
    assert world.row("prospect", 1)["last_name"] == "Martin"  # only where it was named


def test_one_bad_field_changes_nothing(world: World) -> None:
    before = world.row("client", 1)
    with pytest.raises(RectificationRefused, match=r"crm\.client\.shoe_size"):
        run(world, {"last_name": "Dupont", "crm.client.shoe_size": "42"})
    assert world.row("client", 1) == before


def test_a_date_column_takes_an_iso_date(world: World) -> None:
    run(world, {"crm.client.contract_ended_on": "2026-06-01"})
    assert str(world.row("client", 1)["contract_ended_on"])[:10] == "2026-06-01"
