"""A few API paths on a PostgreSQL store: the autocommit read pool, the request flow, audit."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gardien.server.permissions import Role
from tests.api.conftest import Api, build_api


@pytest.fixture
def pg_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> Iterator[Api]:
    yield from build_api(tmp_path, monkeypatch, postgres_url, f"sqlite:///{tmp_path / 's.db'}")


def test_consent_checks_read_what_was_just_written(pg_api: Api) -> None:
    agent = pg_api.headers(Role.AGENT)
    person = {"email": "jeanne@example.fr"}
    query = {"identity": person, "activity": "prospecting"}
    assert pg_api.client.post("/api/v1/consent/status", json=query, headers=agent).json()["allowed"]
    recorded = pg_api.client.post(
        "/api/v1/consent/events", json={**query, "kind": "objection-prospecting"}, headers=agent
    )
    assert recorded.status_code == 201, recorded.text
    after = pg_api.client.post("/api/v1/consent/status", json=query, headers=agent).json()
    assert after["allowed"] is False
    check = pg_api.client.post(
        "/api/v1/suppression/check", json={"identity": person}, headers=agent
    ).json()
    assert check["suppressed"] is True


def test_access_request_flow_and_audit_on_postgresql(pg_api: Api) -> None:
    agent = pg_api.headers(Role.AGENT)
    created = pg_api.client.post(
        "/api/v1/requests",
        json={"kind": "access", "identity": {"email": pg_api.a_client_email()}, "send_code": False},
        headers=agent,
    ).json()["request"]
    verified = pg_api.client.post(
        f"/api/v1/requests/{created['id']}/verify",
        json={"attestation": "passport checked"},
        headers=agent,
    )
    assert verified.status_code == 200, verified.text
    ran = pg_api.client.post(f"/api/v1/requests/{created['id']}/run", headers=agent)
    assert ran.json()["state"] == "completed", ran.text
    exported = pg_api.client.get(f"/api/v1/requests/{created['id']}/export", headers=agent)
    with zipfile.ZipFile(io.BytesIO(exported.content)) as package:
        assert package.namelist()
    verify = pg_api.client.get("/api/v1/audit/verify", headers=pg_api.headers(Role.AUDITOR))
    assert verify.json()["ok"] is True
    forbidden = pg_api.client.get(
        f"/api/v1/requests/{created['id']}/export", headers=pg_api.headers(Role.AUDITOR)
    )
    assert forbidden.status_code == 403
