"""A server built with settings whose secret key differs from the process's environment writes
every digest with the settings' key (issue 9 §7): the request's identifiers in the audit
trail, a hold on a person, the consent ledger and the suppression list. Before, the key was
read from the environment in seven places, so such a server wrote digests with two keys; and
the one-time code went to the environment's outbox, not the settings'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from gardien.consent.keys import SubjectKey
from gardien.identity import normalise
from gardien.server.app import create_app
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store
from gardien.store.schema import audit_event
from gardien.store.schema_consent import consent_event_subject, suppression
from tests.api.conftest import EXAMPLE, NOW

SETTINGS_KEY = "s" * 48
ENVIRONMENT_KEY = "e" * 48
EMAIL = "jeanne.martin@example.fr"
PHONE = "+33612345678"


def test_every_digest_is_written_with_the_settings_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = f"sqlite:///{tmp_path / 'systems.db'}"
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems)
    monkeypatch.setenv("GARDIEN_SECRET_KEY", ENVIRONMENT_KEY)
    monkeypatch.setenv("GARDIEN_OUTBOX", str(tmp_path / "environment-outbox"))
    store_url = f"sqlite:///{tmp_path / 'gardien.db'}"
    settings = Settings(
        database_url=store_url,
        registry=EXAMPLE,
        env="dev",
        secret_key=SETTINGS_KEY,
        outbox=tmp_path / "settings-outbox",
    )
    engine = open_store(store_url, settings.keys)
    from gardien.clock import FixedClock

    _, token = accounts.create(engine, FixedClock(NOW), name="dpo", role="dpo", actor="test")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, clock=FixedClock(NOW))) as client:
        filed = client.post(
            "/api/v1/requests",
            json={"kind": "access", "identity": {"email": EMAIL, "phone": PHONE}},
            headers=headers,
        )
        assert filed.status_code == 201, filed.text
        assert filed.json()["code"] is not None
        held = client.post(
            "/api/v1/holds", json={"subject": {"phone": PHONE}, "reason": "litigation"},
            headers=headers,
        )  # fmt: skip
        assert held.status_code == 201, held.text
        objected = client.post(
            "/api/v1/consent/events",
            json={"identity": {"email": EMAIL}, "activity": "prospecting",
                  "kind": "objection-prospecting"},
            headers=headers,
        )  # fmt: skip
        assert objected.status_code == 201, objected.text

    ours, theirs = SubjectKey(SETTINGS_KEY.encode()), SubjectKey(ENVIRONMENT_KEY.encode())
    email, phone = normalise("email", EMAIL), normalise("phone", PHONE)
    with engine.connect() as conn:
        events = {
            row.action: json.loads(row.details)
            for row in conn.execute(sa.select(audit_event.c.action, audit_event.c.details))
        }
        ledger = set(conn.execute(sa.select(consent_event_subject.c.digest)).scalars())
        suppressed = set(conn.execute(sa.select(suppression.c.digest)).scalars())
    assert events["request.submit"]["identity"] == {
        "email": ours.digest("email", email)[:16],
        "phone": ours.digest("phone", phone)[:16],
    }
    assert events["hold.placed"]["covers"] == f"person phone#{ours.digest('phone', phone)[:16]}"
    assert ledger == {ours.digest("email", email)} == suppressed
    assert theirs.digest("email", email) not in ledger | suppressed
    # The one-time code went through the settings' notifier, not the environment's outbox.
    assert list((tmp_path / "settings-outbox").glob("*.eml"))
    assert not (tmp_path / "environment-outbox").exists()
