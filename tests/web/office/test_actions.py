"""The actions on a request's page, end to end through the real app: attest → run → export
(the zip holds the person's data), extend and refuse with their reasons, and refusals shown
as messages; every act is in the audit trail under ``office:NAME``."""

from __future__ import annotations

import html
import io
import re
import zipfile

import httpx
from fastapi.testclient import TestClient

from gardien.server.permissions import Role
from gardien.store import audit
from gardien.store.database import open_store
from tests.web.office.conftest import Office


def new_request(office: Office, kind: str = "access", email: str | None = None) -> str:
    response = office.api.client.post(
        "/api/v1/requests",
        json={
            "kind": kind,
            "identity": {"email": email or office.api.a_client_email()},
            "send_code": False,
        },
        headers=office.api.headers(Role.DPO),
    )
    assert response.status_code == 201, response.text
    request_id: str = response.json()["request"]["id"]
    return request_id


def post(
    office: Office, client: TestClient, request_id: str, action: str, **data: str
) -> httpx.Response:
    token = office.token(client, f"/office/requests/{request_id}")
    response: httpx.Response = client.post(
        f"/office/requests/{request_id}/{action}", data={"csrf_token": token, **data}
    )
    return response


def actors(office: Office, action: str) -> list[str]:
    engine = open_store(office.api.store_url)
    try:
        return [e.actor for e in audit.events(engine, action=action)]
    finally:
        engine.dispose()


def alert(page: str) -> str:
    found = re.search(r'<div class="alert (\w+)" role="(?:alert|status)">(.*?)</div>', page, re.S)
    assert found, "no message on the page"
    return f"{found[1]}: {html.unescape(found[2])}"


def test_attest_run_export_end_to_end(office: Office) -> None:
    email = office.api.a_client_email()
    request_id = new_request(office, email=email)
    agent = office.as_role(Role.AGENT)
    page = agent.get(f"/office/requests/{request_id}").text
    assert "Verify identity" in page and "Run now" not in page

    attested = post(
        office, agent, request_id, "attest", attestation="passport checked by A. Martin"
    )
    assert attested.status_code == 303
    assert attested.headers["location"] == f"/office/requests/{request_id}"
    page = agent.get(f"/office/requests/{request_id}").text
    assert alert(page) == "ok: Identity verified by attestation: email."
    assert "Run now" in page and "Verify identity" not in page
    assert "passport checked by A. Martin" in page  # in the timeline
    # The message is shown once.
    assert 'class="alert ok"' not in agent.get(f"/office/requests/{request_id}").text

    ran = post(office, agent, request_id, "run")
    assert ran.status_code == 303
    page = agent.get(f"/office/requests/{request_id}").text
    assert alert(page).startswith("ok: Run: data found; package ready")
    assert "<td>crm</td><td>client</td>" in page  # per-system results of the run
    assert "Download the package (zip)" in page

    exported = post(office, agent, request_id, "export")
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    assert "attachment" in exported.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    assert any(
        email in archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
    )

    page = agent.get(f"/office/requests/{request_id}").text
    assert "request.package.exported" in page  # the export is in the request's timeline
    assert actors(office, "request.verify") == ["office:agent@test"]
    assert actors(office, "request.start") == ["office:agent@test"]
    assert actors(office, "request.complete") == ["office:agent@test"]
    assert actors(office, "request.package.exported") == ["office:agent@test"]


def test_extend_needs_a_reason_then_moves_the_deadline(office: Office) -> None:
    request_id = new_request(office)
    dpo = office.as_role(Role.DPO)
    refused = post(office, dpo, request_id, "extend", reason="   ")
    assert refused.status_code == 422
    assert "an extension states its reasons (Art. 12(3))" in alert(refused.text)
    assert "Traceback" not in refused.text

    done = post(office, dpo, request_id, "extend", reason="twelve systems to search")
    assert done.status_code == 303
    page = dpo.get(f"/office/requests/{request_id}").text
    assert alert(page).startswith("ok: Deadline extended to 2027-")
    assert "twelve systems to search" in page
    assert "Extend by two months" not in page  # once only (Art. 12(3))
    again = post(office, dpo, request_id, "extend", reason="again")
    assert again.status_code == 409
    assert "allows one extension" in alert(again.text)
    assert actors(office, "request.extend") == ["office:dpo@test"]


