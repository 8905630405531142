"""The real app served over loopback by uvicorn, for browser tests and schemathesis.

``start_live_server`` builds what ``tests/api/conftest.py::build_api`` builds (a store, the
ima-protect systems filled with synthetic people, one staff account per role with an API token
and a password), on the system clock so that one-time codes do not expire mid-test, and serves
it with uvicorn in a background thread on a free 127.0.0.1 port: real HTTP, one event loop, as
``gardien serve`` runs it.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from gardien.clock import Clock, SystemClock
from gardien.registry.loader import load_registry
from gardien.server.app import create_app
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ima-protect.yaml"
PEOPLE = 40  # per system: enough for near twins, quick to fill (about a second)


@dataclass(frozen=True)
class StaffAccount:
    """A staff account created in the store for the test: its API token and its back-office
    password (``accounts.set_password``)."""

    name: str
    role: Role
    token: str
    password: str

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
def serve(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yield its base URL, stop on exit.
    ``options`` go to ``uvicorn.Config`` (those ``gardien serve`` passes, for instance).

    The socket is bound here (port 0, loopback only) and handed to uvicorn, so there is no
    window in which another process could take the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, **{"log_level": "warning", "access_log": False, "lifespan": "on", **options}
    )
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


def start_live_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str, systems_url: str
) -> Iterator[LiveServer]:
    """Fill the systems, create one account per role, serve the app; stop it afterwards."""
    outbox = tmp_path / "outbox"
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems_url)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems_url)
    monkeypatch.setenv("GARDIEN_OUTBOX", str(outbox))
    monkeypatch.delenv("GARDIEN_SMTP_URL", raising=False)
    clock = SystemClock()
    registry = load_registry(EXAMPLE)
    for system_id in registry.systems:
        create_system(registry, system_id)
        fill_system(registry, system_id, people=PEOPLE, seed=5, now=clock.now())
    engine = open_store(store_url)
    try:
        staff = {}
        for role in Role:
            name = f"{role.value}@test"
            _, token = accounts.create(engine, clock, name=name, role=role.value, actor="test")
            password = f"{role.value} passphrase for the browser tests"
            accounts.set_password(engine, clock, name, password, actor="test")
            staff[role] = StaffAccount(name, role, token, password)
    finally:
        engine.dispose()
    settings = Settings(database_url=store_url, registry=EXAMPLE, env="dev")
    app = create_app(settings, clock=clock)
    with serve(app) as base_url:
        yield LiveServer(
            base_url=base_url,
            app=app,
            clock=clock,
            store_url=store_url,
            systems_url=systems_url,
            registry_path=EXAMPLE,
            outbox=outbox,
            staff=staff,
        )
