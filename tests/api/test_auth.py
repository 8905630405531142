"""The token cache: one argon2 check for many simultaneous first calls; wrong tokens stay out
(tests/security/test_token_flood.py: what a flood of wrong tokens costs)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gardien.server import auth
from gardien.server.auth import Principal, TokenCache
from gardien.server.permissions import Role
from gardien.store.accounts import Account


def test_simultaneous_first_calls_share_one_check(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def slow_authenticate(_engine: Any, token: str) -> Account | None:
        calls.append(token)
        time.sleep(0.05)
        return Account("claire", "agent", None) if token == "good" else None  # type: ignore[arg-type]

    monkeypatch.setattr(auth.accounts, "by_token", slow_authenticate)
    cache = TokenCache(60)
    ctx: Any = type("Ctx", (), {"engine": None})()

    async def many() -> list[Principal | None]:
        return await asyncio.gather(
            *(cache.principal(ctx, "good", "192.0.2.1") for _ in range(20)),
            *(cache.principal(ctx, "bad", "192.0.2.1") for _ in range(5)),
        )

    results = asyncio.run(many())
    assert results[:20] == [Principal("claire", Role.AGENT)] * 20
    assert results[20:] == [None] * 5
    assert sorted(calls) == ["bad", "good"]
    # Remembered afterwards; a wrong token is remembered as wrong for a while (never as good).
    assert asyncio.run(cache.principal(ctx, "good", "192.0.2.1")) == Principal("claire", Role.AGENT)
    assert asyncio.run(cache.principal(ctx, "bad", "192.0.2.1")) is None
    assert sorted(calls) == ["bad", "good"]
