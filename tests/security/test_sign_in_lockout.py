"""Guessing a staff password does not pay, from however many addresses (issue 9 §3.3).

Before: the per-address limit (10 a minute) was the only bound; rotating addresses, a script
tried 4 passwords a second on the DPO's account, unbounded. Now failures in a row are counted
on the account in the store: from the fifth the account waits, the tenth locks it for 15
minutes, audited; a locked account answers as a wrong password does; an administrator unlocks.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.clock import FixedClock
from gardien.jobs import accounts as jobs
from gardien.jobs import lockout
from gardien.server.ratelimit import RateLimiter
from gardien.store import accounts, audit
from tests.api.conftest import NOW
from tests.web.office.conftest import PASSWORD, Office, session_cookie
from tests.web.office.test_login import events

PATIENCE = timedelta(seconds=20)
"""How long the attacker waits between guesses: past every slow-down (16 s at most)."""


def _attacker(office: Office, name: str, guesses: int) -> list[int]:
    """Wrong passwords on ``name``, a new address for every five (as the rotating script),
    waiting out each slow-down; the clock is left at the last guess."""
    statuses = []
    for guess in range(guesses):
        office.app.state.gardien.clock = FixedClock(NOW + guess * PATIENCE)
        if guess % 5 == 0:
            office.app.state.rate_limiter = RateLimiter()
        client = office.anonymous()
        statuses.append(office.sign_in(client, name, f"guess number {guess:04d}").status_code)
    return statuses


LAST_GUESS = NOW + (lockout.LOCK_AFTER - 1) * PATIENCE


def _page(text: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', text)


def test_ten_failures_lock_the_account_even_from_new_addresses(office: Office) -> None:
    assert _attacker(office, "dpo@test", lockout.LOCK_AFTER) == [401] * lockout.LOCK_AFTER
    office.app.state.rate_limiter = RateLimiter()
    refused = office.sign_in(office.anonymous(), "dpo@test", PASSWORD)  # the right password
    assert refused.status_code == 401 and session_cookie(refused) is None
    (locked,) = events(office, "account.locked")
    assert locked.target == "account:dpo@test"
    assert locked.details["failed_sign_ins"] == lockout.LOCK_AFTER
    assert locked.details["until"] == (LAST_GUESS + lockout.LOCK).isoformat()
    # Fifteen minutes later the person signs in, and the count starts again.
    office.app.state.gardien.clock = FixedClock(LAST_GUESS + lockout.LOCK)
    assert office.sign_in(office.anonymous(), "dpo@test", PASSWORD).status_code == 303


def test_a_locked_account_answers_as_an_unknown_name(office: Office) -> None:
    _attacker(office, "dpo@test", lockout.LOCK_AFTER)
    _attacker(office, "nobody@test", lockout.LOCK_AFTER)
    office.app.state.rate_limiter = RateLimiter()
    locked = office.sign_in(office.anonymous(), "dpo@test", PASSWORD)
    unknown = office.sign_in(office.anonymous(), "nobody@test", PASSWORD)
    assert locked.status_code == unknown.status_code == 401
    assert _page(locked.text).replace("dpo@test", "X") == _page(unknown.text).replace(
        "nobody@test", "X"
    )


def test_an_administrator_unlocks_from_the_command_line(office: Office) -> None:
    _attacker(office, "agent@test", lockout.LOCK_AFTER)
    result = CliRunner().invoke(
        cli,
        ["user", "unlock", "agent@test", "--store", office.api.store_url, "--actor", "admin"],
    )
    assert result.exit_code == 0, result.output
    (unlocked,) = events(office, "account.unlocked")
    assert (unlocked.actor, unlocked.target) == ("admin", "account:agent@test")
    assert unlocked.details == {"failed_sign_ins": lockout.LOCK_AFTER}
    office.app.state.rate_limiter = RateLimiter()
    assert office.sign_in(office.anonymous(), "agent@test", PASSWORD).status_code == 303
    unknown = CliRunner().invoke(cli, ["user", "unlock", "ghost", "--store", office.api.store_url])
    assert unknown.exit_code != 0 and "no account named 'ghost'" in unknown.output


def test_failures_slow_then_lock_longer_and_longer() -> None:
    waits = [lockout.wait_after(n) for n in range(1, 14)]
    assert waits[:4] == [None] * 4
    assert waits[4:9] == [timedelta(seconds=s) for s in (1, 2, 4, 8, 16)]
    assert waits[9:] == [timedelta(minutes=m) for m in (15, 30, 60, 120)]
    assert lockout.wait_after(40) == lockout.MAX_LOCK


def test_failures_are_counted_in_the_store(store: Engine) -> None:
    clock = FixedClock(NOW)
    accounts.create(store, clock, name="dpo", role="dpo", actor="test")
    accounts.set_password(store, clock, "dpo", PASSWORD, "test")
    for n in range(1, lockout.SLOW_AFTER):
        assert jobs.by_password(store, clock, "dpo", "wrong passphrase!").failures == n
    slowed = jobs.by_password(store, clock, "dpo", "wrong passphrase!")
    assert slowed.failures == lockout.SLOW_AFTER and slowed.locked_until is None  # not a lock
    assert jobs.by_password(store, clock, "dpo", PASSWORD).account is None  # waits one second
    later = FixedClock(NOW + timedelta(seconds=1))
    assert jobs.by_password(store, later, "dpo", PASSWORD).account is not None
    assert accounts.locked_until(store, "dpo") is None  # a success resets the count
    assert jobs.by_password(store, later, "dpo", "wrong passphrase!").failures == 1
    assert jobs.by_password(store, later, "nobody", "wrong passphrase!").failures == 0
    jobs.unlock(store, later, "dpo", actor="admin")
    assert [e.action for e in audit.events(store, action="account.unlocked")] == [
        "account.unlocked"
    ]
