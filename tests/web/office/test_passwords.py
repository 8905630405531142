"""Back-office passwords: stored as argon2 hashes, checked in the same way for unknown names,
set from the command line (asked twice, or from stdin), audited without the secret."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.clock import FixedClock
from gardien.store import accounts, audit
from gardien.store.database import open_store
from tests.api.conftest import NOW

GOOD = "correct horse battery"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'g.db'}"


def test_a_password_is_stored_hashed_checked_and_audited(url: str) -> None:
    engine = open_store(url)
    clock = FixedClock(NOW)
    accounts.create(engine, clock, name="claire", role="agent", actor="test")
    assert accounts.authenticate_password(engine, "claire", GOOD) is None  # none set yet
    account = accounts.set_password(engine, clock, "claire", GOOD, "admin:bob")
    assert account.password_set_at == NOW
    found = accounts.authenticate_password(engine, "claire", GOOD)
    assert found is not None and (found.name, found.role) == ("claire", "agent")
    assert accounts.authenticate_password(engine, "claire", GOOD + "!") is None
    assert accounts.authenticate_password(engine, "nobody", GOOD) is None
    assert accounts.authenticate_password(engine, "", GOOD) is None
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM staff_account").scalar_one()
    assert stored.startswith("$argon2") and GOOD not in stored
    (event,) = list(audit.events(engine, action="account.password_set"))
    assert (event.actor, event.target, dict(event.details)) == ("admin:bob", "account:claire", {})


def test_unfit_passwords_and_unknown_accounts_are_refused_with_a_reason(url: str) -> None:
    engine = open_store(url)
    clock = FixedClock(NOW)
    accounts.create(engine, clock, name="claire", role="agent", actor="test")
    with pytest.raises(accounts.UnfitPassword, match="at least 12 characters"):
        accounts.set_password(engine, clock, "claire", "short", "test")
    with pytest.raises(accounts.UnfitPassword, match="only spaces"):
        accounts.set_password(engine, clock, "claire", " " * 14, "test")
    # The store's message names no command (the CLI adds "gardien user add" itself).
    with pytest.raises(accounts.AccountNotFound, match="no account named 'nobody'"):
        accounts.set_password(engine, clock, "nobody", GOOD, "test")


def test_a_disabled_account_cannot_sign_in(url: str) -> None:
    engine = open_store(url)
    clock = FixedClock(NOW)
    accounts.create(engine, clock, name="claire", role="agent", actor="test")
    accounts.set_password(engine, clock, "claire", GOOD, "test")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE staff_account SET disabled_at = '2026-11-22 11:00:00'")
    assert accounts.authenticate_password(engine, "claire", GOOD) is None
    assert accounts.enabled(engine, "claire") is None


def test_the_unknown_name_path_does_the_same_argon2_work(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing is not asserted (shared machine): the same number of argon2 checks is."""
    engine = open_store(url)
    clock = FixedClock(NOW)
    accounts.create(engine, clock, name="claire", role="agent", actor="test")
    accounts.set_password(engine, clock, "claire", GOOD, "test")
    calls: list[str] = []
    real = accounts._hasher

    class Counting:
        def hash(self, secret: str) -> str:
            return real.hash(secret)

        def verify(self, hashed: str, secret: str) -> bool:
            calls.append(hashed)
            return real.verify(hashed, secret)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    accounts.authenticate_password(engine, "claire", "wrong password!")
    accounts.authenticate_password(engine, "nobody", "wrong password!")
    assert len(calls) == 2 and all(h.startswith("$argon2") for h in calls)


def test_cli_user_add_with_password_stdin_then_change_it_with_prompts(url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["user", "add", "claire", "--role", "dpo", "--store", url, "--password-stdin"],
        input=GOOD + "\n",
    )
    assert added.exit_code == 0, added.output
    engine = open_store(url)
    assert accounts.authenticate_password(engine, "claire", GOOD) is not None

    changed = runner.invoke(
        cli,
        ["user", "password", "claire", "--store", url, "--actor", "test"],
        input="another long passphrase\nanother long passphrase\n",
    )
    assert changed.exit_code == 0, changed.output
    assert "another long passphrase" not in changed.output  # hidden input
    assert accounts.authenticate_password(engine, "claire", GOOD) is None
    assert accounts.authenticate_password(engine, "claire", "another long passphrase")

    mismatch = runner.invoke(
        cli,
        ["user", "password", "claire", "--store", url],
        input="another long passphrase\nsomething else entirely\n",
    )
    assert mismatch.exit_code != 0


def test_cli_refuses_a_short_password_before_creating_the_account(url: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["user", "add", "claire", "--role", "dpo", "--store", url, "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    assert accounts.enabled(open_store(url), "claire") is None
    unknown = CliRunner().invoke(
        cli, ["user", "password", "nobody", "--store", url, "--password-stdin"], input=GOOD
    )
    # Not found: exit 1, as for every id that names nothing (gardien.cli.console.EXIT_CODE).
    assert unknown.exit_code == 1 and "no account named 'nobody'" in unknown.output
    assert "gardien user add nobody" in " ".join(unknown.output.split())


def test_a_password_set_later_is_dated_by_the_clock(url: str) -> None:
    engine = open_store(url)
    accounts.create(engine, FixedClock(NOW), name="claire", role="agent", actor="test")
    later = NOW + timedelta(hours=3)
    accounts.set_password(engine, FixedClock(later), "claire", GOOD, "test")
    account = accounts.enabled(engine, "claire")
    assert account is not None and account.password_set_at == later