def test_refuse_needs_a_reason_and_closes_the_request(office: Office) -> None:
    request_id = new_request(office)
    dpo = office.as_role(Role.DPO)
    refused = post(office, dpo, request_id, "refuse", reason="")
    assert refused.status_code == 422
    assert "a refusal states its reasons" in alert(refused.text)
    done = post(office, dpo, request_id, "refuse", reason="the fifth identical request this week")
    assert done.status_code == 303
    page = dpo.get(f"/office/requests/{request_id}").text
    assert alert(page) == "ok: Request refused."
    assert "No action is open to your role in this state." in page
    assert actors(office, "request.refuse") == ["office:dpo@test"]


def test_refusals_of_the_workflow_are_messages_not_tracebacks(office: Office) -> None:
    request_id = new_request(office)
    agent = office.as_role(Role.AGENT)
    # Running an unverified request: not run, said so (R-RGT-11).
    ran = post(office, agent, request_id, "run")
    assert ran.status_code == 303
    message = alert(agent.get(f"/office/requests/{request_id}").text)
    assert message.startswith("error: Run: not run.") and "identity is not verified" in message
    # An attestation needs a text; what was typed stays in the form.
    blank = post(office, agent, request_id, "attest", attestation=" ")
    assert blank.status_code == 422
    assert "an attestation says which document was checked" in alert(blank.text)
    # No package yet: the export says so.
    export = post(office, agent, request_id, "export")
    assert export.status_code == 404
    assert "has no package" in alert(export.text)
    # A refused request cannot be verified any more: 409 with the workflow's words.
    dpo = office.as_role(Role.DPO)
    post(office, dpo, request_id, "refuse", reason="duplicate of an earlier request")
    late = post(office, agent, request_id, "attest", attestation="passport checked")
    assert late.status_code == 409
    assert "is refused: cannot verify it" in alert(late.text)
    # An unknown request is a 404 page.
    missing = agent.get("/office/requests/no-such-request")
    assert missing.status_code == 404
    assert "Not found" in missing.text and "Traceback" not in missing.text


def test_an_auditor_reads_but_has_no_action(office: Office) -> None:
    request_id = new_request(office)
    auditor = office.as_role(Role.AUDITOR)
    page = auditor.get(f"/office/requests/{request_id}").text
    assert "No action is open to your role in this state." in page
    assert '<form method="post" action="/office/requests/' not in page
    denied = post(office, auditor, request_id, "export")
    assert denied.status_code == 403


def test_a_request_left_in_progress_is_offered_to_run_again_and_resumes(office: Office) -> None:
    # issue 9 §4: a run killed after starting the request used to strand it: no button, and
    # every run refused it as in progress.
    from datetime import UTC, datetime

    from gardien.clock import FixedClock
    from gardien.jobs import requests as request_jobs

    request_id = new_request(office)
    agent = office.as_role(Role.AGENT)
    post(office, agent, request_id, "attest", attestation="passport checked by A. Martin")
    engine = open_store(office.api.store_url)
    try:  # what a killed run leaves: started, never answered
        request_jobs.start(engine, FixedClock(datetime.now(UTC)), request_id, actor="cli:cron")
    finally:
        engine.dispose()
    page = agent.get(f"/office/requests/{request_id}").text
    assert f'action="/office/requests/{request_id}/run"' in page
    ran = post(office, agent, request_id, "run")
    assert ran.status_code == 303
    shown = office.api.client.get(
        f"/api/v1/requests/{request_id}", headers=office.api.headers(Role.DPO)
    ).json()
    assert shown["state"] == "completed", shown
