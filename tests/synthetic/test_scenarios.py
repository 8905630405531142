"""Every retention scenario of ima-protect exists in the generated data, at a fixed now.

The outcome of each row is recomputed here from its dates alone, by the rules as the notice
states them (R-RET-01…05), independently of the generator's code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gardien.registry.duration import Duration
from gardien.registry.model import ActivePhase, Registry
from gardien.synthetic import ScenarioMix, create_system, fill_system
from gardien.synthetic.scenarios import Outcome, Timeline, scenarios, table_timelines
from tests.synthetic.conftest import NOW
from tests.synthetic.helpers import read_rows

TODAY = NOW.date()
DAY = dt.timedelta(days=1)
P5Y, P2Y, P6M = Duration(years=5), Duration(years=2), Duration(months=6)


def years_ago(value: dt.date | dt.datetime, low: float, high: float) -> bool:
    days = (TODAY - (value.date() if isinstance(value, dt.datetime) else value)).days
    return low * 365.25 <= days <= high * 365.25


@pytest.fixture(scope="module")
def generated(ima: Registry, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder: Path = tmp_path_factory.mktemp("scenarios")
    tables: dict[str, Any] = {}
    for system in ("crm", "telephony"):
        url = f"sqlite:///{folder}/{system}.db"
        create_system(ima, system, url)
        fill_system(ima, system, url, people=2000, seed=3, now=NOW)
        for table, spec in ima.systems[system].tables.items():
            if spec.subject:
                tables[table] = read_rows(ima, system, url, table)
    return tables


def client_outcome(ended: dt.date | None) -> Outcome:  # R-RET-01, R-RET-04
    if ended is None or ended > TODAY:
        return Outcome.ACTIVE
    return Outcome.ARCHIVED if P5Y.add_to(ended) > TODAY else Outcome.EXPIRED


def test_contracts_running_ended_and_at_every_edge(generated: dict[str, Any]) -> None:
    for table in ("client",):
        ended = [r["contract_ended_on"] for r in generated[table]]
        assert None in ended, "contracts still running"
        assert TODAY + DAY in ended, "a contract ending tomorrow (still active)"
        assert TODAY - DAY in ended, "a contract ended yesterday (archived)"
        assert any(e and years_ago(e, 0.8, 1.2) for e in ended), "ended 1 year ago"
        assert any(e and years_ago(e, 3.8, 4.2) for e in ended), "ended 4 years ago"
        assert any(e and years_ago(e, 5.8, 6.2) for e in ended), "ended 6 years ago"
        assert any(e and P5Y.add_to(e) == TODAY + DAY for e in ended), "archive ends tomorrow"
        assert any(e and P5Y.add_to(e) == TODAY - DAY for e in ended), "archive ended yesterday"


def test_prospects_latest_of_collection_and_contact_matters(generated: dict[str, Any]) -> None:
    seen: Counter[object] = Counter()
    for row in generated["prospect"]:
        collected, contact = row["collected_at"], row["last_inbound_contact_at"]
        assert collected is not None and contact is not None
        latest = max(collected, contact)
        order = "contact later" if contact > collected else "collected later"
        if years_ago(latest, 0.8, 1.2):
            seen["1y", order] += 1
            if years_ago(min(collected, contact), 1.0, 4.0):
                seen["1y with the other date older than 2 years", order] += 1
        elif years_ago(latest, 2.8, 3.2):
            seen["3y", order] += 1
        if P2Y.add_to(latest) == NOW + DAY:
            seen["ends tomorrow"] += 1
        if P2Y.add_to(latest) == NOW - DAY:
            seen["ended yesterday"] += 1
    for age in ("1y", "3y", "1y with the other date older than 2 years"):
        for order in ("contact later", "collected later"):
            assert seen[age, order] > 0, (age, order)
    assert seen["ends tomorrow"] and seen["ended yesterday"]


def test_trusted_persons_designated_removed_or_client_gone(generated: dict[str, Any]) -> None:
    kinds: Counter[object] = Counter()
    # the contract's end is read on the designating client's row (R-RET-03, relations)
    ended_on = {c["id"]: c["contract_ended_on"] for c in generated["client"]}
    for row in generated["trusted_person"]:
        removed, client_ended = row["removed_at"], ended_on.get(row["client_id"])
        kinds[removed is not None, client_ended is not None] += 1
        if removed is not None and removed == NOW - DAY:
            kinds["removed yesterday"] += 1
        if client_ended == TODAY + DAY:
            kinds["client's contract ends tomorrow"] += 1
    assert kinds[False, False], "still designated"
    assert kinds[True, False], "removed"
    assert kinds[False, True], "client's contract ended"
    assert kinds[True, True], "removed, and the contract ended too"
    assert kinds["removed yesterday"] and kinds["client's contract ends tomorrow"]


def test_recordings_three_and_nine_months_old(generated: dict[str, Any]) -> None:
    recorded = [r["recorded_at"] for r in generated["call_recording"]]
    ages = [(NOW - r).days for r in recorded]
    assert any(75 <= a <= 105 for a in ages), "3 months old"
    assert any(255 <= a <= 285 for a in ages), "9 months old"
    assert NOW + DAY in [P6M.add_to(r) for r in recorded], "6 months tomorrow"
    assert NOW - DAY in [P6M.add_to(r) for r in recorded], "6 months yesterday"


def test_default_mix_expires_about_half(generated: dict[str, Any]) -> None:
    recordings = Counter(P6M.add_to(r["recorded_at"]) <= NOW for r in generated["call_recording"])
    prospects = Counter(
        P2Y.add_to(max(r["collected_at"], r["last_inbound_contact_at"])) <= NOW
        for r in generated["prospect"]
    )
    for counts in (recordings, prospects):
        assert 0.44 <= counts[True] / 2000 <= 0.56
    clients = Counter(client_outcome(r["contract_ended_on"]) for r in generated["client"])
    assert 0.37 <= clients[Outcome.EXPIRED] / 2000 <= 0.49
    assert 0.08 <= clients[Outcome.ARCHIVED] / 2000 <= 0.19


def test_the_mix_is_a_parameter(ima: Registry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    create_system(ima, "crm", url)
    everyone_active = ScenarioMix(active=1, archived=0, expired=0, boundary=0)
    fill_system(ima, "crm", url, people=200, now=NOW, tables=["client"], mix=everyone_active)
    assert {r["contract_ended_on"] for r in read_rows(ima, "crm", url, "client")} == {None}


def test_mix_rejects_negative_or_empty_shares() -> None:
    with pytest.raises(ValueError, match="negative"):
        ScenarioMix(active=-1)
    with pytest.raises(ValueError, match="positive"):
        ScenarioMix(active=0, archived=0, expired=0)


def test_rules_sharing_an_active_phase_are_one_timeline_with_the_longest_archive(
    ima: Registry,
) -> None:
    # contract (archive P5Y) and service-improvement (none) both end at contract_end.
    [timeline] = table_timelines(ima, "crm", "client")
    assert timeline.activity == "contract" and timeline.archive == P5Y
    # trusted persons: one `until earliest(...)` timeline, no archive (R-RET-03)
    [trusted] = table_timelines(ima, "crm", "trusted_person")
    assert str(trusted.expression) == "earliest(removed_at, contract_end)" and not trusted.archive


# --- edges hold for any duration and any now, including month ends -------------------------

durations = st.builds(
    Duration,
    years=st.integers(0, 6),
    months=st.integers(0, 14),
    days=st.integers(0, 40),
).filter(lambda d: d.add_to(dt.date(2001, 1, 1)) > dt.date(2001, 1, 10))
moments = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2090, 1, 1))


def _outcome(timeline: Timeline, anchor: Any, now: Any) -> Outcome:
    if anchor is None or timeline.active_end(anchor) > now:
        return Outcome.ACTIVE
    return Outcome.ARCHIVED if timeline.archive_end(anchor) > now else Outcome.EXPIRED


@settings(max_examples=150, deadline=None)
@given(
    active=durations,
    archive=st.none() | durations,
    until=st.booleans(),
    now=moments,
)
def test_every_scenario_lands_where_it_says(
    active: Duration, archive: Duration | None, until: bool, now: dt.datetime
) -> None:
    now = now.replace(microsecond=0)
    phase = (
        ActivePhase.model_validate({"until": "contract_end"})
        if until
        else ActivePhase.model_validate({"for": active.iso(), "from": "recorded_at"})
    )
    timeline = Timeline("a", phase, archive)
    options = scenarios(timeline, now, ScenarioMix())
    assert abs(sum(o.weight for o in options) - 1) < 1e-9
    for option in options:
        jitter = dt.timedelta(days=option.jitter_days)
        for anchor, at in ((option.anchor, now), (option.date_anchor, now.date())):
            for shift in {dt.timedelta(0), jitter, -jitter}:
                moved = anchor + shift if anchor is not None else None
                assert _outcome(timeline, moved, at) is option.outcome, (option.name, shift)
        if option.name.endswith("edge") or option.name.endswith(("_in", "_out")):
            end = timeline.archive_end if "archive" in option.name else timeline.active_end
            assert option.anchor is not None and option.date_anchor is not None
            if option.outcome is not Outcome.EXPIRED and "ended" not in option.name:
                assert end(option.anchor) >= now + DAY > end(option.anchor - DAY)
                assert end(option.date_anchor) >= now.date() + DAY > end(option.date_anchor - DAY)
            else:
                assert end(option.anchor) <= now - DAY < end(option.anchor + DAY)
                assert end(option.date_anchor) <= now.date() - DAY < end(option.date_anchor + DAY)
