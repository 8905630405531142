"""Staff accounts and their API tokens: the use cases ``gardien user`` and the server share.

An account has a role (``gardien.roles``), an API token shown once at creation and stored as
an argon2 hash, and optionally a back-office password (checked before anything is created,
so that no account is left half made). Authentication by token (the API) and by password (the
back office) are here too, over ``gardien.store.accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.jobs import lockout
from gardien.roles import Role
from gardien.store import accounts as book
from gardien.store.accounts import Account

MIN_PASSWORD_LENGTH = book.MIN_PASSWORD_LENGTH


@dataclass(frozen=True)
class NewAccount:
    account: Account
    token: str
    """The API token, in clear in this result only (the store keeps its hash)."""


def add(
    engine: Engine,
    clock: Clock,
    *,
    name: str,
    role: str,
    actor: str,
    password: str | None = None,
) -> NewAccount:
    """Create an account with ``role`` and its token; with ``password``, its back-office
    password too (refused before the account is created when unfit)."""
    chosen = Role.parse(role)
    if password is not None:
        book.check_password(password)
    account, token = book.create(engine, clock, name=name, role=chosen.value, actor=actor)
    if password is not None:
        account = book.set_password(engine, clock, name, password, actor)
    return NewAccount(account, token)


def set_password(engine: Engine, clock: Clock, name: str, password: str, *, actor: str) -> Account:
    """Set or change the back-office password; the sessions opened before are closed."""
    book.check_password(password)
    return book.set_password(engine, clock, name, password, actor)


def check_password(password: str) -> None:
    book.check_password(password)


def by_token(engine: Engine, token: str) -> Account | None:
    """The enabled account an API token belongs to (argon2: slow on purpose), or None."""
    return book.authenticate(engine, token)


def token_prefix(token: str) -> str | None:
    """The public part of an API token that finds its account (rate limits count by it)."""
    return book.token_prefix(token)


@dataclass(frozen=True)
class SignIn:
    """The outcome of one back-office sign-in attempt."""

    account: Account | None
    """The account signed in to, or None: unknown name, wrong password, disabled or locked
    (told apart to nobody: the person sees one message)."""
    locked_until: datetime | None = None
    """Set when this failure locked the account (``lockout.is_lock``): audit it."""
    failures: int = 0


def by_password(engine: Engine, clock: Clock, name: str, password: str) -> SignIn:
    """Sign in with a password: same answer and cost for an unknown name, a wrong password and
    a locked account (``gardien.jobs.lockout``); each failure on an account counts."""
    until = book.locked_until(engine, name) if name else None
    if until is not None and until > clock.now():
        book.burn_password_check(password)  # no check while locked, not even the right one
        return SignIn(None)
    account = book.authenticate_password(engine, name, password)
    if account is not None:
        book.clear_sign_in_failures(engine, name)
        return SignIn(account)
    counted = book.record_sign_in_failure(engine, clock, name, lockout.wait_after) if name else None
    if counted is None:
        return SignIn(None)
    failures, until = counted
    return SignIn(None, until if lockout.is_lock(failures) else None, failures)


def unlock(engine: Engine, clock: Clock, name: str, *, actor: str) -> Account:
    """Lift a sign-in lock and the count of failures (an administrator; audited)."""
    return book.unlock(engine, clock, name, actor)


def enabled(engine: Engine, name: str) -> Account | None:
    return book.enabled(engine, name)


def sign_out(engine: Engine, name: str) -> None:
    """End every back-office session of the account."""
    book.close_sessions(engine, name)


# --- managing accounts (issue 9 §2): the CLI, the API and the back office call these ---------
# Each change closes the account's back-office sessions and is audited in the same
# transaction (store.accounts._change). A server also forgets the account's cached tokens when
# the change goes through it (server.auth.TokenCache.forget); a change from the command line
# reaches a running server's cache within GARDIEN_TOKEN_CACHE_SECONDS.


def rotate_token(engine: Engine, clock: Clock, name: str, *, actor: str) -> NewAccount:
    """A new API token for ``name``, in clear in the result only; the previous one stops."""
    account, token = book.rotate_token(engine, clock, name, actor)
    return NewAccount(account, token)


def revoke_token(engine: Engine, clock: Clock, name: str, *, actor: str) -> Account:
    """``name``'s API token stops working (a new one: ``rotate_token``)."""
    return book.revoke_token(engine, clock, name, actor)


def disable(engine: Engine, clock: Clock, name: str, *, actor: str) -> Account:
    """No token, no sign-in, sessions closed, until ``enable``."""
    return book.set_disabled(engine, clock, name, True, actor)


def enable(engine: Engine, clock: Clock, name: str, *, actor: str) -> Account:
    return book.set_disabled(engine, clock, name, False, actor)


def change_role(engine: Engine, clock: Clock, name: str, role: str, *, actor: str) -> Account:
    """Give ``name`` another role (dpo, agent, auditor, admin)."""
    return book.set_role(engine, clock, name, Role.parse(role).value, actor)


def listing(engine: Engine) -> list[book.AccountListing]:
    return book.all_accounts(engine)
