"""The restriction list (Art. 18, R-RGT-07): folding placements and lifts, notice, Art. 19."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gardien.consent.ledger import EventRefused
from gardien.consent.restriction import (
    RestrictionEvent,
    RestrictionKind,
    check_lift,
    check_placement,
    recipients_to_notify,
    restrictions_in_force,
)
from gardien.registry.model import Registry
from tests.consent.conftest import T0


def placed(seq: int, rid: str, days: int) -> RestrictionEvent:
    return RestrictionEvent(
        seq, T0 + timedelta(days=days), RestrictionKind.PLACED, rid, "accuracy contested", "req-1"
    )


def lifted(seq: int, rid: str, days: int) -> RestrictionEvent:
    return RestrictionEvent(
        seq, T0 + timedelta(days=days), RestrictionKind.LIFTED, rid, notice="letter of 2026-03-10"
    )


def test_a_placement_is_in_force_until_it_is_lifted_and_not_after() -> None:
    events = [placed(1, "r1", 0), lifted(2, "r1", 10)]
    assert restrictions_in_force(events, T0 - timedelta(seconds=1)) == ()
    assert [e.restriction_id for e in restrictions_in_force(events, T0 + timedelta(days=5))] == [
        "r1"
    ]
    assert restrictions_in_force(events, T0 + timedelta(days=10)) == ()
    assert restrictions_in_force(events) == ()


def test_lifting_one_restriction_leaves_the_other() -> None:
    events = [placed(1, "r1", 0), placed(2, "r2", 1), lifted(3, "r1", 2)]
    assert [e.restriction_id for e in restrictions_in_force(events)] == ["r2"]


def test_lifting_needs_a_recorded_notice_to_the_person() -> None:
    with pytest.raises(EventRefused, match=r"Art\. 18\(3\)"):
        check_lift("  ", [placed(1, "r1", 0)])
    with pytest.raises(EventRefused, match="nothing to lift"):
        check_lift("letter sent", [])
    check_lift("letter sent", [placed(1, "r1", 0)])


def test_placing_needs_a_reason() -> None:
    with pytest.raises(EventRefused, match="reason"):
        check_placement("")


def test_recipients_to_notify_are_the_activities_recipients_without_staff(
    registry: Registry,
) -> None:
    # Art. 19; staff are the controller itself.
    assert recipients_to_notify(registry, ["contract"]) == [
        "field-providers",
        "it-processors",
        "prescriber",
    ]
    assert recipients_to_notify(registry, ["alarm-handling"]) == []
    everyone = recipients_to_notify(registry)
    assert "call-tech-providers" in everyone and "staff" not in everyone
    assert len(everyone) == len(set(everyone))
