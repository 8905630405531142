"""Helpers for the browser tests: Debian's chromium, screenshots, axe-core.

The browser is Debian's ``chromium`` package (``make browser`` installs it), driven by Playwright
through ``executable_path``: ``playwright install`` downloads a browser build of its own and is
never called (issue 5 §4). A missing chromium skips the browser tests on a developer's machine
and fails them under ``CI=true``, where a skip would hide a broken set-up (tests/databases.py).

The fixtures that use these helpers are in ``tests/web/conftest.py``; the live server is in
``tests/web/server.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Route

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"

CHROMIUM = os.environ.get("GARDIEN_TEST_CHROMIUM", "/usr/bin/chromium")
# Headless, no sandbox (tests run as root in CI), and none of the calls home a fresh profile
# makes (component updates, sync, safe-browsing lists): the machine reaches no other network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
# Impacts that fail a test; "moderate" and "minor" are reported by axe() but do not fail.
BLOCKING_IMPACTS = ("serious", "critical")


def chromium_missing(reason: str) -> None:
    """Skip on a developer's machine, fail under CI=true (the tests/databases.py rule)."""
    message = f"{reason}: run `make browser` (installs Debian's chromium package)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# -- the browser ------------------------------------------------------------------------------


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def keep_local(blocked: list[str]) -> Any:
    """A route handler that lets loopback requests through and aborts (and records) the rest.

    The machine reaches no network but the package registries, and a page that loads a font
    or a script from a third party hands every visitor's address to it: the portal must not.
    """

    def handle(route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.fallback()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    return handle


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG as ``out/screenshots/<name>.png`` (an artefact for the reviewer), the whole
    page unless ``full_page`` is false. The screenshot is not what a test checks, so it gets a
    minute: painting a tall page takes that long on a loaded two-core machine."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    return path


# -- accessibility ----------------------------------------------------------------------------

_AXE = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (bundled by axe-playwright-python) in the page; its violations, all impacts."""
    results = _AXE.run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(violations: Sequence[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]\n    on: {'; '.join(targets)}"
        )
    return "\n".join(lines)


def axe(page: Page, *, fail_on: Sequence[str] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """The page's axe-core violations; fails the test on any whose impact is in ``fail_on``."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in fail_on]
    if blocking:
        pytest.fail(
            f"accessibility violations on {page.url} (axe-core):\n{describe(blocking)}",
            pytrace=False,
        )
    return violations
