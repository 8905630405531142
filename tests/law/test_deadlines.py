"""Art. 12(3) GDPR due dates counted per Reg. 1182/71: worked examples, every day of 2024–2030, CLI."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.errors import GardienError, UsageError
from gardien.law.deadlines import (
    DeadlineOutOfRangeError,
    RequestDeadline,
    UnknownCountryError,
    is_working_day,
    months_after,
    next_working_day,
    request_deadline,
)

D = date.fromisoformat


def _due(received: str, country: str = "FR") -> date:
    return request_deadline(D(received), country).due


# --- worked examples (France unless said otherwise) -------------------------------------------


def test_received_31_january_2025_is_due_28_february_a_friday() -> None:
    due = _due("2025-01-31")
    assert due == D("2025-02-28")
    assert due.strftime("%A") == "Friday"


def test_received_31_january_of_a_leap_year_is_due_29_february() -> None:
    assert _due("2024-01-31") == D("2024-02-29")


def test_same_date_next_month_when_it_exists_and_is_a_working_day() -> None:
    # Reg. 1182/71 art. 3(2)(c): received 5 March → 5 April (a Monday in 2027).
    assert _due("2027-03-05") == D("2027-04-05")


def test_due_date_on_a_saturday_moves_to_monday() -> None:
    assert D("2025-03-15").weekday() == 5
    assert _due("2025-02-15") == D("2025-03-17")


def test_due_date_on_a_sunday_moves_to_monday() -> None:
    assert D("2025-03-16").weekday() == 6
    assert _due("2025-02-16") == D("2025-03-17")


def test_due_date_on_14_july_moves_to_the_next_working_day() -> None:
    assert _due("2025-06-14") == D("2025-07-15")


def test_due_date_on_1_may_moves_to_the_next_working_day() -> None:
    assert _due("2025-04-01") == D("2025-05-02")


def test_received_31_march_is_due_30_april_not_1_may() -> None:
    # April has no 31st: the period ends on its last day (art. 3(2)(c)), a working day.
    assert _due("2025-03-31") == D("2025-04-30")
    # the next day's receipt lands on 1 May, a public holiday in France
    assert _due("2025-04-01") == D("2025-05-02")


def test_due_date_on_christmas_moves_to_the_next_working_day() -> None:
    assert _due("2025-11-25") == D("2025-12-26")


def test_due_date_on_easter_monday_moves_to_tuesday() -> None:
    assert D("2025-04-21") in holidays.country_holidays("FR")
    assert _due("2025-03-21") == D("2025-04-22")


def test_holiday_friday_then_week_end_moves_to_monday() -> None:
    # All Saints' Day 2024 is a Friday: Friday, Saturday, Sunday are not working days.
    assert _due("2024-10-01") == D("2024-11-04")


def test_german_easter_week_end_runs_four_days() -> None:
    # Good Friday and Easter Monday are German public holidays, not French ones.
    assert _due("2025-03-18", "DE") == D("2025-04-22")
    assert _due("2025-03-18", "FR") == D("2025-04-18")


def test_a_request_received_on_a_holiday_still_runs_from_that_day() -> None:
    # Art. 3(1) ignores the day of receipt, whatever day it is; 25 Jan 2026 is a Sunday.
    assert _due("2025-12-25") == D("2026-01-26")


def test_period_crossing_the_year_end() -> None:
    # 31 Jan 2026 is a Saturday → Monday 2 February.
    assert _due("2025-12-31") == D("2026-02-02")


# --- the extension ------------------------------------------------------------------------------


def test_extension_runs_three_months_from_receipt() -> None:
    deadline = request_deadline(D("2025-01-31"))
    assert deadline == RequestDeadline(
        received=D("2025-01-31"),
        due=D("2025-02-28"),
        extended_due=D("2025-04-30"),
        extension_notice_by=D("2025-02-28"),
        country="FR",
    )


def test_extension_is_not_chained_from_a_short_february() -> None:
    # 30 Jan + 1 month = 28 Feb, + 2 months would be 28 Apr; three months from 30 Jan is 30 Apr.
    assert request_deadline(D("2025-01-30")).extended_due == D("2025-04-30")


def test_extension_is_not_pushed_by_the_first_period_holiday() -> None:
    # The first period ends on 14 July → 15 July; the extended one on 14 September 2025, a
    # Sunday → Monday 15 September, counted from the receipt, not from 15 July.
    deadline = request_deadline(D("2025-06-14"))
    assert deadline.due == D("2025-07-15")
    assert deadline.extended_due == D("2025-09-15")


def test_extended_due_date_on_1_may_moves_to_the_next_working_day() -> None:
    assert request_deadline(D("2025-02-01")).extended_due == D("2025-05-02")


def test_extended_due_date_clamps_to_month_end_across_the_year() -> None:
    assert request_deadline(D("2024-11-30")).extended_due == D("2025-02-28")


def test_extension_notice_is_due_within_the_first_month() -> None:
    deadline = request_deadline(D("2025-06-14"))
    assert deadline.extension_notice_by == deadline.due


# --- inputs -------------------------------------------------------------------------------------


def test_a_naive_datetime_uses_its_date() -> None:
    assert request_deadline(datetime(2025, 1, 31, 23, 59)).received == D("2025-01-31")


def test_an_aware_datetime_uses_its_own_calendar_date() -> None:
    paris_summer = timezone(timedelta(hours=2))
    received = datetime(2025, 3, 31, 23, 30, tzinfo=paris_summer)
    deadline = request_deadline(received)
    assert deadline.received == D("2025-03-31")
    assert deadline.due == D("2025-04-30")
    assert request_deadline(datetime(2025, 4, 1, 0, 5, tzinfo=UTC)).due == D("2025-05-02")


def test_country_codes_are_normalised_to_alpha_2() -> None:
    assert request_deadline(D("2025-01-31"), "fra").country == "FR"
    assert request_deadline(D("2025-01-31"), " de ").country == "DE"


def test_an_unknown_country_is_refused_with_a_clear_message() -> None:
    with pytest.raises(UnknownCountryError, match=r"unknown country 'XX'") as caught:
        request_deadline(D("2025-01-31"), "XX")
    assert isinstance(caught.value, UsageError)
    assert isinstance(caught.value, GardienError)
    with pytest.raises(UnknownCountryError):
        is_working_day(D("2025-01-31"), "Narnia")


def test_a_period_ending_after_year_9999_is_refused() -> None:
    with pytest.raises(DeadlineOutOfRangeError, match="9999-12-15"):
        request_deadline(D("9999-12-15"))


def test_is_working_day() -> None:
    assert is_working_day(D("2025-07-15"))
    assert not is_working_day(D("2025-07-14"))  # Fête nationale
    assert not is_working_day(D("2025-07-12"))  # Saturday
    assert not is_working_day(D("2025-07-13"))  # Sunday
    assert is_working_day(D("2025-10-03"), "FR")
    assert not is_working_day(D("2025-10-03"), "DE")  # Tag der Deutschen Einheit


def test_next_working_day_keeps_a_working_day() -> None:
    assert next_working_day(D("2025-07-15")) == D("2025-07-15")
    assert next_working_day(D("2025-07-12")) == D("2025-07-15")


# --- every day of 2024–2030 ---------------------------------------------------------------------

ALL_DAYS = [
    D("2024-01-01") + timedelta(days=n) for n in range((D("2030-12-31") - D("2024-01-01")).days + 1)
]

# The longest run of non-working days a due date can be pushed across, per country: France has
# only one-day holidays (Fri holiday + week-end, or week-end + Mon holiday: 3 days); Germany has
# Good Friday to Easter Monday (4 days); in the United Kingdom a Christmas on Saturday gives
# Sat, Sun and two substitute bank holidays (4 days).
MAX_PUSH = {"FR": 3, "DE": 4, "BE": 3, "GB": 4}


def _oracle_working_day(day: date, country: str) -> bool:
    # Independent of gardien: Reg. 1182/71 art. 2(2) straight from the holidays library.
    return day.weekday() < 5 and day not in holidays.country_holidays(country)


def _same_date_next_month(received: date, months: int = 1) -> date:
    # An independent formulation of art. 3(2)(c): walk to the first of the target month, then
    # step to the same day of month, stopping at the month end.
    first = received.replace(day=1)
    for _ in range(months):
        first = (first + timedelta(days=32)).replace(day=1)
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(received.day, last))


def test_the_calendar_spans_every_day_of_2024_to_2030() -> None:
    assert len(ALL_DAYS) == 7 * 365 + 2  # 2024 and 2028 are leap years
    assert ALL_DAYS[0] == D("2024-01-01") and ALL_DAYS[-1] == D("2030-12-31")


@pytest.mark.parametrize("country", sorted(MAX_PUSH))
def test_properties_over_every_day_of_2024_to_2030(country: str) -> None:
    failures: list[str] = []
    previous: RequestDeadline | None = None
    for received in ALL_DAYS:
        d = request_deadline(received, country)
        nominal = _same_date_next_month(received)
        nominal_extended = _same_date_next_month(received, 3)
        checks = {
            "due is a working day": _oracle_working_day(d.due, country),
            "due not before the same date next month": d.due >= nominal,
            "due within the longest holiday run": (d.due - nominal).days <= MAX_PUSH[country],
            # the *first* working day: every day skipped is a non-working day (art. 3(4))
            "no working day skipped": all(
                not _oracle_working_day(nominal + timedelta(days=n), country)
                for n in range((d.due - nominal).days)
            ),
            "extended due is a working day": _oracle_working_day(d.extended_due, country),
            "extended due after due": d.extended_due > d.due,
            "extended due not before three months": d.extended_due >= nominal_extended,
            "extended due within the longest holiday run": (
                (d.extended_due - nominal_extended).days <= MAX_PUSH[country]
            ),
            "notice by the first due date": d.extension_notice_by == d.due,
            "monotone due": previous is None or previous.due <= d.due,
            "monotone extended due": previous is None or previous.extended_due <= d.extended_due,
        }
        failures.extend(f"{received}: {name} ({d})" for name, ok in checks.items() if not ok)
        previous = d
    assert failures == []


def test_the_holiday_bound_is_reached_so_the_property_can_fail() -> None:
    # Guards the MAX_PUSH table against being loose: each bound is met on some day.
    for country, bound in MAX_PUSH.items():
        pushes = {
            (request_deadline(r, country).due - _same_date_next_month(r)).days for r in ALL_DAYS
        }
        pushes |= {
            (request_deadline(r, country).extended_due - _same_date_next_month(r, 3)).days
            for r in ALL_DAYS
        }
        assert max(pushes) == bound, country


# --- any date, any of a few countries -----------------------------------------------------------


@settings(deadline=None)
@given(
    start=st.dates(min_value=date(1971, 1, 1), max_value=date(2199, 12, 31)),
    months=st.integers(min_value=0, max_value=36),
)
def test_months_after_is_the_same_date_or_the_month_end(start: date, months: int) -> None:
    end = months_after(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    last = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last)


@settings(deadline=None)
@given(
    received=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    country=st.sampled_from(["FR", "DE", "BE", "IT", "ES", "GB", "US", "NL"]),
)
def test_due_dates_are_working_days_for_any_date(received: date, country: str) -> None:
    d = request_deadline(received, country)
    assert _oracle_working_day(d.due, country)
    assert _oracle_working_day(d.extended_due, country)
    assert _same_date_next_month(received) <= d.due < d.extended_due


# --- CLI ----------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_json_shape_without_extension() -> None:
    result = runner.invoke(app, ["law", "deadline", "--received", "2025-01-31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "received": "2025-01-31",
        "due": "2025-02-28",
        "extended_due": None,
        "country": "FR",
    }


def test_cli_json_shape_with_extension_and_country() -> None:
    args = [
        "law",
        "deadline",
        "--received",
        "2025-03-18",
        "--extended",
        "--country",
        "DE",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "received": "2025-03-18",
        "due": "2025-04-22",
        "extended_due": "2025-06-18",
        "country": "DE",
    }


def test_cli_text_output() -> None:
    result = runner.invoke(app, ["law", "deadline", "--received", "2025-06-14"])
    assert result.exit_code == 0, result.output
    assert "2025-07-15" in result.stdout
    assert "2025-09-15" not in result.stdout
    result = runner.invoke(app, ["law", "deadline", "--received", "2025-06-14", "--extended"])
    assert result.exit_code == 0, result.output
    assert "2025-07-15" in result.stdout and "2025-09-15" in result.stdout


@pytest.mark.parametrize("bad", ["2025-02-30", "31/01/2025", "tomorrow", ""])
def test_cli_bad_date_names_the_option_and_exits_2(bad: str) -> None:
    result = runner.invoke(app, ["law", "deadline", "--received", bad, "--json"])
    assert result.exit_code == 2
    assert "--received" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_cli_unknown_country_exits_2() -> None:
    result = runner.invoke(app, ["law", "deadline", "--received", "2025-01-31", "--country", "XX"])
    assert result.exit_code == 2
    assert "unknown country 'XX'" in result.stderr


def test_cli_missing_received_exits_2() -> None:
    result = runner.invoke(app, ["law", "deadline"])
    assert result.exit_code == 2
    assert "--received" in result.stderr
