"""Identifiers as tables really store them (issue 10 §2), on SQLite, PostgreSQL and MariaDB:
capitals, spaces, national and international telephone formats are the same person; a near
miss (LIKE wildcards, an accent, one digit, a longer domain) is nobody."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from gardien.rights.locate import PersonLocation, locate
from tests.rights.conftest import World

PAUL = {"email": "paul.durand@exemple.fr", "phone": "+33612345611"}


def _add(world: World, system: str, table: str, rows: list[dict[str, Any]]) -> None:
    connector = world.connectors[system]
    with connector.engine.begin() as conn:
        target = connector.table(table)
        columns = {c for row in rows for c in row}
        conn.execute(target.insert(), [{c: row.get(c) for c in columns} for row in rows])


def _paul_as_stored(world: World) -> None:
    _add(world, "crm", "client", [
        {"id": 100020, "customer_number": "C100020", "first_name": "Paul",
         "last_name": "Durand", "email": "Paul.Durand@Exemple.FR", "phone": "+33 6 12 34 56 11"},
    ])  # fmt: skip
    _add(world, "crm", "trusted_person", [
        {"id": 100020, "first_name": "Paul", "last_name": "Durand", "phone": "06 12 34 56 11"},
    ])  # fmt: skip
    _add(world, "crm", "prospect", [
        {"id": 100020, "first_name": "Paul", "last_name": "Durand",
         "email": " PAUL.DURAND@exemple.fr ", "phone": None,
         "collected_at": dt.datetime(2026, 1, 5, 9, 0)},
    ])  # fmt: skip
    _add(world, "telephony", "call_recording", [
        {"id": 100020, "caller_number": "0033 6 12 34 56 11", "audio_uri": "s3://rec/p.ogg",
         "duration_s": "30", "recorded_at": dt.datetime(2026, 5, 3, 8, 0)},
    ])  # fmt: skip


def _near_misses(world: World) -> None:
    _add(world, "crm", "prospect", [
        {"id": 100030, "first_name": "A", "last_name": "Accent",
         "email": "paul.durand@exémple.fr", "collected_at": dt.datetime(2026, 1, 5)},
        {"id": 100031, "first_name": "A", "last_name": "Domain",
         "email": "paul.durand@exemple.fr.com", "collected_at": dt.datetime(2026, 1, 5)},
        {"id": 100032, "first_name": "A", "last_name": "Wildcard",
         "email": "paulxdurand@exemple.fr", "collected_at": dt.datetime(2026, 1, 5)},
        {"id": 100033, "first_name": "A", "last_name": "Digit",
         "email": None, "phone": "06 12 34 56 12", "collected_at": dt.datetime(2026, 1, 5)},
    ])  # fmt: skip


def _keys(location: PersonLocation, table: str, system: str = "crm") -> list[Any]:
    return [r.key for r in location.rows(system, table)]


def test_an_access_request_finds_the_client_with_capitals_and_the_trusted_person_with_spaces(
    world: World,
) -> None:
    _paul_as_stored(world)
    paul = locate(world.registry, [("paul", PAUL)], world.connectors)["paul"]
    assert _keys(paul, "client") == [100020]
    assert paul.rows("crm", "client")[0].matched == ("email", "phone")
    assert _keys(paul, "trusted_person") == [100020]
    assert _keys(paul, "prospect") == [100020]
    assert _keys(paul, "call_recording", "telephony") == [100020]
    # The rows are given as stored: the answer shows the person their data, not gardien's form.
    assert paul.rows("crm", "client")[0].values["email"] == "Paul.Durand@Exemple.FR"


def test_the_person_is_found_whatever_form_they_type_their_number_in(world: World) -> None:
    _paul_as_stored(world)
    for typed in ("06 12 34 56 11", "0033612345611", "+33 (0)6 12 34 56 11"):
        found = locate(world.registry, [("p", {"phone": typed})], world.connectors)["p"]
        assert _keys(found, "trusted_person") == [100020], typed
        assert _keys(found, "call_recording", "telephony") == [100020], typed


def test_near_misses_never_match(world: World) -> None:
    _paul_as_stored(world)
    _near_misses(world)
    people = [
        ("paul", PAUL),
        # LIKE wildcards typed by someone else: '_' and '%' are ordinary characters.
        ("wildcard", {"email": "paul_durand@exemple.fr"}),
        ("percent", {"email": "paul%@exemple.fr"}),
        ("plain", {"email": "paul.durand@exemple.f"}),  # a shorter domain
    ]
    found = locate(world.registry, people, world.connectors)
    assert _keys(found["paul"], "prospect") == [100020]  # not the accent, domain or digit rows
    for other in ("wildcard", "percent", "plain"):
        assert not found[other].found, (other, found[other].summary())


def test_a_stored_number_with_a_quote_in_it_matches_nobody(
    world: World,
) -> None:
    # A stored value the normaliser cannot make sense of is compared as it becomes, safely.
    _add(world, "crm", "trusted_person", [
        {"id": 100040, "first_name": "Q", "last_name": "Quote", "phone": "06'12 34 56 11"},
    ])  # fmt: skip
    paul = locate(world.registry, [("paul", PAUL)], world.connectors)["paul"]
    assert 100040 not in _keys(paul, "trusted_person")
    with world.connectors["crm"].engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM trusted_person")).scalar_one() > 0
