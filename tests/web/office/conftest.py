"""The real app (``create_app``, as tests/api builds it) with a password per staff account, and
signed-in test clients for the back office (one cookie jar per role)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gardien.clock import FixedClock
from gardien.server.permissions import Role
from gardien.store import accounts
from gardien.store.database import open_store
from tests.api.conftest import NOW, Api, build_api

PASSWORD = "a long enough passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def session_cookie(response: httpx.Response) -> str | None:
    """The Set-Cookie header of the session cookie, if the response sets it."""
    return next(
        (c for c in response.headers.get_list("set-cookie") if c.startswith("gardien_office=")),
        None,
    )


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Office:
    api: Api
    clients: dict[Role, TestClient] = field(default_factory=dict)

    @property
    def app(self) -> FastAPI:
        app = self.api.client.app
        assert isinstance(app, FastAPI)
        return app

    def anonymous(self) -> TestClient:
        """A new visitor (own cookie jar) on the same app; redirections are not followed."""
        return TestClient(self.app, raise_server_exceptions=False, follow_redirects=False)

    def sign_in(
        self, client: TestClient, name: str, password: str, next_url: str = ""
    ) -> httpx.Response:
        form = client.get("/office/login")
        assert form.status_code == 200, form.text
        response: httpx.Response = client.post(
            "/office/login",
            data={
                "name": name,
                "password": password,
                "next": next_url,
                "csrf_token": csrf_token(form.text),
            },
        )
        return response

    def as_role(self, role: Role) -> TestClient:
        """A client signed in as ``{role}@test`` (cached per role)."""
        if role not in self.clients:
            client = self.anonymous()
            response = self.sign_in(client, f"{role.value}@test", PASSWORD)
            assert response.status_code == 303, response.text
            self.clients[role] = client
        return self.clients[role]

    def token(self, client: TestClient, path: str) -> str:
        """The CSRF token of the forms on ``path`` for this client."""
        page = client.get(path)
        assert page.status_code == 200, page.text
        return csrf_token(page.text)


def with_passwords(api: Api) -> Office:
    engine = open_store(api.store_url)
    try:
        for role in Role:
            accounts.set_password(engine, FixedClock(NOW), f"{role.value}@test", PASSWORD, "test")
    finally:
        engine.dispose()
    return Office(api)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    for api in build_api(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
    ):
        yield with_passwords(api)
