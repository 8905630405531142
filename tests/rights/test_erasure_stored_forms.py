"""Erasure of identifiers as tables store them (issue 10 §2), on SQLite, PostgreSQL and MariaDB:
the prospect whose e-mail is stored with capitals is erased, a near miss is not, and a
recording stored in national format is kept under a hold on the caller's number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gardien.clock import FixedClock
from gardien.store import holds
from tests.rights.test_erasure_sql import CALLER, NOW, PROSPECT, World, _insert, build


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    built = build(db_url, tmp_path)
    crm, telephony = built.connectors["crm"], built.connectors["telephony"]
    _insert(crm, "prospect", [
        {"id": 5, "last_name": "Petit", "email": " PIA@X.FR", "collected_at": datetime(2026, 3, 2)},
        {"id": 6, "last_name": "Autre", "email": "pía@x.fr", "collected_at": datetime(2026, 3, 2)},
        {"id": 7, "last_name": "Autre", "email": "pia@x.fr.com", "collected_at": datetime(2026, 3, 2)},
    ])  # fmt: skip
    _insert(telephony, "call_recording", [
        {"id": 5, "audio_uri": "s3://rec/5.ogg", "recorded_at": datetime(2025, 10, 1, 8, 0),
         "caller_number": "06 99 99 99 91"},
    ])  # fmt: skip
    yield built
    for connector in built.connectors.values():
        connector.dispose()


def test_an_erasure_finds_every_stored_form_and_a_hold_keeps_the_national_format(
    world: World,
) -> None:
    # The prospect whose e-mail is stored with capitals is erased with the others.
    run = world.erase("r-prospect", PROSPECT)
    assert run.outcome.complete and run.outcome.erased == 3
    # 1 and 3 are other people; 6 (an accent) and 7 (a longer domain) are near misses.
    assert world.keys("prospect") == {1, 3, 6, 7}

    # A hold on the caller's number keeps the recording stored in national format.
    holds.place(
        world.store, FixedClock(NOW), actor="dpo", reason="dispute over a call",
        case="RG 26/012", identity=("phone", CALLER["phone"]),
    )  # fmt: skip
    run = world.erase("r-caller", CALLER)
    recordings = {t.where: t for t in run.outcome.tables}["telephony.call_recording"]
    assert recordings.found == 4 and recordings.erased == 0
    assert {1, 2, 3, 5} <= world.keys("call_recording", "telephony")
