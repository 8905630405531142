"""Identifiers that name a person across systems (R-RGT-11): e-mail, phone, customer number…

The registry maps identity *kinds* to columns in each table (``identity: {email: email}``).
Requests, holds, consent and the portal all name a person as ``{kind: value}``; values are
normalised here, once, so that "Jeanne.Martin@Example.fr " and "jeanne.martin@example.fr"
find the same rows and a malformed value is refused before anything is looked up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import phonenumbers

from gardien.errors import UsageError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?\d{6,15}$")
DEFAULT_REGION = "FR"  # national phone numbers are read as French unless told otherwise
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")


class MalformedIdentifier(UsageError):
    """An identifier that cannot name anybody (no '@' in an e-mail, letters in a phone…)."""

    code = "malformed_identifier"


def _phone_e164(value: str, text: str, region: str) -> str:
    """E.164 (+33612345678): "06 12 34 56 78", "0033 6…" and "+33 6…" are one number.

    Without this, a suppressed "+33612345678" would not stop prospecting a purchased list
    that writes "06 12 34 56 78" (R-RGT-05). National numbers are read in ``region``.
    """
    digits = _PHONE_SEPARATORS.sub("", text)
    if not _PHONE.match(digits):
        raise MalformedIdentifier(
            f"phone: {value!r} is not a telephone number (digits, optionally a leading +)"
        )
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException as exc:
        raise MalformedIdentifier(f"phone: {value!r} is not a telephone number ({exc})") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def unfit_text(value: str, *, lines: bool = True) -> str | None:
    """Why ``value`` cannot be stored as a text, or None: a NUL byte (PostgreSQL refuses it in
    a text, SQLite and C libraries cut the text there), a lone surrogate (not a character: it
    has no UTF-8 form, so no database can store it), or a control character other than a tab
    or a line break (``lines``) — never meant in a reason, a name or a value (issue 9 §6)."""
    for char in value:
        if char == "\x00":
            return "holds a NUL byte"
        category = unicodedata.category(char)
        if category == "Cs":
            return "holds a lone surrogate (not a Unicode character)"
        if category == "Cc" and not (lines and char in "\t\n\r"):
            return f"holds the control character U+{ord(char):04X}"
    return None


def normalise(kind: str, value: str, region: str = DEFAULT_REGION) -> str:
    """The canonical form of one identifier; raises ``MalformedIdentifier`` with the reason."""
    problem = unfit_text(kind, lines=False) or unfit_text(value, lines=False)
    if problem is not None:
        # Before NFC and the e-mail and phone rules: neither looks at every character.
        raise MalformedIdentifier(f"identifier {kind!r}: the value {problem}", field="identity")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise MalformedIdentifier(f"{kind}: the value is empty")
    if len(text) > 320:
        raise MalformedIdentifier(f"{kind}: the value is longer than 320 characters")
    if kind == "email":
        local, _, domain = text.rpartition("@")
        text = f"{local}@{domain.lower()}".lower()
        if not _EMAIL.match(text):
            raise MalformedIdentifier(f"email: {value!r} is not an e-mail address")
    elif kind == "phone":
        text = _phone_e164(value, text, region)
    elif any(unicodedata.category(c).startswith("C") for c in text):
        raise MalformedIdentifier(f"{kind}: the value contains control characters")
    return text


def mask_identifier(kind: str, value: str) -> str:
    """An identifier shown to recognise, not to copy: ``j…@example.fr``, ``+33…78``."""
    if kind == "email":
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}…@{domain}"
    if len(value) <= 5:
        return "…"
    return f"{value[:3]}…{value[-2:]}"


def normalise_all(identity: Mapping[str, str]) -> dict[str, str]:
    if not identity:
        raise MalformedIdentifier(
            "no identifier given: name the person by e-mail, phone or another declared identifier"
        )
    return {kind: normalise(kind, value) for kind, value in sorted(identity.items())}


def parse_identity(text: str) -> dict[str, str]:
    """``email=a@b.fr,phone=+33612345678`` → ``{"email": …, "phone": …}`` (normalised)."""
    pairs: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        kind, sep, value = part.partition("=")
        if not sep or not kind.strip():
            raise MalformedIdentifier(
                f"{part.strip()!r}: write KIND=VALUE, e.g. email=jeanne@example.fr"
            )
        if kind.strip() in pairs:
            raise MalformedIdentifier(f"{kind.strip()} is given twice")
        pairs[kind.strip()] = value
    return normalise_all(pairs)
