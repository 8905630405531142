"""Identifiers as tables really store them (issue 10 §2), on SQLite, PostgreSQL and MariaDB:
capitals, spaces, national and international telephone formats are the same person; a near
miss (LIKE wildcards, an accent, one digit, a longer domain) is nobody."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gardien.rights.locate import PersonLocation, locate
from tests.rights.conftest import World

PAUL = {"email": "paul.durand@exemple.fr", "phone": "+33612345611"}
TYPED = ("06 12 34 56 11", "0033612345611", "+33 (0)6 12 34 56 11")


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


def test_stored_forms_are_the_person_and_near_misses_are_nobody(world: World) -> None:
    # One world for every situation: building it is most of the test's time.
    _paul_as_stored(world)
    _near_misses(world)
    _add(world, "crm", "trusted_person", [
        {"id": 100040, "first_name": "Q", "last_name": "Quote", "phone": "06'12 34 56 11"},
    ])  # fmt: skip
    people = [
        ("paul", PAUL),
        *((f"typed-{i}", {"phone": typed}) for i, typed in enumerate(TYPED)),
        # LIKE wildcards typed by someone else: '_' and '%' are ordinary characters.
        ("wildcard", {"email": "paul_durand@exemple.fr"}),
        ("percent", {"email": "paul%@exemple.fr"}),
        ("shorter", {"email": "paul.durand@exemple.f"}),
    ]
    found = locate(world.registry, people, world.connectors)

    # An access request finds the client row with capitals and the trusted person with spaces.
    paul = found["paul"]
    assert _keys(paul, "client") == [100020]
    assert paul.rows("crm", "client")[0].matched == ("email", "phone")
    assert _keys(paul, "trusted_person") == [100020]  # not 100040, whose number holds a quote
    assert _keys(paul, "prospect") == [100020]  # not the accent, longer-domain or digit rows
    assert _keys(paul, "call_recording", "telephony") == [100020]
    # The rows are given as stored: the answer shows the person their data, not gardien's form.
    assert paul.rows("crm", "client")[0].values["email"] == "Paul.Durand@Exemple.FR"

    # Whatever form the person types their number in.
    for i, typed in enumerate(TYPED):
        assert _keys(found[f"typed-{i}"], "trusted_person") == [100020], typed
        assert _keys(found[f"typed-{i}"], "call_recording", "telephony") == [100020], typed

    for other in ("wildcard", "percent", "shorter"):
        assert not found[other].found, (other, found[other].summary())
