"""The portal in headless Chromium: every page renders, passes axe-core, and works without
JavaScript; screenshots in out/screenshots/portal-*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from gardien.server.permissions import Role
from tests.web import browser as helpers
from tests.web.server import LiveServer

Shot = Callable[[Page, str], Path]
Axe = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def no_js(browser: Browser, external_requests: list[str]) -> Iterator[Callable[[str], Page]]:
    """Visitors whose browser runs no JavaScript: the portal must work for them (issue 5 §2)."""
    contexts: list[BrowserContext] = []

    def make(locale: str) -> Page:
        context = browser.new_context(locale=locale, java_script_enabled=False)
        context.set_default_timeout(10_000)
        context.route("**/*", helpers.keep_local(external_requests))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not external_requests


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_and_notice_render_and_are_accessible(
    live_server: LiveServer, page: Page, screenshot: Shot, axe: Axe, lang: str
) -> None:
    page.goto(live_server.url(f"/?lang={lang}"))
    assert page.locator("h1").count() == 1
    assert "IMA PROTECT" in page.locator("header").inner_text()
    screenshot(page, f"portal-home-{lang}")
    axe(page)
    notice = "Politique de confidentialité" if lang == "fr" else "Privacy notice"
    page.get_by_role("link", name=notice).first.click()
    assert page.url.startswith(live_server.url("/notice"))
    assert page.locator("section h2").count() >= 8
    screenshot(page, f"portal-notice-{lang}")
    axe(page)


def test_a_person_files_an_access_request_and_confirms_with_the_code(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    no_js: Callable[[str], Page],
    screenshot: Shot,
    axe: Axe,
) -> None:
    page = no_js("en-GB")
    email = live_server.a_client_email()
    page.goto(live_server.url("/request?lang=en"))
    screenshot(page, "portal-request-form")
    axe_page = new_page(locale="en-GB")
    axe_page.goto(live_server.url("/request?lang=en"))
    axe(axe_page)

    page.get_by_label("See my data (access)").check()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send the request").click()
    assert "/status/" in page.url
    assert page.get_by_role("status").first.inner_text().startswith("If the details you gave")
    screenshot(page, "portal-status-awaiting-code")

    code = live_server.latest_code(email)
    page.get_by_label("Code received").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    assert "This code is not valid" in page.get_by_role("alert").inner_text()
    screenshot(page, "portal-status-wrong-code")

    page.get_by_label("Code received").fill(live_server.latest_code(email))
    page.get_by_role("button", name="Confirm").click()
    assert "Identity confirmed" in page.locator("dl.facts").inner_text()
    screenshot(page, "portal-status-verified")


def test_the_form_explains_what_is_missing(
    live_server: LiveServer, no_js: Callable[[str], Page], screenshot: Shot
) -> None:
    page = no_js("fr-FR")
    page.goto(live_server.url("/request?lang=fr"))
    page.get_by_label("Numéro de téléphone").fill("pas un numéro")
    page.get_by_role("button", name="Envoyer la demande").click()
    alert = page.get_by_role("alert").inner_text()
    assert "Choisissez le type de demande" in alert
    assert "Numéro de téléphone : la valeur indiquée n'est pas valable" in alert
    # what was typed is kept
    assert page.get_by_label("Numéro de téléphone").input_value() == "pas un numéro"
    screenshot(page, "portal-request-errors")


def test_an_unknown_status_link_is_a_plain_not_found(live_server: LiveServer) -> None:
    answer = httpx.get(live_server.url("/status/" + "A" * 43), timeout=10)
    assert answer.status_code == 404
    assert "<h1>" in answer.text
    assert live_server.headers(Role.DPO)  # the server is the live one


def test_the_form_fits_a_phone_screen(
    live_server: LiveServer, browser: Browser, screenshot: Shot, axe: Axe
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="fr-FR", is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(live_server.url("/request"))
        # nothing wider than the screen: no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "portal-request-phone")
        axe(page)
    finally:
        context.close()
