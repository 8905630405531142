"""Staff accounts and their API tokens in gardien's store.

A token is ``gdn_<prefix>_<secret>``: the prefix (random, not secret) finds the account, the
whole token is checked against its argon2 hash. The token is returned once, at creation, and
never stored in clear: a stolen store gives no usable token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import UsageError
from gardien.store import audit
from gardien.store.schema_accounts import staff_account

TOKEN_SCHEME = "gdn"
_hasher = PasswordHasher()


class AccountExists(UsageError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: datetime


def _split(token: str) -> tuple[str, str] | None:
    scheme, sep, rest = token.partition("_")
    prefix, sep2, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not sep or not sep2 or not prefix or not secret:
        return None
    return prefix, secret


def create(
    engine: Engine, clock: Clock, *, name: str, role: str, actor: str
) -> tuple[Account, str]:
    """Create an account and its token; the token is in the result only, never stored."""
    if not name.strip():
        raise UsageError("an account needs a name")
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    now = clock.now()
    with engine.begin() as conn:
        taken = conn.execute(
            sa.select(staff_account.c.name).where(staff_account.c.name == name)
        ).first()
        if taken is not None:
            raise AccountExists(f"an account named {name!r} exists already")
        conn.execute(
            staff_account.insert().values(
                name=name,
                role=role,
                token_prefix=prefix,
                token_hash=_hasher.hash(token),
                created_at=now,
                created_by=actor,
            )
        )
        audit.append(
            conn, clock, NewEvent(actor, "account.created", f"account:{name}", {"role": role})
        )
    return Account(name, role, now), token


def authenticate(engine: Engine, token: str) -> Account | None:
    """The enabled account this token belongs to, or None (unknown, wrong or disabled)."""
    parts = _split(token)
    if parts is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(staff_account).where(
                staff_account.c.token_prefix == parts[0], staff_account.c.disabled_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    try:
        _hasher.verify(row.token_hash, token)
    except (VerificationError, InvalidHashError):
        return None
    return Account(row.name, row.role, row.created_at)
