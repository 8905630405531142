"""Signing in and out of the back office: the session cookie, the audit trail, rate limiting,
redirections to the sign-in form (never to another site) and CSRF."""

from __future__ import annotations

import json
import secrets

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer

from gardien.audit.chain import AuditEvent
from gardien.audit.keys import AuditKey
from gardien.clock import FixedClock
from gardien.consent.keys import DEVELOPMENT_KEY, SubjectKey
from gardien.server.permissions import Role
from gardien.store import accounts, audit
from gardien.store.database import open_store
from gardien.store.keys import StoreKeys
from gardien.web.office import session
from gardien.web.security import derived_key
from tests.api.conftest import NOW
from tests.web.office.conftest import PASSWORD, Office, csrf_token, session_cookie


def events(office: Office, action: str) -> list[AuditEvent]:
    engine = open_store(office.api.store_url)
    try:
        return list(audit.events(engine, action=action))
    finally:
        engine.dispose()


def test_sign_in_opens_a_session_and_is_audited(office: Office) -> None:
    client = office.anonymous()
    response = office.sign_in(client, "dpo@test", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/office"
    cookie = session_cookie(response)
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/office" in cookie
    assert "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # dev; production sets it (below)
    queue = client.get("/office")
    assert queue.status_code == 200
    assert "dpo@test" in queue.text and "Rights requests" in queue.text
    (event,) = events(office, "office.login")
    assert (event.actor, event.target) == ("office:dpo@test", "account:dpo@test")
    assert event.connection is not None and event.connection["ip"] == "testclient"
    assert PASSWORD not in json.dumps(event.payload()) + json.dumps(event.connection)


def test_each_role_lands_on_a_page_it_may_see(office: Office) -> None:
    expected = {
        Role.DPO: "/office",
        Role.AGENT: "/office",
        Role.AUDITOR: "/office",
        Role.ADMIN: "/office/retention",
    }
    for role, home in expected.items():
        response = office.sign_in(office.anonymous(), f"{role.value}@test", PASSWORD)
        assert response.headers["location"] == home, role


def test_a_wrong_password_or_unknown_name_is_refused_and_audited_without_the_secret(
    office: Office,
) -> None:
    client = office.anonymous()
    wrong = office.sign_in(client, "dpo@test", "not the password at all")
    assert wrong.status_code == 401
    assert "Wrong account name or password" in wrong.text
    assert session_cookie(wrong) is None
    unknown = office.sign_in(client, "my secret passphrase", PASSWORD)
    assert unknown.status_code == 401
    # Same page either way: the answer does not tell which names exist.
    assert "Wrong account name or password" in unknown.text
    failed = events(office, "office.login_failed")
    assert [(e.actor, e.target, dict(e.details)) for e in failed] == [
        ("office:anonymous", "account:dpo@test", {"known_account": True}),
        ("office:anonymous", "account:unknown", {"known_account": False}),
    ]
    trail = json.dumps([e.payload() for e in failed])
    assert "not the password" not in trail and "my secret passphrase" not in trail
    assert client.get("/office").status_code == 303  # still not signed in


def test_sign_in_attempts_are_rate_limited_per_address(office: Office) -> None:
    client = office.anonymous()
    for _ in range(10):
        assert office.sign_in(client, "dpo@test", "wrong password!!").status_code == 401
    limited = office.sign_in(client, "dpo@test", PASSWORD)  # even the right password
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.text
    assert session_cookie(limited) is None
    assert len(events(office, "office.login_failed")) == 10  # the limited one was not checked


def test_sign_out_ends_the_session_even_for_a_copied_cookie(office: Office) -> None:
    client = office.as_role(Role.AGENT)
    stolen = client.cookies.get("gardien_office", path="/office")
    assert stolen
    token = office.token(client, "/office")
    out = client.post("/office/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/office/login"
    login = client.get("/office/login")
    assert "You are signed out." in login.text
    assert client.get("/office").status_code == 303
    replay = office.anonymous()
    replay.cookies.set("gardien_office", stolen, path="/office")
    assert replay.get("/office").status_code == 303
    (event,) = events(office, "office.logout")
    assert event.actor == "office:agent@test"


def test_a_new_password_or_a_disabled_account_ends_open_sessions(office: Office) -> None:
    client = office.as_role(Role.DPO)
    assert client.get("/office").status_code == 200
    engine = open_store(office.api.store_url)
    accounts.set_password(engine, FixedClock(NOW), "dpo@test", "a brand new passphrase", "test")
    assert client.get("/office").status_code == 303
    other = office.anonymous()
    assert office.sign_in(other, "dpo@test", "a brand new passphrase").status_code == 303
    assert other.get("/office").status_code == 200
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE staff_account SET disabled_at = '2026-11-22 10:00:00' WHERE name = 'dpo@test'"
        )
    assert other.get("/office").status_code == 303
    engine.dispose()


def test_a_forged_or_tampered_cookie_is_no_session(office: Office) -> None:
    client = office.as_role(Role.AUDITOR)
    good = client.cookies.get("gardien_office", path="/office")
    assert good
    payload, _, signature = good.rpartition(".")
    for forged in (payload + ".AAAA" + signature[4:], "dpo@test", "x" * 5000, ""):
        visitor = office.anonymous()
        visitor.cookies.set("gardien_office", forged, path="/office")
        assert visitor.get("/office").status_code == 303, forged


def test_not_signed_in_redirects_to_the_form_and_back(office: Office) -> None:
    client = office.anonymous()
    response = client.get("/office/audit?page=2")
    assert response.status_code == 303
    assert response.headers["location"] == "/office/login?next=/office/audit%3Fpage%3D2"
    form = client.get(response.headers["location"])
    assert 'name="next" value="/office/audit?page=2"' in form.text
    signed = client.post(
        "/office/login",
        data={
            "name": "dpo@test",
            "password": PASSWORD,
            "next": "/office/audit?page=2",
            "csrf_token": csrf_token(form.text),
        },
    )
    assert signed.headers["location"] == "/office/audit?page=2"
    # A form posted without a session is not replayed after signing in.
    posted = office.anonymous().post("/office/retention/run", data={})
    assert posted.status_code == 303 and posted.headers["location"] == "/office/login"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/office",
        "//evil.example/office",
        "/\\evil.example",
        "\\\\evil.example",
        "/office\\..\\x",
        "javascript:alert(1)",
        "/api/v1/requests",
        "/officer",
        "http:/office",
        "/office\r\nSet-Cookie: x=1",
    ],
)
def test_no_open_redirect_after_sign_in(office: Office, target: str) -> None:
    client = office.anonymous()
    response = office.sign_in(client, "dpo@test", PASSWORD, next_url=target)
    assert response.headers["location"] == "/office", target
    login = client.get("/office/login", params={"next": target})
    assert login.status_code == 303 and login.headers["location"] == "/office"


