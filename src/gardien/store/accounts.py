"""Staff accounts and their API tokens in gardien's store.

A token is ``gdn_<prefix>_<secret>``: the prefix (random, not secret) finds the account, the
whole token is checked against its argon2 hash. The token is returned once, at creation, and
never stored in clear: a stolen store gives no usable token.

For the back office, an account may also have a password (``set_password``), kept as an argon2
hash too; ``authenticate_password`` checks it in about the same time whether the name exists or
not, so timing does not tell which staff names are valid.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import Kind, UsageError
from gardien.store import audit
from gardien.store.schema_accounts import staff_account

TOKEN_SCHEME = "gdn"
_hasher = PasswordHasher()

# NIST SP 800-63B 5.1.1.2 asks at least 8 characters of a memorised secret and advises longer
# passphrases; the back office opens every request and its identity data, so 12. The upper
# bound only keeps a pasted megabyte from being hashed (argon2 would accept it).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


class AccountExists(UsageError):
    """An account of that name exists already."""

    code = "account_exists"


class AccountNotFound(UsageError):
    """No account of that name."""

    code = "account_not_found"
    kind = Kind.NOT_FOUND


class UnfitPassword(UsageError):
    """A password refused before hashing: too short, too long, or blank."""

    code = "unfit_password"


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: datetime
    password_set_at: datetime | None = None
    """When the back-office password was last set."""
    session_epoch: int = 0
    """Back-office sessions carry this number; bumping it (new password, sign-out) ends them."""


def _utc(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; the store writes UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _account(row: Any) -> Account:
    set_at = row.password_set_at
    return Account(
        row.name,
        row.role,
        _utc(row.created_at),
        _utc(set_at) if set_at else None,
        int(row.session_epoch or 0),
    )


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
    try:
        # An unknown prefix costs the same argon2 check as a wrong secret, against a throw-away
        # hash: the answer's timing does not tell which prefixes exist (issue 9 §2).
        _hasher.verify(row.token_hash if row is not None else _dummy_hash(), token)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    return Account(row.name, row.role, row.created_at)


def token_prefix(token: str) -> str | None:
    """The (public) prefix of a well-formed token, which finds its account; None otherwise."""
    parts = _split(token)
    return parts[0] if parts is not None else None


# --- passwords for the back office ----------------------------------------------------------


def check_password(password: str) -> None:
    """Refuse an unfit password with a message that says what to change."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UnfitPassword(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters (this one has "
            f"{len(password)}); a passphrase of a few words is easiest to remember"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UnfitPassword(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise UnfitPassword("a password cannot be only spaces")


def set_password(engine: Engine, clock: Clock, name: str, password: str, actor: str) -> Account:
    """Set (or change) the account's password; the sessions opened before are closed."""
    check_password(password)
    hashed = _hasher.hash(password)  # slow on purpose: outside the transaction
    now = clock.now()
    with engine.begin() as conn:
        found = conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name)
            .values(
                password_hash=hashed,
                password_set_at=now,
                session_epoch=staff_account.c.session_epoch + 1,
            )
        ).rowcount
        if not found:
            raise AccountNotFound(f"no account named {name!r}", field="name")
        # The event says who set whose password and when; never the password or its hash.
        audit.append(conn, clock, NewEvent(actor, "account.password_set", f"account:{name}"))
        row = conn.execute(sa.select(staff_account).where(staff_account.c.name == name)).one()
    return _account(row)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def authenticate_password(engine: Engine, name: str, password: str) -> Account | None:
    """The enabled account with this name and password, or None.

    An unknown name, a disabled account or one without a password costs one argon2 check
    against a throw-away hash, like a wrong password: the answer's timing does not reveal
    which names are staff accounts.
    """
    row = None
    if 0 < len(name) <= 200 and len(password) <= MAX_PASSWORD_LENGTH:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(staff_account).where(
                    staff_account.c.name == name, staff_account.c.disabled_at.is_(None)
                )
            ).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        _hasher.verify(stored or _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None:
        return None
    return _account(row)


def locked_until(engine: Engine, name: str) -> datetime | None:
    """Until when the account refuses every password (None: not locked, or no such account)."""
    with engine.connect() as conn:
        until = conn.execute(
            sa.select(staff_account.c.locked_until).where(staff_account.c.name == name)
        ).scalar()
    return _utc(until) if until is not None else None


def burn_password_check(password: str) -> None:
    """The argon2 work of one password check, for an attempt refused without one (a locked
    account): the answer takes as long as for a wrong password."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password[:MAX_PASSWORD_LENGTH])


def record_sign_in_failure(
    engine: Engine, clock: Clock, name: str, wait_after: Callable[[int], timedelta | None]
) -> tuple[int, datetime | None] | None:
    """Count one failed sign-in of the account; lock it for ``wait_after(failures)``.

    The failures in a row and the lock's end; None when no such account exists (nothing to
    count: the answer is the same either way)."""
    now = clock.now()
    with engine.begin() as conn:
        found = conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name)
            .values(failed_sign_ins=staff_account.c.failed_sign_ins + 1)
        ).rowcount
        if not found:
            return None
        failures = int(
            conn.execute(
                sa.select(staff_account.c.failed_sign_ins).where(staff_account.c.name == name)
            ).scalar_one()
        )
        wait = wait_after(failures)
        until = now + wait if wait is not None else None
        if until is not None:
            conn.execute(
                staff_account.update()
                .where(staff_account.c.name == name)
                .values(locked_until=until)
            )
    return failures, until


def clear_sign_in_failures(engine: Engine, name: str) -> None:
    """A successful sign-in: the count starts again."""
    with engine.begin() as conn:
        conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name, staff_account.c.failed_sign_ins > 0)
            .values(failed_sign_ins=0, locked_until=None)
        )


def unlock(engine: Engine, clock: Clock, name: str, actor: str) -> Account:
    """An administrator lifts the lock and the count of failures (audited)."""
    with engine.begin() as conn:
        row = conn.execute(sa.select(staff_account).where(staff_account.c.name == name)).first()
        if row is None:
            raise AccountNotFound(f"no account named {name!r}", field="name")
        conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name)
            .values(failed_sign_ins=0, locked_until=None)
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "account.unlocked",
                f"account:{name}",
                {"failed_sign_ins": int(row.failed_sign_ins or 0)},
            ),
        )
    return _account(row)


def close_sessions(engine: Engine, name: str) -> None:
    """End every back-office session of the account (on sign-out: a copied cookie dies too)."""
    with engine.begin() as conn:
        conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name)
            .values(session_epoch=staff_account.c.session_epoch + 1)
        )


def enabled(engine: Engine, name: str) -> Account | None:
    """The account if it exists and is not disabled (read on each back-office page: one
    indexed look-up, so a disabled account is out at its next click)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(staff_account).where(
                staff_account.c.name == name, staff_account.c.disabled_at.is_(None)
            )
        ).first()
    return _account(row) if row is not None else None


