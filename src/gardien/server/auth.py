"""Who calls: staff authentication by API token (``gdn_…``), and the refusals it gives.

argon2 is slow on purpose (tens of milliseconds), which a consent check answering thousands of
calls a second cannot pay each time: a token that passed argon2 is remembered, by its SHA-256
only, for ``settings.token_cache_seconds``. An account disabled or a token revoked through this
server is forgotten at once (``forget``); through the command line, another process, within
that time.

A wrong token costs the same 64 MiB argon2 check, which a client must not be able to order by
the hundred (issue 9 §2: 80 such requests took a server from 141 MiB to 2.3 GiB):

- at most ``MAX_HASH_CHECKS`` checks run at once, the others wait their turn;
- a refused token is remembered (its SHA-256) for ``FAILURE_MEMORY_SECONDS``: replaying it is
  refused without hashing;
- refusals are counted per client address and per token prefix (``ratelimit.Limits``
  ``token_failures``, ``prefix_failures``); past either, a new token from that address or
  with that prefix is answered 429 without hashing, until the window moves on;
- an unknown prefix is checked against a throw-away hash, so it is refused in the time a
  wrong secret is (``store.accounts.authenticate``).
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
from gardien.server.ratelimit import RateLimited, RateLimiter

MAX_HASH_CHECKS = 3
"""argon2 checks of API tokens at once (each takes 64 MiB and a core for tens of ms)."""
FAILURE_MEMORY_SECONDS = 60.0
_MAX_REMEMBERED = 10_000


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
    def __init__(self, seconds: float, limiter: RateLimiter | None = None) -> None:
        self.seconds = seconds
        self.limiter = limiter or RateLimiter()
        self._known: dict[str, tuple[Principal, float]] = {}
        self._failed: dict[str, float] = {}
        self._checking: dict[str, asyncio.Future[Principal | None]] = {}
        self._hashing = asyncio.Semaphore(MAX_HASH_CHECKS)

    def forget(self, name: str) -> None:
        """Stop serving the cached tokens of account ``name`` (revoked, rotated, disabled, a
        new role), and the remembered refusals: a token refused while its account was
        disabled works again as soon as it is enabled (refusals are kept by digest only, so
        all are dropped; account changes are rare)."""
        for fingerprint, (principal, _) in list(self._known.items()):
            if principal.name == name:
                self._known.pop(fingerprint, None)
        self._failed.clear()

    async def principal(self, ctx: Context, token: str, address: str) -> Principal | None:
        """The account ``token`` belongs to, or None; raises ``RateLimited`` when ``address``
        or the token's prefix has been refused too often lately."""
        fingerprint = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        hit = self._known.get(fingerprint)
        if hit is not None and hit[1] > now:
            return hit[0]
        failed = self._failed.get(fingerprint)
        if failed is not None and failed > now:
            return None  # the same wrong token again: refused without hashing it again
        # One argon2 check per token at a time: a client opening 32 connections at once must
        # not start 32 checks of 64 MiB each (seen in bench/api.py: seconds of stall at start).
        pending = self._checking.get(fingerprint)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Principal | None] = asyncio.get_running_loop().create_future()
        self._checking[fingerprint] = future
        try:
            principal = await self._check(ctx, token, fingerprint, address)
            future.set_result(principal)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # the waiters get it; no "never retrieved" warning if none
            raise
        finally:
            del self._checking[fingerprint]
        return principal

    def _refuse_if_over(self, address: str, prefix: str | None) -> None:
        if self.limiter.over("token_failures", address):
            raise RateLimited(
                "too many refused API tokens from this address; try again in a minute"
            )
        if prefix is not None and self.limiter.over("prefix_failures", f"prefix:{prefix}"):
            raise RateLimited("too many wrong secrets for this API token; try again in a minute")

    async def _check(
        self, ctx: Context, token: str, fingerprint: str, address: str
    ) -> Principal | None:
        prefix = accounts.token_prefix(token)
        self._refuse_if_over(address, prefix)
        async with self._hashing:
            # Again once our turn comes: the checks queued meanwhile may have used the limit.
            self._refuse_if_over(address, prefix)
            # argon2 and the store off the event loop: other requests go on meanwhile.
            account = await run_in_threadpool(accounts.by_token, ctx.engine, token)
        if account is None:
            self._known.pop(fingerprint, None)
            self.limiter.allow("token_failures", address)
            if prefix is not None:
                self.limiter.allow("prefix_failures", f"prefix:{prefix}")
            if len(self._failed) > _MAX_REMEMBERED:
                self._failed.clear()
            self._failed[fingerprint] = time.monotonic() + FAILURE_MEMORY_SECONDS
            return None
        principal = Principal(account.name, Role(account.role))
        if len(self._known) > _MAX_REMEMBERED:  # a flood of valid tokens cannot grow it forever
            self._known.clear()
        self._known[fingerprint] = (principal, time.monotonic() + self.seconds)
        return principal