def test_forms_without_a_valid_csrf_token_are_refused(office: Office) -> None:
    anonymous = office.anonymous()
    anonymous.get("/office/login")  # has the CSRF cookie, not the field
    refused = anonymous.post("/office/login", data={"name": "dpo@test", "password": PASSWORD})
    assert refused.status_code == 403
    assert "The form has expired" in refused.text
    assert session_cookie(refused) is None
    client = office.as_role(Role.DPO)
    for path in ("/office/logout", "/office/retention/run", "/office/holds", "/office/consent"):
        for data in ({}, {"csrf_token": "0" * 64}):
            response = client.post(path, data=data)
            assert response.status_code == 403, (path, data)
            assert "The form has expired" in response.text
    assert client.get("/office").status_code == 200  # the forged logout did nothing


def test_a_token_from_another_visitor_does_not_work(office: Office) -> None:
    mine = office.as_role(Role.DPO)
    theirs = office.anonymous()
    token = office.token(theirs, "/office/login")
    assert mine.post("/office/logout", data={"csrf_token": token}).status_code == 403


def test_production_cookies_are_secure(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = office.app.state.gardien
    monkeypatch.setattr(ctx, "settings", ctx.settings.model_copy(update={"env": "production"}))
    client = TestClient(office.app, base_url="https://testserver", follow_redirects=False)
    response = office.sign_in(client, "dpo@test", PASSWORD)
    cookie = session_cookie(response)
    assert cookie is not None and "Secure" in cookie


def test_the_public_development_key_never_signs_sessions(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = office.app.state.gardien
    assert ctx.key.secret == DEVELOPMENT_KEY.encode()  # the test app runs on the dev key
    public = URLSafeSerializer(derived_key(ctx.key, "session"), salt="gardien office session")
    for epoch in range(3):
        forged = public.dumps({"n": "dpo@test", "t": NOW.timestamp(), "e": epoch})
        visitor = office.anonymous()
        visitor.cookies.set("gardien_office", forged, path="/office")
        assert visitor.get("/office").status_code == 303
    # Signed with a key drawn at start: a restart (a new key) ends the sessions.
    client = office.as_role(Role.DPO)
    assert client.get("/office").status_code == 200
    monkeypatch.setattr(session, "_PROCESS_KEY", secrets.token_bytes(32))
    assert client.get("/office").status_code == 303


def test_with_a_real_key_sessions_outlive_a_restart(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = SubjectKey(b"k" * 40)
    keys = StoreKeys(subject=real, audit=AuditKey.derived_from(real.secret))
    monkeypatch.setattr(office.app.state.gardien, "keys", keys)
    client = office.as_role(Role.DPO)
    monkeypatch.setattr(session, "_PROCESS_KEY", secrets.token_bytes(32))
    assert client.get("/office").status_code == 200
