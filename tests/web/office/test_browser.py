"""Every back-office page in headless Chromium, signed in as the DPO: it renders, passes
axe-core and is saved as out/screenshots/office-*.png for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from gardien.server.permissions import Role
from tests.web.server import LiveServer


@pytest.fixture
def signed_in(live_server: LiveServer, page: Page) -> Page:
    dpo = live_server.staff[Role.DPO]
    page.goto(live_server.url("/office/login"))
    page.get_by_label("Account name").fill(dpo.name)
    page.get_by_label("Password").fill(dpo.password)
    page.get_by_role("button", name="Sign in").click()
    assert page.url.rstrip("/").endswith("/office")
    return page


def test_every_back_office_page_renders_and_is_accessible(
    live_server: LiveServer,
    signed_in: Page,
    screenshot: Callable[[Page, str], Path],
    axe: Callable[..., list[dict[str, Any]]],
) -> None:
    page = signed_in
    for name, path in [
        ("queue", "/office"),
        ("new-request", "/office/requests/new"),
        ("retention", "/office/retention"),
        ("holds", "/office/holds"),
        ("audit", "/office/audit"),
        ("consent", "/office/consent"),
    ]:
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        screenshot(page, f"office-{name}")
        axe(page)
    page.get_by_role("button", name="Sign out").click()
    assert "/office/login" in page.url
    screenshot(page, "office-login")
    axe(page)
