"""How the identifiers stored in a table are brought to one form before they are compared
(issue 10 §2, R-RGT-01, R-RGT-11).

Real tables hold ``Paul.Durand@Exemple.FR``, ``06 12 34 56 78``, ``0033 6 12 34 56 78``: a
person named ``paul.durand@exemple.fr`` or ``+33612345678`` is the same person, and an access
answer that misses those rows is incomplete (Art. 15), an erasure that misses them is not done
(Art. 17), a hold that misses them lets evidence go (R-RET-05). Each identity column therefore
has a normaliser (``normalise: {column: name}``, defaults by kind): the database applies it to
the stored value (``connectors/sql/normalise.py``, an expression the advised index covers) and
gardien applies the same rule to the value the person typed, so both sides are compared in one
form. :meth:`ColumnNormaliser.apply` is the Python image of the SQL expression, character for
character: it decides after the database has sieved, so that what a collation folds (MariaDB
ignores accents) never matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers


class Normaliser(StrEnum):
    NONE = "none"  # compared as stored
    TRIM = "trim"  # leading and trailing spaces removed
    CASEFOLD = "casefold"  # trimmed and lower-cased
    COMPACT = "compact"  # separators removed (space . - ( ) / tab, no-break spaces)
    EMAIL = "email"  # an e-mail address: trimmed and lower-cased
    PHONE = "phone"  # a telephone number: separators removed, 00 → +, national 0 → +CC


DEFAULTS: dict[str, Normaliser] = {"email": Normaliser.EMAIL, "phone": Normaliser.PHONE}
"""The normaliser of an identity column that declares none, by identifier kind; else trim."""

SEPARATORS = (" ", ".", "-", "(", ")", "/", "\t", "\u00a0", "\u202f")
"""What people and spreadsheets put between the digits of a number: spaces (including the
no-break and narrow no-break spaces of French typography), dots, hyphens, brackets, slashes."""


def default_for(kind: str) -> Normaliser:
    return DEFAULTS.get(kind, Normaliser.TRIM)


@dataclass(frozen=True)
class PhonePlan:
    """How a national number becomes international in the controller's country (E.164)."""

    country_code: str  # "33"
    national_prefix: str  # "0" (empty where numbers have none)

    @classmethod
    def for_region(cls, region: str) -> PhonePlan:
        return _plan(region.upper())


@lru_cache(maxsize=64)
def _plan(region: str) -> PhonePlan:
    code = phonenumbers.country_code_for_region(region)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = (metadata.national_prefix if metadata is not None else None) or ""
    return PhonePlan(str(code) if code else "", prefix if prefix.isdigit() else "")


@dataclass(frozen=True)
class ColumnNormaliser:
    """One identity column's rule, with the controller's country for telephone numbers."""

    name: Normaliser
    phone: PhonePlan

    @property
    def exact(self) -> bool:
        return self.name is Normaliser.NONE

    def apply(self, value: object) -> str:
        """The stored (or typed) value in the column's form; the exact image of the SQL."""
        text = value if isinstance(value, str) else str(value)
        match self.name:
            case Normaliser.NONE:
                return text
            case Normaliser.TRIM:
                return text.strip(" ")
            case Normaliser.CASEFOLD | Normaliser.EMAIL:
                return text.strip(" ").lower()
            case Normaliser.COMPACT:
                return compact(text)
            case Normaliser.PHONE:
                return self._phone(compact(text))
        raise AssertionError(self.name)  # pragma: no cover - the enum is closed

    def _phone(self, digits: str) -> str:
        code, prefix = self.phone.country_code, self.phone.national_prefix
        if code and prefix and digits.startswith(f"+{code}{prefix}"):
            # "+33 (0)6 12 34 56 78": the national prefix written after the country code.
            return f"+{code}" + digits[len(code) + 1 + len(prefix) :]
        if digits.startswith("00"):
            return "+" + digits[2:]
        if code and prefix and digits.startswith(prefix):
            return f"+{code}" + digits[len(prefix) :]
        return digits


def compact(text: str) -> str:
    for separator in SEPARATORS:
        text = text.replace(separator, "")
    return text


def column_normaliser(
    kind: str, column: str, declared: Mapping[str, Normaliser], region: str
) -> ColumnNormaliser:
    """The rule of ``column`` (holding ``kind``): as declared under ``normalise``, else the
    kind's default."""
    return ColumnNormaliser(declared.get(column, default_for(kind)), PhonePlan.for_region(region))


def identity_normalisers(
    identity: Mapping[str, str], declared: Mapping[str, Normaliser], region: str
) -> dict[str, ColumnNormaliser]:
    """Identity column → its rule, for a table's ``identity`` and ``normalise``."""
    return {
        column: column_normaliser(kind, column, declared, region)
        for kind, column in identity.items()
    }
