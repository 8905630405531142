"""Rate limits per client address on the public portal (issue 5 §2, "Abuse").

A moving window from the ``limits`` library, in memory by default (one server process); with
several processes, point ``GARDIEN_RATE_LIMIT_STORAGE`` at a shared store (``redis://…``) so
the limit holds across them. The address is ``gardien.server.client.client_address``'s
(forwarding headers believed only from ``GARDIEN_TRUSTED_PROXIES``), counted per IPv4 address
or per IPv6 /64 (``limit_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gardien.errors import GardienError, Kind
from gardien.server.client import limit_key


class RateLimited(GardienError):
    """An address (or an account) went over its limit for an action; try again later."""

    code = "rate_limited"
    kind = Kind.RATE_LIMITED


@dataclass(frozen=True)
class Limits:
    """What one address may do; generous for a person, tight for a script."""

    submit: str = "5/hour"
    """New requests: a person files one or two; more is a script or a harassment attempt."""
    verify: str = "20/hour"
    """Code attempts across requests (each code also allows only 5 attempts, R-RGT-11)."""
    resend: str = "5/hour"
    """New codes: each one is a message to someone's inbox or phone."""
    download: str = "30/hour"
    pages: str = "300/minute"
    login: str = "10/minute"
    """Back office sign-in attempts (argon2 makes each attempt slow too)."""
    token_failures: str = "20/minute"
    """API tokens refused per address: past it, no new token from there is hashed for a while
    (each check is a 64 MiB argon2 hash; a valid token already checked keeps working)."""
    prefix_failures: str = "5/minute"
    """Wrong secrets per token prefix (the prefix is public: guessing one token's secret)."""


class RateLimiter:
    def __init__(self, storage_uri: str = "memory://", limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._items: dict[str, RateLimitItem] = {}

    def allow(self, action: str, address: str) -> bool:
        """Count one ``action`` by ``address``; False once the address (its /64 for IPv6) is
        over its limit."""
        return bool(self._limiter.hit(self._item(action), action, limit_key(address)))

    def _item(self, action: str) -> RateLimitItem:
        item = self._items.get(action)
        if item is None:
            item = self._items[action] = parse(getattr(self.limits, action))
        return item

    def over(self, action: str, key: str) -> bool:
        """Whether ``key`` is over its limit for ``action``, without counting an attempt (for
        limits on failures: counted by ``allow`` once an attempt has failed)."""
        return not self._limiter.test(self._item(action), action, limit_key(key))

    def check(self, action: str, address: str) -> None:
        """Count one ``action`` by ``address``; raise :class:`RateLimited` once over the limit."""
        if not self.allow(action, address):
            raise RateLimited(f"too many attempts to {action} from this address; try again later")
