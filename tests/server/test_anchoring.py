"""The server anchors the audit trail's head when it starts and when it stops (issue 9 §5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from gardien.audit.chain import NewEvent
from gardien.clock import FixedClock
from gardien.server.app import create_app
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import accounts, audit
from gardien.store.database import open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def test_the_server_anchors_at_start_and_at_stop_and_verify_uses_it(tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gardien.db'}",
        registry=EXAMPLE,
        audit_key="the server's audit key",
        audit_anchor_file=anchors,
    )
    clock = FixedClock(NOW)
    engine = open_store(settings.database_url, settings.keys)
    _, token = accounts.create(
        engine, clock, name="auditor@test", role=Role.AUDITOR.value, actor="t"
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        started = [json.loads(line)["seq"] for line in anchors.read_text().splitlines()]
        audit.record(engine, clock, NewEvent("dpo", "hold.placed", "hold:1"))
        checked = client.get(
            "/api/v1/audit/verify", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert checked["ok"] and checked["anchored_seq"] == started[-1]
    stopped = [json.loads(line)["seq"] for line in anchors.read_text().splitlines()]
    head = audit.head(engine)[0]
    assert len(started) == 1 and stopped == [*started, head] and head > started[0]
