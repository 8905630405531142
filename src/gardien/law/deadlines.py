"""When a rights request must be answered: Art. 12(3) GDPR, counted per Regulation No 1182/71.

Art. 12(3) GDPR: the controller answers a request under Articles 15 to 22 "without undue delay and
in any event within one month of receipt of the request. That period may be extended by two
further months where necessary (...). The controller shall inform the data subject of any such
extension within one month of receipt of the request, together with the reasons for the delay."

The GDPR does not say how to count a month; Regulation (EEC, Euratom) No 1182/71 of 3 June 1971
"determining the rules applicable to periods, dates and time limits" does, for every act of the
Council and the Commission (the EDPB applies it to Art. 12(3) in its Guidelines 01/2022 on the
right of access). What this module implements, article by article:

- Art. 3(1): the day during which the event occurs (the receipt) is not counted; the period
  starts at the beginning of the next day.
- Art. 3(2)(c): a period of months ends with the expiry of the last hour of the day, in the last
  month, which "falls on the same date as the day from which the period runs" (the receipt
  date); if that date does not occur in the last month, with the expiry of the last hour of the
  last day of that month. Received 5 March → ends 5 April; received 31 January 2025 → ends
  28 February 2025.
- Art. 3(4): if the last day of the period is a public holiday, a Sunday or a Saturday, the
  period ends with the expiry of the last hour of the following working day.
- Art. 2(1)–(2): public holidays are those of the Member State where the action is to be taken
  (here the controller's country); working days are all days other than public holidays,
  Sundays and Saturdays. Saturday and Sunday are non-working for every country, as the
  Regulation says, even where the local week-end differs.

The extension: "two further months" are added to the one-month period, so the extended period is
one of three months running from the same event, the receipt. It is computed directly with
Art. 3(2)(c) (same date three months later, or that month's last day) and then Art. 3(4). It is
*not* chained from the first due date: Art. 3(4) moves only the end of the period it applies to,
so a first period pushed past a holiday must not push the extension too, and a receipt on
30 January must not lose its end-of-April date because February is short (30 Jan + 1 month =
28 Feb, + 2 months = 28 Apr, whereas three months from 30 Jan end on 30 Apr). Counting from the
receipt also keeps the extended due date monotone in the receipt date.

The reasoned notice of extension must be sent "within one month of receipt": the same period as
the first answer, so its last day is the original due date.

Public holidays come from the maintained ``holidays`` library, never from a hand list.

Pure: no I/O, no printing; dates in, dates out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from gardien.errors import UsageError
from gardien.law.calendar import last_day
from gardien.registry.duration import Duration

DEFAULT_COUNTRY = "FR"
RESPONSE_MONTHS = 1  # Art. 12(3): "within one month of receipt of the request"
EXTENSION_MONTHS = 2  # Art. 12(3): "may be extended by two further months"

_SATURDAY = 5  # date.weekday(): Monday is 0


class UnknownCountryError(UsageError):
    """The country has no public-holiday calendar, so working days cannot be known."""

    code = "unknown_country"


class DeadlineOutOfRangeError(UsageError):
    """The period would end after the last date Python can represent (31 December 9999)."""

    code = "deadline_out_of_range"


@dataclass(frozen=True)
class RequestDeadline:
    """The dates a controller must meet for one rights request (Art. 12(3) GDPR).

    Every date is the *last day* on which the act is still in time (the period ends "with the
    expiry of the last hour" of that day, Reg. 1182/71 art. 3(2)(c) and 3(4)).
    """

    received: date
    """Day the request was received; not counted in the period (Reg. 1182/71 art. 3(1))."""
    due: date
    """Last day to answer without extension: one month from receipt, then the working-day rule."""
    extended_due: date
    """Last day to answer if the period is extended: three months from receipt, same rules."""
    extension_notice_by: date
    """Last day to tell the person, with reasons, that the period is extended (= ``due``)."""
    country: str
    """ISO 3166-1 alpha-2 code of the country whose public holidays were applied."""


@lru_cache(maxsize=64)
def _public_holidays(country: str) -> holidays.HolidayBase:
    # Art. 2(1) Reg. 1182/71: the holidays of the State where the action is taken. The calendar
    # expands lazily to every year asked about, so one object per country is enough.
    code = country.strip().upper()
    try:
        return holidays.country_holidays(code)
    except NotImplementedError:
        raise UnknownCountryError(
            f"unknown country {country!r} for public holidays: give an ISO 3166-1 code that the "
            f"'holidays' library supports (e.g. FR, DE, BE, IT, ES)"
        ) from None


def country_code(country: str) -> str:
    """The alpha-2 code for ``country`` (alpha-2 or alpha-3, any case); raise if unknown."""
    return str(_public_holidays(country).country)


def is_working_day(day: date, country: str = DEFAULT_COUNTRY) -> bool:
    """Whether ``day`` is a working day in ``country`` (Reg. 1182/71 art. 2(2)).

    Working days are all days other than public holidays, Sundays and Saturdays.
    """
    if day.weekday() >= _SATURDAY:
        return False
    return day not in _public_holidays(country)


def next_working_day(day: date, country: str = DEFAULT_COUNTRY) -> date:
    """``day`` itself if it is a working day, else the first working day after it.

    Reg. 1182/71 art. 3(4): a period whose last day is a public holiday, a Sunday or a Saturday
    ends with the expiry of the last hour of the following working day.
    """
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def months_after(start: date, months: int) -> date:
    """The nominal last day of a period of ``months`` months running from ``start``.

    Reg. 1182/71 art. 3(2)(c): the day in the last month that falls on the same date as
    ``start``; if that date does not occur in that month, the last day of that month.
    No working-day adjustment here (see :func:`next_working_day`).
    """
    if months < 0:
        raise ValueError("a period cannot have a negative number of months")
    if start.year + (start.month - 1 + months) // 12 > date.max.year:
        raise DeadlineOutOfRangeError(
            f"a period of {months} month(s) from {start.isoformat()} ends after year "
            f"{date.max.year}: check the receipt date"
        )
    # The one calendar of periods (issue 10 §1): what retention keeps to is what deadlines count.
    return last_day(start, (Duration(months=months),))


def period_end(start: date, months: int, country: str = DEFAULT_COUNTRY) -> date:
    """Last day of a period of ``months`` months from the event of ``start``, working-day rule applied.

    Reg. 1182/71 art. 3(1) (the day of the event is not counted), art. 3(2)(c) (same date, or
    month end) and art. 3(4) (a Saturday, Sunday or public holiday moves to the next working day).
    """
    return next_working_day(months_after(start, months), country)


def _receipt_day(received: date | datetime) -> date:
    # A datetime is a subclass of date: test it first. Its own calendar date is used (aware or
    # naive), so pass the receipt in the controller's local time; Art. 3(1) counts whole days.
    if isinstance(received, datetime):
        return received.date()
    return received


def request_deadline(received: date | datetime, country: str = DEFAULT_COUNTRY) -> RequestDeadline:
    """The Art. 12(3) GDPR dates for a request received on ``received``.

    ``country`` is the controller's country (ISO 3166-1 alpha-2 or alpha-3, France by default):
    its public holidays are not working days. An unknown country raises
    :class:`UnknownCountryError`.
    """
    day = _receipt_day(received)
    code = country_code(country)
    due = period_end(day, RESPONSE_MONTHS, code)
    # "two further months": a three-month period from the same receipt, not from ``due``
    # (see the module docstring for why it is not chained).
    extended_due = period_end(day, RESPONSE_MONTHS + EXTENSION_MONTHS, code)
    return RequestDeadline(
        received=day,
        due=due,
        extended_due=extended_due,
        # Art. 12(3): the extension is notified "within one month of receipt of the request".
        extension_notice_by=due,
        country=code,
    )
