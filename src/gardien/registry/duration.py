"""ISO 8601 durations with calendar arithmetic, as retention periods are written in law.

Only date components are accepted (``P5Y``, ``P2Y6M``, ``P6M``, ``P13M``, ``P2W``, ``P30D``):
retention periods are stated in years, months, weeks or days, never hours.
Months are added on the calendar and clamped to the month's last day, so
29 Feb 2024 + P1Y = 28 Feb 2025 (the same rule Reg. 1182/71 applies to periods).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

_PATTERN = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")

When = TypeVar("When", date, datetime)


MAX_YEARS = 200


class DurationSyntaxError(ValueError):
    """The text is not an ISO 8601 date duration."""


@dataclass(frozen=True, order=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None or text.strip() == "P":
            raise DurationSyntaxError(
                f"{text!r} is not an ISO 8601 duration such as P5Y, P2Y6M, P6M or P30D"
            )
        parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        duration = cls(years=parts["y"], months=parts["m"], days=parts["w"] * 7 + parts["d"])
        if (
            duration.years * 12 + duration.months > MAX_YEARS * 12
            or duration.days > MAX_YEARS * 366
        ):
            # No retention rule runs for centuries, and dates past year 9999 do not exist:
            # refusing here gives a finding at the registry's line instead of an overflow later.
            raise DurationSyntaxError(
                f"{text!r} is longer than {MAX_YEARS} years: no retention period is that long"
            )
        return duration

    def add_to(self, when: When) -> When:
        """``when`` + this duration: years and months on the calendar, then days."""
        total_months = when.month - 1 + self.months + 12 * self.years
        year = when.year + total_months // 12
        month = total_months % 12 + 1
        day = min(when.day, calendar.monthrange(year, month)[1])
        return when.replace(year=year, month=month, day=day) + timedelta(days=self.days)

    def subtract_from(self, when: When) -> When:
        """``when`` − this duration (days first, then months), used to turn a rule into a cutoff."""
        shifted = when - timedelta(days=self.days)
        total_months = shifted.month - 1 - self.months - 12 * self.years
        year = shifted.year + total_months // 12
        month = total_months % 12 + 1
        day = min(shifted.day, calendar.monthrange(year, month)[1])
        return shifted.replace(year=year, month=month, day=day)

    def latest_start_ended_by(self, when: When) -> When:
        """The latest start ``s`` with ``s + self <= when``: the cutoff a set-based query uses.

        ``add_to`` is monotone but not invertible (month ends clamp), so the naive
        ``when - self`` is corrected by stepping day by day: 29 Feb 2024 + P1Y ends on
        28 Feb 2025, so on that day the cutoff must include 29 Feb 2024.
        """
        one_day = timedelta(days=1)
        start = self.subtract_from(when)
        while self.add_to(start) > when:
            start -= one_day
        while self.add_to(start + one_day) <= when:
            start += one_day
        return start

    def iso(self) -> str:
        text = "P"
        text += f"{self.years}Y" if self.years else ""
        text += f"{self.months}M" if self.months else ""
        text += f"{self.days}D" if self.days else ""
        return text if text != "P" else "P0D"

    def __str__(self) -> str:
        return self.iso()


def add_all(durations: Sequence[Duration], when: When) -> When:
    """Apply each duration in turn: the end of an active phase, then of its archive phase."""
    for duration in durations:
        when = duration.add_to(when)
    return when


def latest_start_ended_by_all(durations: Sequence[Duration], when: When) -> When:
    """The latest ``s`` with ``add_all(durations, s) <= when`` (composition is monotone)."""
    one_day = timedelta(days=1)
    start = when
    for duration in reversed(durations):
        start = duration.subtract_from(start)
    while add_all(durations, start) > when:
        start -= one_day
    while add_all(durations, start + one_day) <= when:
        start += one_day
    return start
