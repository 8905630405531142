"""Recording a request received by letter or e-mail (R-RGT-12) and sending a new code."""

from __future__ import annotations

import re
from pathlib import Path

from gardien.server.permissions import Role
from tests.web.office.conftest import Office
from tests.web.office.test_actions import actors, alert, new_request, post


def _record(office: Office, role: Role = Role.AGENT, **fields: str):  # type: ignore[no-untyped-def]
    client = office.as_role(role)
    token = office.token(client, "/office/requests/new")
    return client, client.post(
        "/office/requests/new", data={"csrf_token": token, **fields}, follow_redirects=True
    )


def test_a_letter_received_last_week_counts_from_its_day(office: Office, tmp_path: Path) -> None:
    email = office.api.a_client_email()
    _, page = _record(
        office,
        kind="access",
        received_on="2026-11-16",
        id_email=email,
        send_code="yes",
        text="Lettre reçue le 16/11 : demande de copie de mes données.",
    )
    assert page.status_code == 200
    message = alert(page.text)
    # Art. 12(3): one month from 16 November 2026 is 16 December 2026 (a Wednesday)
    assert message.startswith("ok: Request recorded; answer by 2026-12-16. A code was sent to")
    assert email not in message  # masked
    listed = office.api.client.get("/api/v1/requests", headers=office.api.headers(Role.DPO))
    (request,) = listed.json()
    assert request["received_at"].startswith("2026-11-16")
    assert request["state"] == "awaiting_identity"
    assert actors(office, "request.submit") == ["office:agent@test"]
    assert actors(office, "request.send_code") == ["office:agent@test"]
    outbox = "".join(p.read_text("utf-8") for p in (tmp_path / "outbox").rglob("*") if p.is_file())
    assert email in outbox


def test_a_rectification_by_letter_names_its_corrections(office: Office) -> None:
    _, page = _record(
        office,
        kind="rectification",
        id_email=office.api.a_client_email(),
        fields="last_name=Martin\nfirst_name = Élise",
    )
    assert "Request recorded" in alert(page.text)
    (request,) = office.api.client.get(
        "/api/v1/requests", headers=office.api.headers(Role.DPO)
    ).json()
    assert request["details"]["fields"] == {"last_name": "Martin", "first_name": "Élise"}


def test_refusals_show_the_form_again_with_what_was_typed(office: Office) -> None:
    _, page = _record(office, kind="access", id_iban="FR76…", text="keep me")
    assert page.status_code == 422
    assert "identifier" in page.text and "keep me" in page.text
    _, future = _record(
        office, kind="access", id_email="a@example.org", received_on="2099-01-01", text="keep me"
    )
    assert future.status_code == 422
    assert "is after now" in future.text
    assert "keep me" in future.text
    _, bad = _record(office, kind="rectification", id_email="a@example.org", fields="no equals")
    assert bad.status_code == 422
    assert "column=value" in bad.text
    assert (
        office.api.client.get("/api/v1/requests", headers=office.api.headers(Role.DPO)).json() == []
    )


def test_a_new_code_replaces_the_previous_one(office: Office, tmp_path: Path) -> None:
    request_id = new_request(office)
    agent = office.as_role(Role.AGENT)
    detail = agent.get(f"/office/requests/{request_id}")
    assert "Send a new code" in detail.text
    sent = post(office, agent, request_id, "send-code")
    assert sent.status_code == 303
    page = agent.get(f"/office/requests/{request_id}")
    assert alert(page.text).startswith("ok: A new code was sent to")
    assert actors(office, "request.send_code") == ["office:agent@test"]
    first = _latest_code(tmp_path)
    post(office, agent, request_id, "send-code")
    assert actors(office, "request.send_code") == ["office:agent@test"] * 2
    assert _latest_code(tmp_path) != first  # a new code was drawn (1 chance in 10^6 not)
    # the first code no longer proves the identity once a newer one was sent
    refused = office.api.client.post(
        f"/api/v1/requests/{request_id}/verify",
        json={"code": first},
        headers=office.api.headers(Role.AGENT),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "code_rejected"


def test_an_auditor_cannot_record_or_send(office: Office) -> None:
    request_id = new_request(office)
    auditor = office.as_role(Role.AUDITOR)
    assert "Send a new code" not in auditor.get(f"/office/requests/{request_id}").text
    assert "Record a request" not in auditor.get("/office").text
    assert auditor.get("/office/requests/new").status_code == 403


def _latest_code(tmp_path: Path) -> str:
    files = sorted(
        (p for p in (tmp_path / "outbox").rglob("*") if p.is_file()),
        key=lambda p: p.stat().st_mtime_ns,
    )
    found = re.search(r"\b(\d{6})\b", files[-1].read_text("utf-8"))
    assert found
    return found[1]
