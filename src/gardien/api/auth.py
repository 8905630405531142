"""Staff authentication by API token (``Authorization: Bearer gdn_…``) and permission checks.

argon2 is slow on purpose (tens of milliseconds), which a consent check answering thousands of
calls a second cannot pay each time: a token that passed argon2 is remembered, by its SHA-256
only, for ``settings.token_cache_seconds``; a disabled account stops working within that time.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gardien.api.context import Context
from gardien.api.errors import ApiError
from gardien.api.permissions import Permission, Role, allowed
from gardien.store import accounts


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
        account = await run_in_threadpool(accounts.authenticate, ctx.engine, token)
        if account is None:
            self._known.pop(fingerprint, None)
            return None
        principal = Principal(account.name, Role(account.role))
        if len(self._known) > 10_000:  # bounded: a flood of valid tokens cannot grow it forever
            self._known.clear()
        self._known[fingerprint] = (principal, time.monotonic() + self.seconds)
        return principal


bearer = HTTPBearer(auto_error=False, description="An API token from `gardien user add`.")


async def context(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, if their token is valid and their role has ``permission``."""

    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per call that the
    # hot consent check should not pay for a dictionary look-up.
    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "unauthenticated", "give an API token: Authorization: Bearer gdn_…")
        cache: TokenCache = request.app.state.tokens
        principal = await cache.principal(await context(request), credentials.credentials)
        if principal is None:
            raise ApiError(401, "unauthenticated", "unknown, wrong or disabled API token")
        if not allowed(principal.role, permission):
            raise ApiError(
                403,
                "forbidden",
                f"the role {principal.role.value} does not allow {permission.value}",
                {"role": principal.role.value, "permission": permission.value},
            )
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the matrix tests
    return dependency
