"""Periods counted in whole days, in the controller's time zone (issue 10 §1).

One calendar for every period gardien counts: retention phases, archive ends, the dates given to
a person ("kept until …") and the Art. 12(3) GDPR deadlines (``law/deadlines.py``).

- Reg. 1182/71 art. 3(1): the day during which the event occurs is not counted.
- Art. 3(2)(c): a period of months or years ends with the expiry of the last hour of the day that
  bears the same date as the event's day, or of the last day of the month if that date does not
  exist (31 August + P6M → 28/29 February). French law counts the same way: C. civ. art. 2228
  (the period is counted in days, not hours) and art. 2229 (it is acquired when its last day
  has ended).

So a contract ended on 2021-06-15 and kept P5Y is present all of 2026-06-15 (its *last day*)
and gone from 2026-06-16. A "day" is a date in the controller's time zone: a timestamp's day is
its local date there (naive timestamps are UTC, gardien's storage convention).

Pure: no I/O; dates and instants in, dates out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gardien.registry.duration import Duration, add_all

ONE_DAY = timedelta(days=1)

# The zone of a controller that names none: the legal time of its country of establishment.
# Countries spanning several zones are given their capital's; a controller elsewhere says so
# with ``controller.timezone``.
DEFAULT_ZONES: dict[str, str] = {
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "LU": "Europe/Luxembourg",
    "DE": "Europe/Berlin",
    "NL": "Europe/Amsterdam",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "IE": "Europe/Dublin",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "MC": "Europe/Monaco",
    "DK": "Europe/Copenhagen",
    "SE": "Europe/Stockholm",
    "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "GR": "Europe/Athens",
    "GB": "Europe/London",
}


class UnknownTimeZoneError(ValueError):
    """The name is not an IANA time zone known to this machine."""


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Paris``); raise with the reason if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZoneError(
            f"{name!r} is not an IANA time zone name such as Europe/Paris or UTC"
        ) from None


def default_zone(country: str) -> str:
    """The zone used when the registry names none: the country's legal time, else UTC."""
    return DEFAULT_ZONES.get(country.strip().upper(), "UTC")


def local_day(value: date | datetime | str, zone_name: str) -> date:
    """The day of ``value`` in ``zone_name``: a date is its own day; a naive timestamp is UTC
    (gardien's storage convention), an aware one is converted; text is read as ISO 8601.

    Raises ValueError for text that is not an ISO date or timestamp.
    """
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if isinstance(value, datetime):  # a datetime is a date: test it first
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(zone(zone_name)).date()
    return value


def local_midnight_utc(day: date, zone_name: str) -> datetime:
    """The aware UTC instant at which ``day`` begins in ``zone_name``."""
    return datetime.combine(day, time.min, tzinfo=zone(zone_name)).astimezone(UTC)


def last_day(event_day: date, durations: Sequence[Duration]) -> date:
    """The last day a row is kept: the event's day plus each period in turn (art. 3(1), 3(2)(c)).

    The row is present all of that day and gone from the next one. With no period (a phase that
    lasts "until" an event), the last day is the event's own day.
    """
    return add_all(durations, event_day)


def period_end(start: datetime, durations: Sequence[Duration], zone_name: str) -> datetime:
    """The instant a period begun at ``start`` has run out: the end of its last day in
    ``zone_name``, that is the next day's local midnight (as an aware UTC instant).

    For what gardien keeps for a stated time and names by its last day (an answer package
    "available until 2027-01-01", a status link): present all of that day, as a person reads it.
    """
    return local_midnight_utc(last_day(local_day(start, zone_name), durations) + ONE_DAY, zone_name)


def last_day_before(end: datetime, zone_name: str) -> date:
    """The last day of a period that runs out at ``end`` (:func:`period_end`'s day)."""
    return local_day(end - timedelta(microseconds=1), zone_name)


def first_instant_kept(durations: Sequence[Duration], now: datetime, zone_name: str) -> datetime:
    """Records stamped before this instant (aware, UTC) are past their period at ``now``.

    The set-based image of :func:`last_day` for timestamped records (audit connection data,
    suppression entries): the start of the day after the latest event day already gone.
    """
    today = local_day(now, zone_name)
    return local_midnight_utc(latest_event_day_gone_by(today, durations) + ONE_DAY, zone_name)


def latest_event_day_gone_by(today: date, durations: Sequence[Duration]) -> date:
    """The latest event day whose row is gone on ``today``: max ``e`` with ``last_day(e) < today``.

    It is the exact image of :func:`last_day`, found from it (``last_day`` is monotone in the
    event day, but not invertible at month ends: 29 Feb 2024 and 28 Feb 2024 + P1Y both end on
    28 Feb 2025), so no "today − P" clamp can disagree with the forward count.
    """
    guess = today - ONE_DAY
    for duration in reversed(durations):
        guess = duration.subtract_from(guess)
    while last_day(guess, durations) >= today:
        guess -= ONE_DAY
    while last_day(guess + ONE_DAY, durations) < today:
        guess += ONE_DAY
    return guess
