"""``POST /api/v1/holds`` with ``their_identifiers``: a hold on a person's e-mail also covers the
phone of their client row, stored on the hold and shown (issue 10 §3); without it, only the
identifier given."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gardien.clock import FixedClock
from gardien.server.app import create_app
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store
from tests.api.conftest import EXAMPLE, NOW
from tests.rights.conftest import JEAN, build_world


def test_a_hold_on_an_email_with_their_identifiers_also_covers_the_client_rows_phone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = f"sqlite:///{tmp_path / 'systems.db'}"
    world = build_world(systems, people=3)
    for connector in world.connectors.values():
        connector.dispose()
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems)
    store_url = f"sqlite:///{tmp_path / 'gardien.db'}"
    settings = Settings(database_url=store_url, registry=EXAMPLE, env="dev", secret_key="k" * 48)
    engine = open_store(store_url, settings.keys)
    _, token = accounts.create(engine, FixedClock(NOW), name="dpo", role="dpo", actor="test")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, clock=FixedClock(NOW))) as client:
        plain = client.post(
            "/api/v1/holds",
            json={"subject": {"email": JEAN["email"]}, "reason": "litigation"},
            headers=headers,
        )
        assert plain.status_code == 201, plain.text
        assert plain.json()["also_covers"] == []
        wide = client.post(
            "/api/v1/holds",
            json={
                "subject": {"email": JEAN["email"]},
                "reason": "litigation",
                "their_identifiers": True,
            },
            headers=headers,
        )
        assert wide.status_code == 201, wide.text
        covers = {c["identifier"]: c for c in wide.json()["also_covers"]}
        assert covers["phone"]["value"] == JEAN["phone"]
        assert "crm.client #100001" in covers["phone"]["found_in"]
        listed = client.get("/api/v1/holds", headers=headers).json()
        assert sorted(len(h["also_covers"]) for h in listed)[0] == 0
        assert any(h["also_covers"] for h in listed)  # read back from the store