# --- revoking, rotating, disabling, changing a role (issue 9 §2) -----------------------------

_REVOKED = "revoked"  # not an argon2 hash: no token verifies against it


def _change(
    engine: Engine,
    clock: Clock,
    name: str,
    actor: str,
    action: str,
    values: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> Account:
    """Update the account, close its back-office sessions and audit ``action``, at once."""
    with engine.begin() as conn:
        found = conn.execute(
            staff_account.update()
            .where(staff_account.c.name == name)
            .values(**values, session_epoch=staff_account.c.session_epoch + 1)
        ).rowcount
        if not found:
            raise AccountNotFound(f"no account named {name!r}", field="name")
        audit.append(conn, clock, NewEvent(actor, action, f"account:{name}", details or {}))
        row = conn.execute(sa.select(staff_account).where(staff_account.c.name == name)).one()
    return _account(row)


def rotate_token(engine: Engine, clock: Clock, name: str, actor: str) -> tuple[Account, str]:
    """A new API token for the account (returned once); the previous one stops working."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    hashed = _hasher.hash(token)  # slow on purpose: outside the transaction
    account = _change(
        engine,
        clock,
        name,
        actor,
        "account.token_rotated",
        {"token_prefix": prefix, "token_hash": hashed},
    )
    return account, token


def revoke_token(engine: Engine, clock: Clock, name: str, actor: str) -> Account:
    """The account's API token stops working; no new one until ``rotate_token``."""
    # A fresh random prefix (the column is unique and required) pointing at no usable hash.
    values = {"token_prefix": secrets.token_hex(6), "token_hash": _REVOKED}
    return _change(engine, clock, name, actor, "account.token_revoked", values)


def set_disabled(engine: Engine, clock: Clock, name: str, disabled: bool, actor: str) -> Account:
    """Disable (no token, no sign-in, sessions closed) or enable the account again."""
    action = "account.disabled" if disabled else "account.enabled"
    when = clock.now() if disabled else None
    return _change(engine, clock, name, actor, action, {"disabled_at": when})


def set_role(engine: Engine, clock: Clock, name: str, role: str, actor: str) -> Account:
    """Change the account's role; its sessions are closed, so its next page has the new role."""
    with engine.connect() as conn:
        before = conn.execute(
            sa.select(staff_account.c.role).where(staff_account.c.name == name)
        ).scalar()
    if before is None:
        raise AccountNotFound(f"no account named {name!r}", field="name")
    details = {"from": before, "to": role}
    return _change(engine, clock, name, actor, "account.role_changed", {"role": role}, details)


@dataclass(frozen=True)
class AccountListing:
    account: Account
    disabled_at: datetime | None
    token_revoked: bool


def all_accounts(engine: Engine) -> list[AccountListing]:
    """Every account, by name (no hash, no prefix)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff_account).order_by(staff_account.c.name)).all()
    return [
        AccountListing(
            _account(r),
            _utc(r.disabled_at) if r.disabled_at else None,
            r.token_hash == _REVOKED,
        )
        for r in rows
    ]
