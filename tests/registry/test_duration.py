from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gardien.registry.duration import Duration, DurationSyntaxError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P5Y", Duration(years=5)),
        ("P2Y6M", Duration(years=2, months=6)),
        ("P6M", Duration(months=6)),
        ("P13M", Duration(months=13)),
        ("P2W", Duration(days=14)),
        ("P1Y2M10D", Duration(1, 2, 10)),
    ],
)
def test_parses_iso_date_durations(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected


@pytest.mark.parametrize("text", ["P", "5Y", "P1H", "PT1H", "P-1Y", "six months", "", "P1.5Y"])
def test_rejects_what_is_not_a_date_duration(text: str) -> None:
    with pytest.raises(DurationSyntaxError):
        Duration.parse(text)


def test_leap_day_plus_one_year_is_28_february() -> None:
    assert Duration.parse("P1Y").add_to(date(2024, 2, 29)) == date(2025, 2, 28)


def test_month_end_clamps() -> None:
    assert Duration.parse("P1M").add_to(date(2025, 1, 31)) == date(2025, 2, 28)
    assert Duration.parse("P6M").add_to(date(2025, 8, 31)) == date(2026, 2, 28)


def test_keeps_time_of_day() -> None:
    assert Duration.parse("P6M").add_to(datetime(2025, 1, 15, 13, 30)) == datetime(
        2025, 7, 15, 13, 30
    )


def test_iso_round_trip() -> None:
    for text in ["P5Y", "P2Y6M", "P6M", "P30D", "P1Y2M3D"]:
        assert Duration.parse(text).iso() == text


durations = st.builds(
    Duration,
    years=st.integers(0, 10),
    months=st.integers(0, 30),
    days=st.integers(0, 400),
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(durations, days, days)
def test_adding_is_monotone(duration: Duration, a: date, b: date) -> None:
    low, high = sorted((a, b))
    assert duration.add_to(low) <= duration.add_to(high)


@given(durations, days)
def test_cutoff_is_the_latest_start_already_ended(duration: Duration, now: date) -> None:
    cutoff = duration.latest_start_ended_by(now)
    assert duration.add_to(cutoff) <= now
    assert duration.add_to(cutoff + timedelta(days=1)) > now


@pytest.mark.parametrize("text", ["P201Y", "P2401M", "P9999Y", "P80000D"])
def test_refuses_durations_longer_than_any_retention_rule(text: str) -> None:
    with pytest.raises(DurationSyntaxError, match="longer than 200 years"):
        Duration.parse(text)


def test_two_hundred_years_is_still_a_duration() -> None:
    assert Duration.parse("P200Y").add_to(date(2026, 11, 30)) == date(2226, 11, 30)
