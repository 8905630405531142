"""Every legal basis × event kind on ima-protect: what may be recorded and what may be done."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gardien.consent.decision import Decision, SubjectRecord, may_process
from gardien.consent.ledger import (
    ActivityState,
    Channel,
    EventKind,
    EventRefused,
    LedgerEvent,
    check_event,
    state_of,
)
from gardien.consent.restriction import RestrictionEvent, RestrictionKind
from gardien.errors import UsageError
from gardien.registry.model import Registry
from tests.consent.conftest import T0

DAY = timedelta(days=1)

# (activity, kind) → recorded?  Refusals are the law's: Art. 7, 21(1), 21(3).
MATRIX = {
    # contract (Art. 6(1)(b)): no consent to give, no objection
    ("contract", EventKind.CONSENT_GIVEN): False,
    ("contract", EventKind.CONSENT_WITHDRAWN): False,
    ("contract", EventKind.OBJECTION): False,
    # legitimate interest (Art. 6(1)(f)): objection applies (R-RGT-04, R-RGT-06)
    ("service-improvement", EventKind.CONSENT_GIVEN): False,
    ("service-improvement", EventKind.OBJECTION): True,
    ("call-recording", EventKind.OBJECTION): True,
    ("alarm-handling", EventKind.OBJECTION): True,
    # direct marketing on legitimate interest: objection absolute (R-RGT-05)
    ("prospecting", EventKind.OBJECTION): True,
    ("prospecting", EventKind.CONSENT_GIVEN): False,
    # legal obligation (Art. 6(1)(c)): cannot be objected to
    ("call-recording-compliance", EventKind.OBJECTION): False,
    ("call-recording-compliance", EventKind.CONSENT_WITHDRAWN): False,
    # consent (Art. 6(1)(a)): given and withdrawn; objection only to direct marketing
    ("satisfaction-survey", EventKind.CONSENT_GIVEN): True,
    ("satisfaction-survey", EventKind.CONSENT_WITHDRAWN): True,
    ("satisfaction-survey", EventKind.OBJECTION): False,
    ("newsletter", EventKind.CONSENT_GIVEN): True,
    ("newsletter", EventKind.CONSENT_WITHDRAWN): True,
    ("newsletter", EventKind.OBJECTION): True,
}


@pytest.mark.parametrize(("activity", "kind"), list(MATRIX), ids=lambda v: str(v))
def test_which_events_the_law_allows(registry: Registry, activity: str, kind: EventKind) -> None:
    if MATRIX[(activity, kind)]:
        check_event(registry, activity, kind, ActivityState())
    else:
        with pytest.raises(EventRefused):
            check_event(registry, activity, kind, ActivityState())


def ev(
    seq: int, activity: str, kind: EventKind, days: float = 0, proof: str | None = None
) -> LedgerEvent:
    return LedgerEvent(
        seq, T0 + timedelta(days=days), activity, kind, Channel.PHONE, proof, "2024-03-28"
    )


def ask(
    registry: Registry,
    activity: str,
    *events: LedgerEvent,
    days: float = 30,
    restrictions: tuple[RestrictionEvent, ...] = (),
    suppressed_since: datetime | None = None,
) -> Decision:
    record = SubjectRecord(tuple(events), restrictions, suppressed_since)
    return may_process(registry, record, activity, T0 + timedelta(days=days))


def test_compliance_recording_under_legal_obligation_cannot_be_objected_to(
    registry: Registry,
) -> None:
    with pytest.raises(
        EventRefused, match=r"legal obligation \(Art\. 6\(1\)\(c\)\).*does not apply"
    ):
        check_event(registry, "call-recording-compliance", EventKind.OBJECTION, ActivityState())
    decision = ask(registry, "call-recording-compliance")
    assert decision.allowed and "does not apply" in decision.reason
    assert decision.basis.value == "legal_obligation"


def test_objection_to_call_recording_stops_it_until_compelling_grounds_are_recorded(
    registry: Registry,
) -> None:
    # R-RGT-06 on legitimate interest: Art. 21(1).
    objection = ev(1, "call-recording", EventKind.OBJECTION)
    assert ask(registry, "call-recording").allowed
    stopped = ask(registry, "call-recording", objection)
    assert not stopped.allowed and "Art. 21(1)" in stopped.reason
    state = state_of([objection], "call-recording")
    with pytest.raises(EventRefused, match="compelling"):
        check_event(registry, "call-recording", EventKind.OBJECTION_LIFTED, state, proof=" ")
    check_event(
        registry, "call-recording", EventKind.OBJECTION_LIFTED, state, proof="litigation 2026-17"
    )
    lifted = ev(2, "call-recording", EventKind.OBJECTION_LIFTED, days=5, proof="litigation 2026-17")
    resumed = ask(registry, "call-recording", objection, lifted)
    assert resumed.allowed and "litigation 2026-17" in resumed.reason
    # the compliance use of the same recordings is untouched by the objection
    assert ask(registry, "call-recording-compliance", objection).allowed


def test_an_objection_cannot_be_lifted_when_none_is_in_force(registry: Registry) -> None:
    with pytest.raises(EventRefused, match="no objection in force"):
        check_event(
            registry, "service-improvement", EventKind.OBJECTION_LIFTED, ActivityState(), proof="x"
        )


def test_objection_to_prospecting_is_absolute_and_cannot_be_lifted(registry: Registry) -> None:
    # R-RGT-05, Art. 21(3)
    objection = ev(1, "prospecting", EventKind.OBJECTION)
    decision = ask(registry, "prospecting", objection)
    assert not decision.allowed and "Art. 21(3)" in decision.reason
    with pytest.raises(EventRefused, match="absolute"):
        check_event(
            registry,
            "prospecting",
            EventKind.OBJECTION_LIFTED,
            state_of([objection], "prospecting"),
            proof="we insist",
        )


def test_a_suppressed_person_is_never_prospected_again_whatever_the_activity(
    registry: Registry,
) -> None:
    # The person objected once, then reappears (purchased list): no event on this activity.
    for activity in ("prospecting", "newsletter"):
        decision = ask(registry, activity, suppressed_since=T0)
        assert not decision.allowed and "suppression list" in decision.reason
    assert ask(registry, "newsletter", days=-1, suppressed_since=T0).reason.startswith("no consent")
    assert ask(registry, "contract", suppressed_since=T0).allowed
    with pytest.raises(EventRefused, match="suppression list"):
        check_event(
            registry, "newsletter", EventKind.CONSENT_GIVEN, ActivityState(), suppressed=True
        )


def test_objection_to_prospecting_must_name_a_direct_marketing_activity(registry: Registry) -> None:
    with pytest.raises(EventRefused, match="not direct marketing"):
        check_event(
            registry,
            "service-improvement",
            EventKind.OBJECTION,
            ActivityState(),
            prospecting_asserted=True,
        )
    check_event(
        registry, "prospecting", EventKind.OBJECTION, ActivityState(), prospecting_asserted=True
    )


def test_consent_is_needed_and_withdrawal_acts_for_the_future_only(registry: Registry) -> None:
    # R-RGT-10
    given_ = ev(1, "satisfaction-survey", EventKind.CONSENT_GIVEN, days=1)
    withdrawn = ev(2, "satisfaction-survey", EventKind.CONSENT_WITHDRAWN, days=10)
    assert ask(registry, "satisfaction-survey").reason.startswith("no consent")
    assert not ask(registry, "satisfaction-survey", given_, withdrawn, days=0).allowed
    during = ask(registry, "satisfaction-survey", given_, withdrawn, days=5)
    assert during.allowed and "notice 2024-03-28" in during.reason
    after = ask(registry, "satisfaction-survey", given_, withdrawn, days=10)
    assert not after.allowed and "R-RGT-10" in after.reason
    again = ev(3, "satisfaction-survey", EventKind.CONSENT_GIVEN, days=20)
    assert ask(registry, "satisfaction-survey", given_, withdrawn, again).allowed


def test_consent_to_a_newsletter_ends_with_an_objection_to_prospecting(registry: Registry) -> None:
    given_ = ev(1, "newsletter", EventKind.CONSENT_GIVEN)
    assert ask(registry, "newsletter", given_).allowed
    objection = ev(2, "newsletter", EventKind.OBJECTION, days=2)
    assert not ask(registry, "newsletter", given_, objection).allowed


def test_a_restriction_allows_nothing_but_storage_whatever_the_basis(registry: Registry) -> None:
    # Art. 18(2), R-RGT-07
    placed = RestrictionEvent(
        1, T0 + DAY, RestrictionKind.PLACED, "r1", "accuracy contested", "req-9"
    )
    lifted = RestrictionEvent(2, T0 + 20 * DAY, RestrictionKind.LIFTED, "r1", notice="letter")
    for activity in ("contract", "call-recording-compliance", "prospecting"):
        decision = ask(registry, activity, days=10, restrictions=(placed, lifted))
        assert (
            not decision.allowed and "Art. 18(2)" in decision.reason and "req-9" in decision.reason
        )
        assert ask(registry, activity, days=0, restrictions=(placed, lifted)).allowed
        assert ask(registry, activity, days=20, restrictions=(placed, lifted)).allowed


def test_an_unknown_activity_is_named(registry: Registry) -> None:
    with pytest.raises(UsageError, match="'marketing' is not declared"):
        ask(registry, "marketing")


def test_the_json_answer_has_the_documented_shape(registry: Registry) -> None:
    answer = ask(registry, "contract").as_json()
    assert set(answer) == {"allowed", "reason", "basis", "activity", "at"}
    assert answer["basis"] == "contract" and answer["activity"] == "contract"
