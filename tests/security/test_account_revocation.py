"""Tokens and accounts can be revoked, rotated, disabled and given another role, and it takes
effect at once on the server that did it, the cached tokens included (issue 9 §2)."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.server.permissions import Role
from tests.web.office.conftest import Office

AGENT = "agent@test"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _registry(office: Office, token: str) -> int:
    return office.api.client.get("/api/v1/registry", headers=_bearer(token)).status_code


def _actions(office: Office) -> list[str]:
    with sa.create_engine(office.api.store_url).connect() as conn:
        rows = conn.execute(
            sa.text("SELECT action FROM audit_event WHERE target = :s ORDER BY seq"),
            {"s": f"account:{AGENT}"},
        ).all()
    return [r[0] for r in rows]


def test_a_rotated_token_stops_at_once_though_cached(office: Office) -> None:
    old = office.api.tokens[Role.AGENT]
    assert _registry(office, old) == 200  # now in the server's token cache
    admin = office.api.headers(Role.ADMIN)
    rotated = office.api.client.post(f"/api/v1/accounts/{AGENT}/token", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert _registry(office, old) == 401
    assert _registry(office, new) == 200
    revoked = office.api.client.delete(f"/api/v1/accounts/{AGENT}/token", headers=admin)
    assert revoked.json()["token_revoked"] is True
    assert _registry(office, new) == 401
    assert _actions(office)[-2:] == ["account.token_rotated", "account.token_revoked"]


def test_disabling_ends_the_token_and_the_office_session(office: Office) -> None:
    token = office.api.tokens[Role.AGENT]
    assert _registry(office, token) == 200
    session = office.as_role(Role.AGENT)
    assert session.get("/office").status_code == 200
    admin = office.api.headers(Role.ADMIN)
    disabled = office.api.client.post(f"/api/v1/accounts/{AGENT}/disable", headers=admin)
    assert disabled.json()["disabled_at"] is not None
    assert _registry(office, token) == 401
    assert session.get("/office").status_code == 303  # back to the sign-in page
    office.api.client.post(f"/api/v1/accounts/{AGENT}/enable", headers=admin)
    assert _registry(office, token) == 200
    assert _actions(office)[-2:] == ["account.disabled", "account.enabled"]


def test_a_new_role_applies_at_once_to_a_cached_token(office: Office) -> None:
    token = office.api.tokens[Role.AGENT]
    agent_reads = office.api.client.get("/api/v1/requests", headers=_bearer(token))
    assert agent_reads.status_code == 200
    changed = office.api.client.put(
        f"/api/v1/accounts/{AGENT}/role",
        json={"role": "admin"},
        headers=office.api.headers(Role.ADMIN),
    )
    assert changed.json()["role"] == "admin"
    assert office.api.client.get("/api/v1/requests", headers=_bearer(token)).status_code == 403
    assert _actions(office)[-1] == "account.role_changed"


def test_only_the_administrator_manages_accounts(office: Office) -> None:
    for role in (Role.DPO, Role.AGENT, Role.AUDITOR):
        answer = office.api.client.post(
            f"/api/v1/accounts/{AGENT}/disable", headers=office.api.headers(role)
        )
        assert answer.status_code == 403, role
    missing = office.api.client.post(
        "/api/v1/accounts/nobody/disable", headers=office.api.headers(Role.ADMIN)
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["details"] == {"field": "name"}


def test_the_command_line_revokes_rotates_disables_and_changes_roles(office: Office) -> None:
    store = office.api.store_url
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["user", *args, "--store", store])
        assert result.exit_code == 0, result.output
        return result.stdout

    token = run("rotate", AGENT).strip()
    assert token.startswith("gdn_")
    assert _registry(office, token) == 200
    run("role", AGENT, "auditor")
    run("revoke", AGENT)
    run("disable", AGENT)
    listed = runner.invoke(cli, ["user", "list", "--json", "--store", store])
    [agent] = [a for a in __import__("json").loads(listed.stdout) if a["name"] == AGENT]
    assert agent["role"] == "auditor" and agent["token_revoked"] and agent["disabled_at"]
    run("enable", AGENT)
    assert _actions(office)[-5:] == [
        "account.token_rotated",
        "account.role_changed",
        "account.token_revoked",
        "account.disabled",
        "account.enabled",
    ]


def test_the_back_office_rotates_disables_and_changes_roles(office: Office) -> None:
    import html
    import re

    old = office.api.tokens[Role.AGENT]
    assert _registry(office, old) == 200
    agent_session = office.as_role(Role.AGENT)
    admin = office.as_role(Role.ADMIN)
    assert office.as_role(Role.DPO).get("/office/accounts").status_code == 403
    token = office.token(admin, "/office/accounts")
    shown = admin.post(f"/office/accounts/{AGENT}/token", data={"csrf_token": token})
    assert shown.status_code == 200
    [new] = re.findall(r"gdn_[0-9a-f]+_[A-Za-z0-9_\-]+", html.unescape(shown.text))
    assert _registry(office, old) == 401 and _registry(office, new) == 200
    assert agent_session.get("/office").status_code == 303  # its session was closed
    moved = admin.post(
        f"/office/accounts/{AGENT}/role", data={"role": "auditor", "csrf_token": token}
    )
    assert moved.status_code == 303
    assert (
        office.api.client.post("/api/v1/consent/events", json={}, headers=_bearer(new)).status_code
        == 403
    )  # an auditor records no consent
    admin.post(f"/office/accounts/{AGENT}/disable", data={"csrf_token": token})
    assert _registry(office, new) == 401
    page = html.unescape(admin.get("/office/accounts").text)
    assert "disabled" in page
    assert _actions(office)[-3:] == [
        "account.token_rotated",
        "account.role_changed",
        "account.disabled",
    ]
