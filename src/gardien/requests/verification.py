"""One-time codes that prove a requester controls a declared channel (R-RGT-11).

Six digits from :mod:`secrets`, kept only as an argon2 hash (a leaked store does not reveal a
live code), valid fifteen minutes by the Clock, five attempts at most, used once. Sending a new
code supersedes the previous one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gardien.errors import GardienError, Kind, UsageError

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=15)
MAX_ATTEMPTS = 5

_HASHER = PasswordHasher()
_CODE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    USED = "used"
    SUPERSEDED = "superseded"


class CodeRejected(GardienError):
    """The code does not prove the identity; the message says why and what to do."""

    code = "code_rejected"
    kind = Kind.REFUSED

    def __init__(self, outcome: CodeOutcome, message: str) -> None:
        self.outcome = outcome
        super().__init__(message, field="code")

    def details(self) -> dict[str, str]:
        return {"field": "code", "outcome": self.outcome.value}


class MalformedCode(UsageError):
    code = "malformed_code"


@dataclass(frozen=True)
class OneTimeCode:
    id: str
    request_id: str
    channel: str
    code_hash: str
    issued_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None
    superseded_at: datetime | None = None


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def issue(code_id: str, request_id: str, channel: str, now: datetime) -> tuple[str, OneTimeCode]:
    """A fresh code in clear (to send, never to store) and its stored record."""
    code = generate_code()
    record = OneTimeCode(
        id=code_id,
        request_id=request_id,
        channel=channel,
        code_hash=_HASHER.hash(code),
        issued_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return code, record


def clean_code(given: str) -> str:
    code = re.sub(r"[\s-]", "", given)
    if not _CODE.match(code):
        raise MalformedCode(f"a verification code is {CODE_DIGITS} digits, e.g. 042917")
    return code


def attempt(record: OneTimeCode, given: str, now: datetime) -> tuple[OneTimeCode, CodeOutcome]:
    """Check ``given`` against ``record`` at ``now``: the updated record and the outcome.

    Only a real comparison counts as an attempt; a code already used, superseded, expired or
    out of attempts is refused without looking at ``given``.
    """
    code = clean_code(given)
    if record.used_at is not None:
        return record, CodeOutcome.USED
    if record.superseded_at is not None:
        return record, CodeOutcome.SUPERSEDED
    if now >= record.expires_at:
        return record, CodeOutcome.EXPIRED
    if record.attempts >= MAX_ATTEMPTS:
        return record, CodeOutcome.EXHAUSTED
    tried = replace(record, attempts=record.attempts + 1)
    try:
        _HASHER.verify(record.code_hash, code)
    except (VerificationError, InvalidHashError):
        return tried, CodeOutcome.WRONG
    return replace(tried, used_at=now), CodeOutcome.ACCEPTED


def rejection(record: OneTimeCode, outcome: CodeOutcome) -> CodeRejected:
    """The error telling the person (or agent) why the code was refused."""
    again = "a new code must be sent"
    messages = {
        CodeOutcome.WRONG: (
            f"wrong code; {MAX_ATTEMPTS - record.attempts} attempt(s) left"
            if record.attempts < MAX_ATTEMPTS
            else f"wrong code; no attempt left ({MAX_ATTEMPTS} used): {again}"
        ),
        CodeOutcome.EXPIRED: f"the code expired at {record.expires_at.isoformat()}: {again}",
        CodeOutcome.EXHAUSTED: f"no attempt left ({MAX_ATTEMPTS} used): {again}",
        CodeOutcome.USED: "this code was already used: a code proves identity once",
        CodeOutcome.SUPERSEDED: "a newer code was sent since: use the latest one",
    }
    return CodeRejected(outcome, messages[outcome])
