"""Helpers for the browser tests: Debian's chromium, the live server, screenshots, axe-core.

The browser is Debian's ``chromium`` package (``make browser`` installs it), driven by Playwright
through ``executable_path``: ``playwright install`` downloads a browser build of its own and is
never called (issue 5 §4). A missing chromium skips the browser tests on a developer's machine
and fails them under ``CI=true``, where a skip would hide a broken set-up (tests/databases.py).

The fixtures that use these helpers are in ``tests/web/conftest.py``.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI
from playwright.sync_api import Page, Route

from gardien.api.permissions import Role
from gardien.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ima-protect.yaml"
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


# -- the live server --------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccount:
    """A staff account created in the store for the test, with its API token."""

    name: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class LiveServer:
    """The real app served over loopback by uvicorn, on a tmp store and the ima-protect systems."""

    base_url: str
    app: FastAPI
    clock: Clock
    store_url: str
    systems_url: str
    registry_path: Path
    outbox: Path
    staff: dict[Role, StaffAccount] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def token(self, role: Role) -> str:
        return self.staff[role].token

    def headers(self, role: Role) -> dict[str, str]:
        return self.staff[role].headers

    def a_client_email(self) -> str:
        """The e-mail of a person the CRM knows (first client with one)."""
        return str(self._scalar("SELECT email FROM client WHERE email IS NOT NULL ORDER BY id"))

    def _scalar(self, query: str) -> Any:
        engine = sa.create_engine(self.systems_url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(query)).scalars().first()
        finally:
            engine.dispose()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Messages in the outbox, oldest first; only those to ``to`` (e-mail or phone) if given."""
        if not self.outbox.is_dir():
            return []
        found = []
        for path in sorted(self.outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            recipient = message.get("To") or message.get("X-Gardien-Phone") or ""
            if to is None or to.lower() in str(recipient).lower():
                found.append(message)
        return found

    def latest_code(self, to: str | None = None) -> str:
        """The one-time code of the last verification message (to ``to`` if given)."""
        for message in reversed(self.messages(to)):
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            match = re.search(r"code\s*:\s*(\d{6})\b", text)
            if match:
                return match.group(1)
        raise AssertionError(f"no verification code in the outbox {self.outbox} (to={to!r})")


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yield its base URL, stop on exit.

    The socket is bound here (port 0, loopback only) and handed to uvicorn, so there is no
    window in which another process could take the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the test below, not lost in the thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="live-server", daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if server.started or failure or not thread.is_alive():
                break
            threading.Event().wait(0.025)
        if not server.started:
            raise RuntimeError(f"the live server did not start: {failure or 'timed out'}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


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


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as ``out/screenshots/<name>.png`` (an artefact for the reviewer)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
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
