"""One-time codes that prove a requester controls a declared channel (R-RGT-11).

Six digits from :mod:`secrets`, kept only as an argon2 hash (a leaked store does not reveal a
live code), valid fifteen minutes by the Clock, five attempts at most, used once. Sending a new
code supersedes the previous one.

Resending must not buy more guesses (issue 9 §3): wrong codes are also counted per request,
across all its codes, and per identifier the codes go to, over a day, in the store. Once either
cap is reached no code is compared and none is sent; only an agent's attestation of a checked
document can then prove the identity (R-RGT-11). Ten wrong codes give an attacker a chance of
1 in 100,000 against a six-digit code; a person who mistypes twice per code still has room.
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
MAX_WRONG_PER_REQUEST = 10
"""Wrong codes for one request, all its codes together (two codes' worth), ever."""
MAX_WRONG_PER_IDENTIFIER = 10
"""Wrong codes for codes sent to one identifier, whatever the request, over ``GUESS_WINDOW``."""
GUESS_WINDOW = timedelta(days=1)

_HASHER = PasswordHasher()
_CODE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    USED = "used"
    SUPERSEDED = "superseded"
    LOCKED = "locked"
    """Too many wrong codes for the request or its identifier: no code is compared any more."""


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


ATTESTATION_NEEDED = (
    "too many wrong codes were given for this request or for the address the codes go to: "
    "for the person's protection no code is checked or sent any more; an agent must verify "
    "the identity with a document (attestation)"
)


class CodesLocked(GardienError):
    """No new code is sent: too many wrong codes for the request or its identifier."""

    code = "codes_locked"
    kind = Kind.REFUSED

    def __init__(self) -> None:
        super().__init__(ATTESTATION_NEEDED, field="code")


@dataclass(frozen=True)
class WrongCodes:
    """Wrong codes counted so far (the store's ``code_failure``): for the request, all its
    codes together, and for the identifier its codes go to, within ``GUESS_WINDOW``."""

    request: int
    identifier: int

    @property
    def left(self) -> int:
        """Wrong codes still allowed before only an attestation can prove the identity."""
        return max(
            0,
            min(MAX_WRONG_PER_REQUEST - self.request, MAX_WRONG_PER_IDENTIFIER - self.identifier),
        )

    @property
    def locked(self) -> bool:
        return self.left == 0

    def plus_one(self) -> WrongCodes:
        return WrongCodes(self.request + 1, self.identifier + 1)


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


def rejection(
    record: OneTimeCode, outcome: CodeOutcome, wrong: WrongCodes | None = None
) -> CodeRejected:
    """The error telling the person (or agent) why the code was refused."""
    again = "a new code must be sent"
    if outcome is CodeOutcome.WRONG and wrong is not None and wrong.locked:
        return CodeRejected(CodeOutcome.LOCKED, f"wrong code; {ATTESTATION_NEEDED}")
    left = MAX_ATTEMPTS - record.attempts
    if wrong is not None:
        left = min(left, wrong.left)
    messages = {
        CodeOutcome.WRONG: (
            f"wrong code; {left} attempt(s) left"
            if record.attempts < MAX_ATTEMPTS
            else f"wrong code; no attempt left ({MAX_ATTEMPTS} used): {again}"
        ),
        CodeOutcome.EXPIRED: f"the code expired at {record.expires_at.isoformat()}: {again}",
        CodeOutcome.EXHAUSTED: f"no attempt left ({MAX_ATTEMPTS} used): {again}",
        CodeOutcome.USED: "this code was already used: a code proves identity once",
        CodeOutcome.SUPERSEDED: "a newer code was sent since: use the latest one",
        CodeOutcome.LOCKED: ATTESTATION_NEEDED,
    }
    return CodeRejected(outcome, messages[outcome])
