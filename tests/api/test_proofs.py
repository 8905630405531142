"""Issue 9 §1 through the API: the code confirmed for one's own e-mail does not open somebody
else's phone; an attestation naming the phone (``identifiers``) does."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from gardien.server.permissions import Role
from tests.api.conftest import Api

OWN_EMAIL = "mallory@evil.example"


def victim(api: Api) -> tuple[str, int]:
    """A phone the systems hold, and how many rows of every phone table hold it."""
    engine = sa.create_engine(api.systems_url)
    with engine.connect() as conn:
        phone = conn.execute(
            sa.text("SELECT phone FROM client WHERE phone IS NOT NULL ORDER BY id LIMIT 1")
        ).scalar_one()
        rows = conn.execute(
            sa.text("SELECT count(*) FROM client WHERE phone = :p"), {"p": phone}
        ).scalar_one()
    engine.dispose()
    return str(phone), int(rows)


def confirmed(api: Api, outbox: Path, phone: str) -> str:
    agent = api.headers(Role.AGENT)
    created = api.client.post(
        "/api/v1/requests",
        json={"kind": "access", "identity": {"email": OWN_EMAIL, "phone": phone}},
        headers=agent,
    ).json()
    request_id = str(created["request"]["id"])
    newest = max((p for p in outbox.rglob("*") if p.is_file()), key=lambda p: p.stat().st_mtime)
    match = re.search(r"code : (\d{6})", newest.read_text())
    assert match
    verified = api.client.post(
        f"/api/v1/requests/{request_id}/verify", json={"code": match[1]}, headers=agent
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["proofs"]["email"]["method"] == "code" and body["not_searched"] == ["phone"]
    return request_id


def test_the_code_opens_the_email_only_and_an_attestation_opens_the_phone(
    api: Api, tmp_path: Path
) -> None:
    phone, held = victim(api)
    assert held
    agent = api.headers(Role.AGENT)
    request_id = confirmed(api, tmp_path / "outbox", phone)
    ran = api.client.post(f"/api/v1/requests/{request_id}/run", json={"pdf": False}, headers=agent)
    assert ran.status_code == 200, ran.text
    outcome = ran.json()
    assert outcome["state"] == "partially_refused"
    assert outcome["result"]["found"] is False and outcome["result"]["tables"] == {}
    assert outcome["result"]["identifiers"]["not_searched"][0]["identifier"] == "phone"
    assert phone not in ran.text

    second = confirmed(api, tmp_path / "outbox", phone)
    attested = api.client.post(
        f"/api/v1/requests/{second}/verify",
        json={"attestation": "passport checked by A. Martin", "identifiers": ["phone"]},
        headers=agent,
    )
    assert attested.status_code == 200, attested.text
    assert attested.json()["proofs"]["phone"]["method"] == "attestation"
    assert attested.json()["not_searched"] == []
    ran = api.client.post(f"/api/v1/requests/{second}/run", json={"pdf": False}, headers=agent)
    assert ran.json()["state"] == "completed" and ran.json()["result"]["found"] is True


def test_identifiers_belong_to_an_attestation(api: Api, tmp_path: Path) -> None:
    phone, _ = victim(api)
    request_id = confirmed(api, tmp_path / "outbox", phone)
    answer = api.client.post(
        f"/api/v1/requests/{request_id}/verify",
        json={"attestation": "passport checked", "identifiers": ["ip_address"]},
        headers=api.headers(Role.AGENT),
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "unknown_identifier" and "ip_address" in error["message"]
    assert error["details"]["field"] == "identifiers"
