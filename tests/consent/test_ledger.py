"""Folding the ledger: the state is the last event of each axis, as of any instant (R-RGT-10)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gardien.consent.decision import SubjectRecord, may_process
from gardien.consent.ledger import (
    ActivityState,
    Channel,
    EventKind,
    EventRefused,
    LedgerEvent,
    check_event,
    fold,
    state_of,
)
from gardien.registry.model import Registry
from tests.consent.conftest import T0

ACTIVITIES = ("newsletter", "satisfaction-survey")

raw_events = st.lists(
    st.tuples(
        st.sampled_from(ACTIVITIES),
        st.sampled_from(list(EventKind)),
        st.integers(min_value=0, max_value=50),  # hours after T0; ties are frequent on purpose
    ),
    max_size=30,
)


def build(raw: list[tuple[str, EventKind, int]]) -> list[LedgerEvent]:
    return [
        LedgerEvent(seq, T0 + timedelta(hours=h), activity, kind, Channel.PORTAL)
        for seq, (activity, kind, h) in enumerate(raw, start=1)
    ]


@given(raw_events, st.randoms())
def test_the_state_is_the_last_event_of_each_axis_whatever_the_input_order(
    raw: list[tuple[str, EventKind, int]], rnd: object
) -> None:
    events = build(raw)
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    states = fold(shuffled)
    for activity in ACTIVITIES:
        mine = sorted((e for e in events if e.activity == activity), key=lambda e: (e.at, e.seq))
        consent = [e for e in mine if e.kind.axis == "consent"]
        objection = [e for e in mine if e.kind.axis == "objection"]
        state = states.get(activity)
        if not mine:
            assert state is None
            continue
        assert state is not None
        assert state.consent == (consent[-1] if consent else None)
        assert state.objection == (objection[-1] if objection else None)
        assert state.consent_in_force == bool(
            consent and consent[-1].kind is EventKind.CONSENT_GIVEN
        )


@given(raw_events, st.integers(min_value=0, max_value=50))
def test_a_state_at_an_instant_ignores_later_events(
    raw: list[tuple[str, EventKind, int]], cut: int
) -> None:
    events = build(raw)
    instant = T0 + timedelta(hours=cut)
    known = [e for e in events if e.at <= instant]
    assert fold(events, at=instant) == fold(known)


@given(
    st.lists(st.sampled_from([EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN]), max_size=12),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=1, max_value=20),
)
def test_a_withdrawal_never_changes_an_answer_about_an_instant_before_it(
    registry: Registry, kinds: list[EventKind], asked_hour: int, later_by: int
) -> None:
    # R-RGT-10, Art. 7(3): withdrawal acts for the future; past processing stays lawful.
    events = [
        LedgerEvent(i, T0 + timedelta(hours=3 * i), "satisfaction-survey", kind, Channel.EMAIL)
        for i, kind in enumerate(kinds, start=1)
    ]
    asked = T0 + timedelta(hours=asked_hour)
    before = may_process(registry, SubjectRecord(tuple(events)), "satisfaction-survey", asked)
    withdrawal_at = max([asked, *(e.at for e in events)]) + timedelta(minutes=later_by)
    withdrawal = LedgerEvent(
        len(events) + 1,
        withdrawal_at,
        "satisfaction-survey",
        EventKind.CONSENT_WITHDRAWN,
        Channel.PORTAL,
    )
    after = may_process(
        registry, SubjectRecord((*events, withdrawal)), "satisfaction-survey", asked
    )
    assert after == before
    then = may_process(
        registry, SubjectRecord((*events, withdrawal)), "satisfaction-survey", withdrawal_at
    )
    assert not then.allowed and "withdrawn" in then.reason


def test_events_at_the_same_instant_are_ordered_as_written() -> None:
    given_ = LedgerEvent(1, T0, "newsletter", EventKind.CONSENT_GIVEN, Channel.PORTAL)
    withdrawn = LedgerEvent(2, T0, "newsletter", EventKind.CONSENT_WITHDRAWN, Channel.PORTAL)
    assert not state_of([withdrawn, given_], "newsletter").consent_in_force
    assert state_of([given_], "newsletter", T0).consent_in_force


ATTEMPTS = ("prospecting", "newsletter", "call-recording", "call-recording-compliance", "contract")


@given(
    st.lists(
        st.tuples(st.sampled_from(ATTEMPTS), st.sampled_from(list(EventKind)), st.booleans()),
        max_size=25,
    )
)
def test_through_the_law_s_checks_the_state_is_the_last_accepted_event(
    registry: Registry, attempts: list[tuple[str, EventKind, bool]]
) -> None:
    accepted: list[LedgerEvent] = []
    objected_to_prospecting_at: datetime | None = None
    for hour, (activity, kind, with_proof) in enumerate(attempts):
        moment = T0 + timedelta(hours=hour)
        suppressed = objected_to_prospecting_at is not None
        try:
            check_event(
                registry,
                activity,
                kind,
                state_of(accepted, activity),
                suppressed=suppressed,
                proof="grounds" if with_proof else None,
            )
        except EventRefused:
            continue
        event = LedgerEvent(
            hour, moment, activity, kind, Channel.CLI, "grounds" if with_proof else None
        )
        accepted.append(event)
        if kind is EventKind.OBJECTION and registry.activities[activity].direct_marketing:
            objected_to_prospecting_at = objected_to_prospecting_at or moment
    states = fold(accepted)
    for activity in ATTEMPTS:
        mine = [e for e in accepted if e.activity == activity]
        consent = [e for e in mine if e.kind.axis == "consent"]
        objection = [e for e in mine if e.kind.axis == "objection"]
        state = states.get(activity, ActivityState())
        assert state.consent == (consent[-1] if consent else None)
        assert state.objection == (objection[-1] if objection else None)
    # nothing the law refuses ever got in
    assert not any(e.activity == "call-recording-compliance" for e in accepted)
    assert not any(e.activity == "contract" for e in accepted)
    # Art. 21(3): once objected to, prospecting never resumes, whatever came after
    if objected_to_prospecting_at is not None:
        record = SubjectRecord(tuple(accepted), suppressed_since=objected_to_prospecting_at)
        end = T0 + timedelta(hours=len(attempts) + 1)
        for activity in ("prospecting", "newsletter"):
            assert not may_process(registry, record, activity, end).allowed
