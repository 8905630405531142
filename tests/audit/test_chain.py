from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gardien.audit.chain import GENESIS, AuditEvent, NewEvent, seal, verify


def trail(n: int = 5) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    prev = GENESIS
    for i in range(1, n + 1):
        event = seal(
            NewEvent(
                "dpo",
                "hold.placed",
                f"hold:{i}",
                {"n": i},
                connection={"ip": "192.0.2.1"} if i == 2 else None,
            ),
            seq=i,
            at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            prev_hash=prev,
        )
        events.append(event)
        prev = event.hash
    return events


def test_intact_trail_verifies() -> None:
    result = verify(trail())
    assert result.ok and result.events == 5


def test_altered_event_is_named() -> None:
    events = trail()
    events[2] = replace(events[2], details={"n": 99})
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 3 and "altered" in (result.reason or "")


def test_removed_event_is_named() -> None:
    events = trail()
    del events[1]
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 3 and "removed" in (result.reason or "")


def test_reordered_events_are_named() -> None:
    events = trail()
    events[1], events[2] = events[2], events[1]
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 3


def test_renumbered_after_removal_breaks_the_link() -> None:
    events = trail()
    del events[1]
    events = [replace(e, seq=i + 1) for i, e in enumerate(events)]
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 2


def test_purged_connection_data_keeps_the_chain_valid() -> None:
    # R-RET-07: connection data goes after six months; only its digest is chained.
    events = trail()
    events[1] = replace(events[1], connection=None)
    assert verify(events).ok


def test_altered_connection_data_is_detected() -> None:
    events = trail()
    events[1] = replace(events[1], connection={"ip": "198.51.100.7"})
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 2
