"""The calendar of periods (issue 10 §1): kept all of the last day, gone the day after."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gardien.law.calendar import (
    last_day,
    last_day_before,
    latest_event_day_gone_by,
    local_day,
    period_end,
)
from gardien.registry.duration import Duration

P5Y = [Duration.parse("P5Y")]


def test_a_contract_ended_2021_06_15_is_kept_all_of_2026_06_15() -> None:
    assert last_day(date(2021, 6, 15), P5Y) == date(2026, 6, 15)
    assert latest_event_day_gone_by(date(2026, 6, 15), P5Y) < date(2021, 6, 15)


def test_a_contract_ended_2021_06_15_is_gone_on_2026_06_16() -> None:
    assert latest_event_day_gone_by(date(2026, 6, 16), P5Y) == date(2021, 6, 15)


def test_29_february_plus_one_year_ends_on_28_february_and_both_starts_are_gone_after() -> None:
    one_year = [Duration.parse("P1Y")]
    assert last_day(date(2024, 2, 29), one_year) == date(2025, 2, 28)
    assert latest_event_day_gone_by(date(2025, 3, 1), one_year) == date(2024, 2, 29)


def test_an_afternoon_log_in_paris_summer_time_counts_on_its_local_day() -> None:
    # 22:30 UTC on 30 September is 1 October 00:30 in Paris.
    assert local_day(datetime(2026, 9, 30, 22, 30), "Europe/Paris") == date(2026, 10, 1)
    assert local_day(datetime(2026, 9, 30, 22, 30, tzinfo=UTC), "UTC") == date(2026, 9, 30)
    assert local_day("2026-09-30", "Europe/Paris") == date(2026, 9, 30)


def test_a_package_made_late_on_a_paris_evening_is_available_all_of_its_thirtieth_day() -> None:
    # 2026-12-01 23:30 UTC is already 2 December in Paris: day 0 is 2 December, the last
    # day 1 January, available until 1 January 24:00 Paris = 23:00 UTC.
    made = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    end = period_end(made, [Duration(days=30)], "Europe/Paris")
    assert end == datetime(2027, 1, 1, 23, 0, tzinfo=UTC)
    assert last_day_before(end, "Europe/Paris") == date(2027, 1, 1)


def test_a_six_month_link_made_on_31_august_runs_to_the_end_of_february() -> None:
    made = datetime(2026, 8, 31, 9, 0, tzinfo=UTC)
    end = period_end(made, [Duration(months=6)], "UTC")
    assert end == datetime(2027, 3, 1, tzinfo=UTC)
    assert last_day_before(end, "UTC") == date(2027, 2, 28)
