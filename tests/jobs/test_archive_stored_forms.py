"""An archive read by identifier finds every stored form of it, and only it (issue 10 §2)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gardien.clock import FixedClock
from gardien.connectors.sql import ARCHIVE_RUN, ARCHIVED_AT, SqlConnector
from gardien.jobs import archive
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_an_archive_read_by_email_finds_the_row_stored_with_capitals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'systems.db'}"
    registry = registry_on(url)
    create_system(registry, "crm", drop=True)
    crm = SqlConnector("crm", url)
    target = crm.ensure_archive("client")
    stamp = {ARCHIVED_AT: datetime(2026, 1, 1), ARCHIVE_RUN: "run-1", "restricted": False}
    with crm.engine.begin() as conn:
        conn.execute(
            target.insert(),
            [
                {"id": 1, "email": "Paul.Durand@Exemple.FR ", **stamp},
                {"id": 2, "email": "paul.durand@exémple.fr", **stamp},  # an accent: not him
                {"id": 3, "email": "paul_durand@exemple.fr", **stamp},  # no LIKE: not him
            ],
        )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    found = archive.read(
        registry,
        store,
        FixedClock(NOW),
        system="crm",
        table="client",
        where=("email", "paul.durand@exemple.fr"),
        reason="claim by the client",
        actor="dpo",
        connectors={"crm": crm},
    )
    assert [r["id"] for r in found.rows] == [1]
    assert found.rows[0]["email"] == "Paul.Durand@Exemple.FR "  # shown as stored
    crm.dispose()
