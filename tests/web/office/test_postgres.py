"""The back office on a PostgreSQL store: sign in, the queue, a request's actions, the audit
page (its own queries: newest events first, paged) and the consent look-up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from gardien.server.permissions import Role
from tests.api.conftest import build_api
from tests.web.office.conftest import Office, with_passwords
from tests.web.office.test_actions import alert, new_request, post


@pytest.fixture
def pg_office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> Iterator[Office]:
    for api in build_api(tmp_path, monkeypatch, postgres_url, f"sqlite:///{tmp_path / 's.db'}"):
        yield with_passwords(api)


def test_the_back_office_on_postgresql(pg_office: Office) -> None:
    request_id = new_request(pg_office)
    agent = pg_office.as_role(Role.AGENT)
    assert request_id in agent.get("/office").text
    assert (
        post(pg_office, agent, request_id, "attest", attestation="ID card checked").status_code
        == 303
    )
    assert post(pg_office, agent, request_id, "run").status_code == 303
    page = agent.get(f"/office/requests/{request_id}").text
    assert alert(page).startswith("ok: Run: data found")
    exported = post(pg_office, agent, request_id, "export")
    assert exported.headers["content-type"] == "application/zip"
    assert "request.package.exported" in agent.get(f"/office/requests/{request_id}").text

    dpo = pg_office.as_role(Role.DPO)
    audit = dpo.get("/office/audit?action=request.*").text
    assert "The hash chain is intact" in audit
    seqs = [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", audit)]
    assert seqs and seqs == sorted(seqs, reverse=True)
    token = pg_office.token(dpo, "/office/consent")
    found = dpo.post(
        "/office/consent",
        data={"csrf_token": token, "kind": "email", "value": "a@b.fr", "activity": "prospecting"},
    )
    assert found.status_code == 200 and "Allowed" in found.text
