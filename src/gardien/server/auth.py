"""Who calls: staff authentication by API token (``gdn_…``), and the refusals it gives.

argon2 is slow on purpose (tens of milliseconds), which a consent check answering thousands of
calls a second cannot pay each time: a token that passed argon2 is remembered, by its SHA-256
only, for ``settings.token_cache_seconds``; a disabled account stops working within that time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool

from gardien.errors import GardienError, Kind
from gardien.jobs import accounts
from gardien.server.context import Context
from gardien.server.permissions import Permission, Role


class Unauthenticated(GardienError):
    """No credentials, or credentials that name no enabled account."""

    code = "unauthenticated"
    kind = Kind.UNAUTHENTICATED


class PermissionDenied(GardienError):
    """The caller is known, and their role does not allow what they ask."""

    code = "forbidden"
    kind = Kind.FORBIDDEN

    def __init__(self, role: Role, permission: Permission) -> None:
        self.role, self.permission = role, permission
        super().__init__(f"the role {role.value} does not allow {permission.value}")

    def details(self) -> dict[str, str]:
        return {"role": self.role.value, "permission": self.permission.value}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """As written in the audit trail."""
        return f"api:{self.name}"


class TokenCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._known: dict[str, tuple[Principal, float]] = {}
        self._checking: dict[str, asyncio.Future[Principal | None]] = {}

    async def principal(self, ctx: Context, token: str) -> Principal | None:
        fingerprint = hashlib.sha256(token.encode()).hexdigest()
        hit = self._known.get(fingerprint)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        # One argon2 check per token at a time: a client opening 32 connections at once must
        # not start 32 checks of 64 MiB each (seen in bench/api.py: seconds of stall at start).
        pending = self._checking.get(fingerprint)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Principal | None] = asyncio.get_running_loop().create_future()
        self._checking[fingerprint] = future
        try:
            principal = await self._check(ctx, token, fingerprint)
            future.set_result(principal)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # the waiters get it; no "never retrieved" warning if none
            raise
        finally:
            del self._checking[fingerprint]
        return principal

    async def _check(self, ctx: Context, token: str, fingerprint: str) -> Principal | None:
        # argon2 and the store off the event loop: other requests go on meanwhile.
        account = await run_in_threadpool(accounts.by_token, ctx.engine, token)
        if account is None:
            self._known.pop(fingerprint, None)
            return None
        principal = Principal(account.name, Role(account.role))
        if len(self._known) > 10_000:  # bounded: a flood of valid tokens cannot grow it forever
            self._known.clear()
        self._known[fingerprint] = (principal, time.monotonic() + self.seconds)
        return principal
