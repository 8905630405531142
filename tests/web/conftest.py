"""Fixtures for the browser tests: the live app, Debian's chromium, screenshots, axe-core.

- ``live_server``: the real app (``create_app``) served by uvicorn on a free loopback port, on a
  tmp SQLite store and the ima-protect systems filled with synthetic people, on the system
  clock (one-time codes do not expire mid-test); a staff account per role
  (``live_server.staff[Role.AGENT]``: name, token, password); the outbox folder
  (``live_server.latest_code(email)`` reads the last one-time code sent).
- ``browser`` (one per test module), ``page`` (a fresh context per test) and ``new_page(locale=)``
  (one more visitor): Playwright's sync API on ``/usr/bin/chromium``. Requests to anything but
  loopback are aborted, and a test whose page tried one fails, unless marked
  ``@pytest.mark.allows_external_requests``.
- ``screenshot(page, name)``: ``out/screenshots/<name>.png``; ``axe(page)``: axe-core's
  violations, failing the test on serious or critical ones.

A PostgreSQL store: ``yield from start_live_server(tmp_path, monkeypatch, postgres_url, ...)``
(``tests/web/server.py``) in a fixture of your own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.web import browser as helpers
from tests.web.server import LiveServer, start_live_server

VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # a server-rendered page over loopback answers in well under that


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allows_external_requests: the page may try to reach a host other than loopback "
        "(the request is still aborted, the test does not fail for it)",
    )


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The real app over HTTP on a tmp SQLite store (one per test: tests do not share state)."""
    yield from start_live_server(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
    )


# Per module, not per session: Playwright's sync API keeps an asyncio loop running in this
# thread while it is started, and any later test calling asyncio.run() (tests/api) would fail
# with "cannot be called from a running event loop" if the browser lived to the session's end.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(helpers.CHROMIUM).exists():
        helpers.chromium_missing(f"{helpers.CHROMIUM} is missing")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; never a browser downloaded by ``playwright install``."""
    try:
        launched = playwright.chromium.launch(
            executable_path=helpers.CHROMIUM, args=helpers.CHROMIUM_ARGS, headless=True
        )
    except Error as exc:
        helpers.chromium_missing(f"{helpers.CHROMIUM} does not start: {exc.message}")
    yield launched
    launched.close()


@pytest.fixture
def external_requests() -> list[str]:
    """URLs the test's pages tried to reach outside loopback (each one aborted)."""
    return []


@pytest.fixture
def new_page(
    browser: Browser, external_requests: list[str], request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """``new_page(locale="en-GB")``: a page in a fresh context (its own cookies), kept to
    loopback; several per test make several independent visitors (a person and an agent)."""
    contexts: list[BrowserContext] = []

    def make(locale: str = "fr-FR") -> Page:
        context = browser.new_context(viewport=VIEWPORT, locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", helpers.keep_local(external_requests))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    if external_requests and request.node.get_closest_marker("allows_external_requests") is None:
        pytest.fail(
            "the page tried to reach hosts other than this server (a visitor's address would "
            "leak to them): " + ", ".join(sorted(set(external_requests))),
            pytrace=False,
        )


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A French-speaking visitor's page (the ima-protect controller is French)."""
    return new_page()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, name[, full_page=False])`` saves ``out/screenshots/<name>.png`` and returns its path."""
    return helpers.screenshot


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    """``axe(page)``: axe-core's violations; serious or critical ones fail the test."""
    return helpers.axe
