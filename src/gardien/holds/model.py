"""A legal hold suspends retention for what it covers (R-RET-05).

A hold covers either a person (an identity such as ``phone=+33…``, in every table that has that
identity column) or named rows of one table. Released holds keep protecting until the end of
the appeal period when one is given: recordings under litigation are kept "until the appeal
process is over" (seeds 000 and 001). The appeal end is a day in the controller's time zone, kept
all of that day and no longer from the next (Reg. 1182/71 art. 3, ``law.calendar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gardien.law.calendar import local_day


@dataclass(frozen=True)
class HeldIdentifier:
    """An identifier a hold on a person also covers: read from the person's own rows when the
    hold was placed (issue 10 §3), where it was found."""

    kind: str
    value: str  # normalised by gardien.identity
    found_in: tuple[str, ...]  # "system.table #key"


@dataclass(frozen=True)
class LegalHold:
    id: str
    reason: str
    case: str | None
    placed_at: datetime
    placed_by: str
    identity_kind: str | None = None  # hold on a person: email, phone, customer_number…
    identity_value: str | None = None
    system: str | None = None  # hold on rows: system, table and key values
    table: str | None = None
    keys: tuple[str, ...] = ()
    released_at: datetime | None = None
    released_by: str | None = None
    appeal_ends: date | None = None
    pivoted: tuple[HeldIdentifier, ...] = ()
    """A hold on a person: the identifiers found in their rows when it was placed. Stored on the
    hold, not looked up at each run: what a hold protects is decided once, by whoever placed
    it, and stays auditable and stable when the rows change later."""

    def identities(self) -> tuple[tuple[str, str], ...]:
        """A hold on a person: ``(kind, value)`` of the identifier named, then those pivoted."""
        if self.identity_kind is None or self.identity_value is None:
            return ()
        return (
            (self.identity_kind, self.identity_value),
            *((p.kind, p.value) for p in self.pivoted),
        )

    def in_force(self, now: datetime, zone: str) -> bool:
        """Whether the hold protects at ``now``: until released, then through the whole of its
        appeal end's day in ``zone`` (the controller's), the day "kept until" names."""
        if self.released_at is None or self.released_at > now:
            return True
        return self.appeal_ends is not None and local_day(now, zone) <= self.appeal_ends

    def describe(self) -> str:
        if self.identity_kind is not None:
            return f"person {self.identity_kind}={self.identity_value}"
        return f"{self.system}.{self.table} rows {', '.join(self.keys)}"
