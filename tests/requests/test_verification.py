"""One-time codes (R-RGT-11): six digits, hashed, 15 minutes by the clock, 5 attempts, single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gardien.clock import FixedClock
from gardien.requests import verification as v
from gardien.requests.verification import CodeOutcome

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def issued(now: datetime = T0) -> tuple[str, v.OneTimeCode]:
    return v.issue("code-1", "req-1", "email", now)


def test_codes_are_six_digits_and_stored_only_as_an_argon2_hash() -> None:
    code, record = issued()
    assert len(code) == 6 and code.isdigit()
    assert code not in record.code_hash and record.code_hash.startswith("$argon2")
    assert record.expires_at == T0 + timedelta(minutes=15)
    codes = {v.generate_code() for _ in range(200)}
    assert len(codes) > 150  # drawn at random, not a counter


def test_the_right_code_is_accepted_once() -> None:
    code, record = issued()
    used, outcome = v.attempt(record, code, FixedClock(T0 + timedelta(minutes=5)).now())
    assert outcome is CodeOutcome.ACCEPTED and used.used_at is not None and used.attempts == 1
    again, outcome = v.attempt(used, code, T0 + timedelta(minutes=6))
    assert outcome is CodeOutcome.USED and again == used


def test_spaces_and_dashes_are_tolerated_but_not_letters() -> None:
    code, record = issued()
    _, outcome = v.attempt(record, f" {code[:3]}-{code[3:]} ", T0)
    assert outcome is CodeOutcome.ACCEPTED
    with pytest.raises(v.MalformedCode, match="6 digits"):
        v.attempt(record, "12345a", T0)


def test_a_code_expires_after_fifteen_minutes_by_the_clock() -> None:
    code, record = issued()
    clock = FixedClock(T0 + timedelta(minutes=14, seconds=59))
    _, outcome = v.attempt(record, code, clock.now())
    assert outcome is CodeOutcome.ACCEPTED
    same, outcome = v.attempt(record, code, FixedClock(T0 + timedelta(minutes=15)).now())
    assert outcome is CodeOutcome.EXPIRED and same.attempts == 0
    assert "expired" in str(v.rejection(same, outcome))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_five_attempts_at_most() -> None:
    code, record = issued()
    for left in range(4, -1, -1):
        record, outcome = v.attempt(record, wrong(code), T0)
        assert outcome is CodeOutcome.WRONG
        message = str(v.rejection(record, outcome))
        assert (f"{left} attempt(s) left" in message) if left else ("no attempt left" in message)
    assert record.attempts == 5
    after, outcome = v.attempt(record, code, T0)  # even the right code, now
    assert outcome is CodeOutcome.EXHAUSTED and after.attempts == 5 and after.used_at is None


def test_a_superseded_code_is_refused() -> None:
    code, record = issued()
    old = v.OneTimeCode(**{**record.__dict__, "superseded_at": T0})
    _, outcome = v.attempt(old, code, T0)
    assert outcome is CodeOutcome.SUPERSEDED
    assert "newer code" in str(v.rejection(old, outcome))
