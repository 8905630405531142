"""Retention, legal holds, the audit trail and the consent look-up in the back office, through
the real app: counts shown, runs and holds made from the pages (audited as ``office:NAME``),
the chain's status, bad input answered with a message."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from gardien.connectors.errors import SystemUnreachable
from gardien.jobs import audit_anchor
from gardien.jobs import retention as job
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import audit
from gardien.store.database import open_store
from tests.web.office.conftest import Office


def submit(office: Office, client: TestClient, path: str, **data: str) -> httpx.Response:
    """Post a form to ``path`` with the CSRF token of the page that shows it."""
    token = office.token(client, "/office/retention" if "/retention" in path else "/office/consent")
    response: httpx.Response = client.post(path, data={"csrf_token": token, **data})
    return response


def alert(page: str) -> str:
    found = re.search(r'<div class="alert (\w+)" role="(?:alert|status)">(.*?)</div>', page, re.S)
    assert found, "no message on the page"
    return f"{found[1]}: {html.unescape(found[2])}"


def numbers(cell: str) -> int:
    return int(cell.replace(",", ""))


def test_retention_plan_counts_and_a_run_from_the_page(office: Office) -> None:
    admin = office.as_role(Role.ADMIN)
    page = admin.get("/office/retention").text
    plan_api = office.api.client.get(
        "/api/v1/retention/plan", headers=office.api.headers(Role.ADMIN)
    ).json()
    total = re.search(r'<tfoot>.*?<td class="num">([\d,]+)</td>', page, re.S)
    assert total and numbers(total[1]) == plan_api["totals"]["rows"] > 0
    for action in plan_api["actions"]:
        assert f"<td>{action['system']}</td><td>{action['table']}</td>" in page
    assert "No run yet." in page and "Run retention now" in page

    done = submit(office, admin, "/office/retention/run")
    assert done.status_code == 303
    page = admin.get("/office/retention").text
    assert alert(page).startswith("ok: Retention run ")
    assert f"{plan_api['totals']['rows']:,} row(s) archived, anonymised or deleted" in page
    assert "office:admin@test" in page and "completed" in page
    engine = open_store(office.api.store_url)
    (event,) = list(audit.events(engine, action="retention.run.completed"))
    assert event.actor == "office:admin@test"
    assert "Run retention now" not in office.as_role(Role.AUDITOR).get("/office/retention").text


def test_retention_page_says_when_a_system_is_down(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_: object, **__: object) -> None:
        raise SystemUnreachable("crm", "connection refused")

    monkeypatch.setattr(job, "require_systems", down)
    page = office.as_role(Role.DPO).get("/office/retention")
    assert page.status_code == 200
    assert "The systems cannot be checked" in page.text and "connection refused" in page.text
    run = submit(office, office.as_role(Role.DPO), "/office/retention/run")
    assert run.status_code == 503 and "connection refused" in alert(run.text)


def test_place_and_release_holds_from_the_page(office: Office) -> None:
    dpo = office.as_role(Role.DPO)
    placed = submit(
        office,
        dpo,
        "/office/holds",
        kind="phone",
        value="06 12 34 56 78",
        reason="litigation over an alarm response",
        case="TJ Niort 26/01234",
    )
    assert placed.status_code == 303
    page = dpo.get("/office/holds").text
    assert alert(page) == "ok: Hold placed."
    assert "person phone=+33612345678" in page and "TJ Niort 26/01234" in page
    assert '<span class="badge warn">in force</span>' in page

    rows = submit(office, dpo, "/office/holds", table="crm.client", keys="1, 2", reason="audit")
    assert rows.status_code == 303
    assert "crm.client rows 1, 2" in dpo.get("/office/holds").text

    hold_id = re.findall(r'action="/office/holds/([0-9a-f-]+)/release"', page)[0]
    bad_date = submit(office, dpo, f"/office/holds/{hold_id}/release", appeal_ends="31/12/2027")
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in alert(bad_date.text)
    released = submit(office, dpo, f"/office/holds/{hold_id}/release", appeal_ends="2027-06-30")
    assert released.status_code == 303
    page = dpo.get("/office/holds").text
    assert "protected until 2027-06-30" in page
    again = submit(office, dpo, f"/office/holds/{hold_id}/release")
    assert again.status_code == 409 and "already released" in alert(again.text)
    engine = open_store(office.api.store_url)
    assert {e.actor for e in audit.events(engine, action="hold.*")} == {"office:dpo@test"}
    # The auditor reads the holds, with no form.
    auditor = office.as_role(Role.AUDITOR).get("/office/holds").text
    assert "TJ Niort 26/01234" in auditor and "Place the hold" not in auditor
    assert "/release" not in auditor


def test_hold_input_mistakes_are_messages(office: Office) -> None:
    dpo = office.as_role(Role.DPO)
    cases = [
        # One wording, the use case's (gardien.jobs.holds), as from the CLI and the API.
        ({"reason": "x"}, "a hold covers a person (one identifier) or rows"),
        (
            {
                "kind": "phone",
                "value": "0612345678",
                "table": "crm.client",
                "keys": "1",
                "reason": "x",
            },
            "a hold covers a person or rows of a table, not both",
        ),
        ({"kind": "phone", "value": "0612345678", "reason": " "}, "a hold needs a reason"),
        ({"kind": "email", "value": "not an email", "reason": "x"}, "email"),
        ({"kind": "nonsense", "value": "x", "reason": "x"}, "no table declares the identifier"),
        ({"table": "crm.nope", "keys": "1", "reason": "x"}, "is not a table declared"),
        ({"table": "crm.client", "keys": " , ", "reason": "x"}, "at least one key"),
    ]
    for data, message in cases:
        response = submit(office, dpo, "/office/holds", **data)
        assert response.status_code in (409, 422), data
        assert message in alert(response.text), (data, alert(response.text))
        assert "Traceback" not in response.text
    # What was typed is shown again, to correct it rather than type it all anew.
    kept = submit(office, dpo, "/office/holds", kind="phone", value="0612345678", reason=" ")
    assert 'value="0612345678"' in kept.text and '<option value="phone" selected>' in kept.text


def test_audit_page_verifies_the_chain_and_pages_the_events(office: Office) -> None:
    dpo = office.as_role(Role.DPO)
    page = dpo.get("/office/audit").text
    assert re.search(r"The hash chain is intact: \d+ events verified\.", page)
    seqs = [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) <= 50  # newest first
    assert "office.login" in page
    logins = dpo.get("/office/audit?action=office.*").text
    assert {a for a in re.findall(r"<td>(office\.[a-z_]+)</td>", logins)} == {"office.login"}
    engine = open_store(office.api.store_url)
    with engine.begin() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM audit_event").scalar_one()
    pages = -(-count // 50)
    last = dpo.get(f"/office/audit?page={pages}").text
    assert f"Page {pages} of {pages}" in last and "<tr><td>1</td>" in last
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_event SET actor = 'someone else' WHERE seq = 2")
    broken = dpo.get("/office/audit").text
    assert "The hash chain is broken at event 2" in broken


def test_consent_look_up_with_suppression_and_restriction(office: Office) -> None:
    agent = office.as_role(Role.AGENT)
    asked = {"kind": "email", "value": "Jeanne.Martin@Example.fr", "activity": "prospecting"}
    before = submit(office, agent, "/office/consent", **asked)
    assert before.status_code == 200
    assert '<span class="badge ok">Allowed</span>' in before.text
    assert "Not on the suppression list." in before.text
    assert "No restriction in force." in before.text
    recorded = office.api.client.post(
        "/api/v1/consent/events",
        json={
            "identity": {"email": "jeanne.martin@example.fr"},
            "activity": "prospecting",
            "kind": "objection-prospecting",
        },
        headers=office.api.headers(Role.AGENT),
    )
    assert recorded.status_code == 201, recorded.text
    after = submit(office, agent, "/office/consent", **asked).text
    assert '<span class="badge bad">Not allowed</span>' in after
    assert "On the suppression list since 2026-11-22" in after
    # The identifier was posted, not put in a URL; the form shows it back for the next look-up.
    assert 'value="Jeanne.Martin@Example.fr"' in after

    bad = submit(
        office, agent, "/office/consent", kind="email", value="nope", activity="prospecting"
    )
    assert bad.status_code == 422 and "email" in alert(bad.text)
    unknown = submit(office, agent, "/office/consent", kind="email", value="a@b.fr", activity="x")
    assert unknown.status_code == 422 and "is not in the registry" in alert(unknown.text)
    empty = submit(office, agent, "/office/consent", kind="email", value="", activity="prospecting")
    assert empty.status_code == 422


def test_audit_page_checks_the_anchors_and_names_a_truncated_tail(
    office: Office, tmp_path: Path
) -> None:
    dpo = office.as_role(Role.DPO)
    assert "No anchor: events removed from the end" in dpo.get("/office/audit").text
    ctx = office.api.client.app.state.gardien  # type: ignore[attr-defined]
    ctx.settings = Settings(**{**ctx.settings.model_dump(), "audit_anchor_file": tmp_path / "a"})
    made = audit_anchor.anchor(ctx.engine, ctx.clock, ctx.settings.anchoring)
    assert f"(event {made.seq})" in dpo.get("/office/audit").text
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_event WHERE seq > {made.seq - 2}")
    broken = dpo.get("/office/audit").text
    assert f"The hash chain is broken at event {made.seq - 1}" in broken and "truncated" in broken
