"""Shared fixtures. Tests mirror the source tree; unit tests need no database."""

from __future__ import annotations

from pathlib import Path

import pytest

# Fresh PostgreSQL / MariaDB databases per test (fail instead of skip under CI=true).
pytest_plugins = ["tests.databases"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its smallest costs in the test process: each staff account, token and code
    costs 64 MiB and ~140 ms at the production cost, and hundreds of tests create several
    (the suite went over its 15 minutes). What the tests check is that hashes are argon2 and
    how many checks are made, never how long one takes; the production cost is measured by the
    benches and used by every `gardien` subprocess a test starts."""
    from argon2 import PasswordHasher

    from gardien.requests import verification
    from gardien.store import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(verification, "_HASHER", cheap)
