"""The browser set-up itself: chromium renders the live app, axe-core runs, pages stay local."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, Route

from gardien.server.permissions import Role
from gardien.store import accounts
from tests.web.browser import chromium_missing
from tests.web.server import LiveServer


def test_api_docs_page_renders_in_chromium_from_this_server_only(
    live_server: LiveServer,
    page: Page,
    screenshot: Callable[[Page, str], Path],
    external_requests: list[str],
) -> None:
    response = page.goto(live_server.url("/api/docs"))
    assert response is not None and response.status == 200
    assert page.title() == "gardien — API"
    # Swagger UI's files come from this server (docs_page.py), so the page renders fully with
    # every request to another host aborted (the fixture fails the test if one was tried).
    page.locator(".swagger-ui .info .title").wait_for()
    assert "gardien" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() >= 20
    screenshot(page, "api-docs")
    assert not external_requests


def test_openapi_schema_opens_in_chromium(
    live_server: LiveServer, page: Page, screenshot: Callable[..., Path]
) -> None:
    response = page.goto(live_server.url("/api/openapi.json"))
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    screenshot(page, "api-openapi-json", full_page=False)  # thousands of lines of JSON
    schema = json.loads(page.inner_text("body"))
    assert schema["info"]["title"] == "gardien"
    assert "/api/v1/consent/status" in schema["paths"]


def test_live_server_serves_the_api_and_its_outbox_gives_the_code(live_server: LiveServer) -> None:
    email = live_server.a_client_email()
    agent = live_server.headers(Role.AGENT)
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        created = client.post(
            "/api/v1/requests",
            json={"kind": "access", "identity": {"email": email}, "channel": "email"},
            headers=agent,
        )
        assert created.status_code == 201, created.text
        assert created.json()["code"]["channel"] == "email"
        request_id = created.json()["request"]["id"]
        code = live_server.latest_code(email)
        verified = client.post(
            f"/api/v1/requests/{request_id}/verify", json={"code": code}, headers=agent
        )
        assert verified.status_code == 200, verified.text
        assert verified.json()["state"] == "verified"
        # Each role's token is a real account: the auditor may not create a request.
        refused = client.post(
            "/api/v1/requests",
            json={"kind": "access", "identity": {"email": email}},
            headers=live_server.headers(Role.AUDITOR),
        )
        assert refused.status_code == 403


def test_axe_fails_a_page_with_serious_violations(page: Page, axe: Callable[..., Any]) -> None:
    page.set_content("<html><body><img src='data:,'><p>no title, no lang</p></body></html>")
    with pytest.raises(pytest.fail.Exception) as failed:
        axe(page)
    message = str(failed.value)
    assert "image-alt (critical)" in message
    assert "html-has-lang (serious)" in message


def test_axe_passes_an_accessible_page_under_a_strict_csp(
    page: Page, axe: Callable[..., Any]
) -> None:
    # The portal will send a strict Content-Security-Policy; axe-core must still run under it.
    html = (
        "<!doctype html><html lang='en'><head><title>Accessible</title></head><body>"
        "<header><h1>Exercise your rights</h1></header><main><form>"
        "<label for='email'>E-mail</label><input id='email' name='email' type='email'>"
        "<button type='submit'>Send</button></form></main></body></html>"
    )

    def fulfil(route: Route) -> None:
        route.fulfill(
            body=html,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'none'"},
        )

    page.route("http://127.0.0.1:9/csp", fulfil)
    page.goto("http://127.0.0.1:9/csp")
    assert axe(page) == []


@pytest.mark.allows_external_requests
def test_pages_reach_no_host_but_loopback(page: Page, external_requests: list[str]) -> None:
    page.set_content("<img alt='tracker' src='http://tracker.invalid/pixel.png'>")
    assert external_requests == ["http://tracker.invalid/pixel.png"]


def test_a_missing_chromium_fails_under_ci_and_is_skipped_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        chromium_missing("/usr/bin/chromium is missing")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        chromium_missing("/usr/bin/chromium is missing")


def test_each_role_signs_in_with_its_password(live_server: LiveServer) -> None:
    engine = sa.create_engine(live_server.store_url)
    try:
        for role, account in live_server.staff.items():
            signed = accounts.authenticate_password(engine, account.name, account.password)
            assert signed is not None and signed.role == role.value
    finally:
        engine.dispose()
