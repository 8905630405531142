"""End to end through the real app: requests, consent, holds, retention, audit, publishing."""

from __future__ import annotations

import io
import json
import zipfile

from gardien.server.permissions import Role
from tests.api.conftest import Api


def test_access_request_from_creation_to_the_exported_zip(api: Api) -> None:
    agent = api.headers(Role.AGENT)
    email = api.a_client_email()
    created = api.client.post(
        "/api/v1/requests",
        json={"kind": "access", "identity": {"email": email}, "send_code": False},
        headers=agent,
    )
    assert created.status_code == 201, created.text
    request = created.json()["request"]
    assert request["state"] == "received"
    assert request["due"] == "2026-12-22"
    request_id = request["id"]

    verified = api.client.post(
        f"/api/v1/requests/{request_id}/verify",
        json={"attestation": "identity card checked by the agent"},
        headers=agent,
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "verified"

    ran = api.client.post(f"/api/v1/requests/{request_id}/run", json={}, headers=agent)
    assert ran.status_code == 200, ran.text
    assert ran.json()["state"] == "completed"
    assert ran.json()["result"]["found"] is True

    exported = api.client.get(f"/api/v1/requests/{request_id}/export", headers=agent)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as package:
        names = package.namelist()
        text = b"".join(package.read(n) for n in names if n.endswith((".json", ".csv")))
    assert names
    assert email.encode() in text

    shown = api.client.get(f"/api/v1/requests/{request_id}", headers=agent).json()
    assert shown["state"] == "completed"
    assert [e["action"] for e in shown["timeline"]][:2] == ["submit", "verify"]

    # The export is audited with the caller's name.
    events = api.client.get(
        "/api/v1/audit/events",
        params={"action": "request.package.exported"},
        headers=api.headers(Role.AUDITOR),
    ).json()
    assert [(e["actor"], e["target"]) for e in events] == [
        ("api:agent@test", f"request:{request_id}")
    ]


def test_one_time_code_goes_to_the_outbox_and_verifies(api: Api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    agent = api.headers(Role.AGENT)
    created = api.client.post(
        "/api/v1/requests",
        json={"kind": "erasure", "identity": {"email": "someone@example.fr"}},
        headers=agent,
    ).json()
    assert created["code"]["to"] == "s…@example.fr"
    assert created["request"]["state"] == "awaiting_identity"
    message = "".join(p.read_text() for p in (tmp_path / "outbox").rglob("*") if p.is_file())
    code = next(
        word.strip(".") for line in message.splitlines() if "code:" in line
        for word in line.split()[-1:]
    )  # fmt: skip
    wrong = api.client.post(
        f"/api/v1/requests/{created['request']['id']}/verify",
        json={"code": "000000x"},
        headers=agent,
    )
    assert wrong.status_code in (422,)
    right = api.client.post(
        f"/api/v1/requests/{created['request']['id']}/verify", json={"code": code}, headers=agent
    )
    assert right.status_code == 200, right.text
    assert right.json()["state"] == "verified"


def test_list_filters_and_decisions(api: Api) -> None:
    agent, dpo = api.headers(Role.AGENT), api.headers(Role.DPO)
    first = api.client.post(
        "/api/v1/requests",
        json={
            "kind": "access",
            "identity": {"email": "a@example.fr"},
            "received_at": "2026-09-01T09:00:00+00:00",
            "send_code": False,
        },
        headers=agent,
    ).json()["request"]
    second = api.client.post(
        "/api/v1/requests",
        json={"kind": "erasure", "identity": {"email": "b@example.fr"}, "send_code": False},
        headers=agent,
    ).json()["request"]
    overdue = api.client.get("/api/v1/requests", params={"overdue": True}, headers=agent).json()
    assert [r["id"] for r in overdue] == [first["id"]]
    assert overdue[0]["overdue"] is True
    erasures = api.client.get("/api/v1/requests", params={"kind": "erasure"}, headers=agent).json()
    assert [r["id"] for r in erasures] == [second["id"]]
    assert "timeline" not in erasures[0] or erasures[0]["timeline"] is None

    extended = api.client.post(
        f"/api/v1/requests/{second['id']}/extend", json={"reason": "many systems"}, headers=dpo
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["extended_due"] == "2027-02-22"
    refused = api.client.post(
        f"/api/v1/requests/{second['id']}/refuse",
        json={"reason": "manifestly excessive"},
        headers=dpo,
    )
    assert refused.json()["state"] == "refused"
    again = api.client.post(
        f"/api/v1/requests/{second['id']}/refuse", json={"reason": "twice"}, headers=dpo
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    assert again.json()["error"]["details"]["state"] == "refused"


def test_consent_status_follows_the_ledger_and_the_suppression_list(api: Api) -> None:
    agent = api.headers(Role.AGENT)
    person = {"email": "Jeanne.Martin@Example.fr"}
    query = {"identity": person, "activity": "prospecting"}
    before = api.client.post("/api/v1/consent/status", json=query, headers=agent)
    assert before.status_code == 200, before.text
    assert before.json()["allowed"] is True

    objected = api.client.post(
        "/api/v1/consent/events",
        json={**query, "kind": "objection-prospecting", "channel": "email"},
        headers=agent,
    )
    assert objected.status_code == 201, objected.text
    assert objected.json()["suppressed"] is True

    after = api.client.post(
        "/api/v1/consent/status",
        json={"identity": {"email": "jeanne.martin@example.fr"}, "activity": "prospecting"},
        headers=agent,
    ).json()
    assert after["allowed"] is False
    check = api.client.post(
        "/api/v1/suppression/check", json={"identity": person}, headers=agent
    ).json()
    assert check["suppressed"] is True
    listing = api.client.get("/api/v1/suppression", headers=agent).json()
    assert [e["kind"] for e in listing] == ["email"]
    assert "jeanne" not in json.dumps(listing).lower()


def test_restriction_check(api: Api) -> None:
    agent = api.headers(Role.AGENT)
    person = {"phone": "+33 6 12 34 56 78"}
    free = api.client.post("/api/v1/restriction/check", json={"identity": person}, headers=agent)
    assert free.json() == {"restricted": False, "restrictions": []}


def test_consent_withdrawal_needs_a_consent_basis(api: Api) -> None:
    response = api.client.post(
        "/api/v1/consent/withdraw",
        json={"identity": {"email": "x@example.fr"}, "activity": "contract"},
        headers=api.headers(Role.AGENT),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "event_refused"


def test_holds_place_list_release(api: Api) -> None:
    dpo = api.headers(Role.DPO)
    placed = api.client.post(
        "/api/v1/holds",
        json={"reason": "litigation", "case": "RG 26/001", "subject": {"phone": "+33612345678"}},
        headers=dpo,
    )
    assert placed.status_code == 201, placed.text
    hold_id = placed.json()["id"]
    listed = api.client.get("/api/v1/holds", headers=api.headers(Role.AUDITOR)).json()
    assert [h["id"] for h in listed] == [hold_id]
    released = api.client.post(
        f"/api/v1/holds/{hold_id}/release", json={"appeal_ends": "2027-06-30"}, headers=dpo
    )
    assert released.status_code == 200
    assert released.json()["appeal_ends"] == "2027-06-30"
    missing = api.client.post("/api/v1/holds/nope/release", json={}, headers=dpo)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "hold_not_found"


def test_retention_plan_run_and_runs(api: Api) -> None:
    admin = api.headers(Role.ADMIN)
    plan = api.client.get("/api/v1/retention/plan", headers=admin)
    assert plan.status_code == 200, plan.text
    assert plan.json()["actions"]
    assert plan.json()["under_review"] == []  # issue 10 §5: every synthetic row has its dates
    run = api.client.post("/api/v1/retention/runs", json={}, headers=admin)
    assert run.status_code == 200, run.text
    assert run.json()["totals"]["rows"] == plan.json()["totals"]["rows"]
    runs = api.client.get("/api/v1/retention/runs", headers=admin).json()
    assert [(r["id"], r["status"], r["actor"]) for r in runs] == [
        (run.json()["run"], "completed", "api:admin@test")
    ]


def test_audit_verify_and_archive_read_is_audited(api: Api) -> None:
    dpo = api.headers(Role.DPO)
    read = api.client.post(
        "/api/v1/archive/read",
        json={
            "system": "crm",
            "table": "client",
            "reason": "claim by the client",
            "where": {"email": "nobody@example.fr"},
        },
        headers=dpo,
    )
    assert read.status_code == 200, read.text
    assert read.json() == []
    events = api.client.get(
        "/api/v1/audit/events", params={"action": "archive.*"}, headers=dpo
    ).json()
    assert [(e["actor"], e["target"], e["details"]["reason"]) for e in events] == [
        ("api:dpo@test", "crm.client", "claim by the client")
    ]
    verified = api.client.get("/api/v1/audit/verify", headers=api.headers(Role.AUDITOR)).json()
    assert verified["ok"] is True
    assert verified["events"] >= 5


def test_registry_notice_and_register(api: Api) -> None:
    auditor = api.headers(Role.AUDITOR)
    registry = api.client.get("/api/v1/registry", headers=auditor).json()
    assert "prospecting" in registry["activities"]
    notice_fr = api.client.get("/api/v1/notice", params={"lang": "fr"}, headers=auditor)
    assert notice_fr.headers["content-type"].startswith("text/markdown")
    assert notice_fr.headers["content-language"] == "fr"
    notice_en = api.client.get(
        "/api/v1/notice", params={"lang": "en", "format": "html"}, headers=auditor
    )
    assert notice_en.headers["content-type"].startswith("text/html")
    assert "<h1" in notice_en.text
    assert notice_fr.text != notice_en.text
    record = api.client.get("/api/v1/register", headers=auditor)
    assert record.headers["content-type"] == "application/json"
    csv = api.client.get("/api/v1/register", params={"format": "csv"}, headers=auditor)
    assert csv.headers["content-type"].startswith("text/csv")
    unknown = api.client.get("/api/v1/notice", params={"lang": "de"}, headers=auditor)
    assert unknown.status_code == 422
