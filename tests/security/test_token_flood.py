"""Wrong API tokens cost the server little (issue 9 §2): 80 concurrent bad requests with a
real prefix used to start 80 argon2 checks of 64 MiB each (141 MiB → 2.3 GiB, 5 s stalled).

The argon2 verifications are counted by a spy on the store's hasher, not timed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from gardien.server import auth
from gardien.server.permissions import Role
from gardien.server.ratelimit import Limits
from gardien.store import accounts
from tests.api.conftest import Api

FLOOD = 80


@dataclass
class Spy:
    """Counts argon2 verifications, and the most that ran at once."""

    real: Any
    calls: int = 0
    running: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, hashed: str, secret: str) -> bool:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return bool(self.real.verify(hashed, secret))
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, secret: str) -> str:
        return str(self.real.hash(secret))


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    watcher = Spy(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", watcher)
    yield watcher


def _flood(api: Api, tokens: list[str]) -> list[int]:
    def call(token: str) -> int:
        response = api.client.get("/api/v1/registry", headers={"Authorization": f"Bearer {token}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(call, tokens))


def _prefix(api: Api, role: Role = Role.AGENT) -> str:
    return api.tokens[role].split("_")[1]  # gdn_<prefix>_<secret>


def test_80_wrong_secrets_for_a_real_prefix_cost_a_few_checks(api: Api, spy: Spy) -> None:
    prefix = _prefix(api)
    wrong = [f"gdn_{prefix}_{secrets.token_urlsafe(32)}" for _ in range(FLOOD)]
    statuses = _flood(api, wrong)
    assert set(statuses) <= {401, 429} and 429 in statuses
    limit = int(Limits().prefix_failures.split("/")[0])
    assert spy.calls <= limit + auth.MAX_HASH_CHECKS, spy.calls
    assert spy.most <= auth.MAX_HASH_CHECKS
    # The real token, already checked once before the flood, still works from the cache...
    # and an account whose prefix is not attacked is not locked out.
    other = api.client.get("/api/v1/registry", headers=api.headers(Role.DPO))
    assert other.status_code == 200


def test_80_random_tokens_from_one_address_cost_a_few_checks(api: Api, spy: Spy) -> None:
    wrong = [f"gdn_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}" for _ in range(FLOOD)]
    statuses = _flood(api, wrong)
    assert set(statuses) <= {401, 429} and 429 in statuses
    limit = int(Limits().token_failures.split("/")[0])
    assert spy.calls <= limit + auth.MAX_HASH_CHECKS, spy.calls
    assert spy.most <= auth.MAX_HASH_CHECKS
    body = api.client.get(
        "/api/v1/registry", headers={"Authorization": f"Bearer {wrong[0]}x"}
    ).json()
    assert body["error"]["code"] == "rate_limited"


def test_a_replayed_wrong_token_is_hashed_once(api: Api, spy: Spy) -> None:
    wrong = f"gdn_{_prefix(api)}_{secrets.token_urlsafe(32)}"
    assert set(_flood(api, [wrong] * FLOOD)) == {401}
    assert spy.calls == 1


def test_an_unknown_prefix_costs_the_check_a_wrong_secret_costs(api: Api, spy: Spy) -> None:
    unknown = f"gdn_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    wrong_secret = f"gdn_{_prefix(api)}_{secrets.token_urlsafe(32)}"
    for token in (unknown, wrong_secret):
        before = spy.calls
        response = api.client.get("/api/v1/registry", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert spy.calls == before + 1, token
