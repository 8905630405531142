from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gardien.audit.chain import GENESIS, AuditEvent, NewEvent, Verification, seal
from gardien.audit.chain import verify as verify_with
from gardien.audit.keys import AuditKey

KEY = AuditKey(b"a test audit key, not a real one")


def verify(events: list[AuditEvent]) -> Verification:
    return verify_with(events, {KEY.key_id: KEY})


def trail(n: int = 5, key: AuditKey | None = KEY) -> list[AuditEvent]:
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
            key=key,
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


def test_an_event_sealed_without_the_key_is_refused() -> None:
    # Whoever re-seals an edited event with plain SHA-256, keeping its key id.
    events = trail()
    edited = replace(events[2], details={"n": 99})
    events[2] = replace(edited, hash=edited.expected_seal(None))
    result = verify(events)
    assert not result.ok and result.first_bad_seq == 3 and "seal" in (result.reason or "")


def test_legacy_events_verify_as_a_prefix_and_are_counted() -> None:
    legacy = trail(3, key=None)
    keyed = seal(
        NewEvent("dpo", "x", "t"), seq=4, at=legacy[-1].at, prev_hash=legacy[-1].hash, key=KEY
    )
    result = verify([*legacy, keyed])
    assert result.ok and result.legacy_events == 3 and result.events == 4


def test_a_legacy_seal_after_a_keyed_one_is_refused() -> None:
    first = trail(2)
    late = seal(
        NewEvent("dpo", "x", "t"), seq=3, at=first[-1].at, prev_hash=first[-1].hash, key=None
    )
    result = verify([*first, late])
    assert not result.ok and result.first_bad_seq == 3 and "plain SHA-256" in (result.reason or "")


def test_an_edited_legacy_prefix_breaks_the_first_keyed_event() -> None:
    legacy = trail(3, key=None)
    keyed = seal(
        NewEvent("dpo", "x", "t"), seq=4, at=legacy[-1].at, prev_hash=legacy[-1].hash, key=KEY
    )
    edited = replace(legacy[1], details={"n": 99})
    legacy[1] = replace(edited, hash=edited.expected_seal(None))
    legacy[2] = replace(legacy[2], prev_hash=legacy[1].hash)
    legacy[2] = replace(legacy[2], hash=legacy[2].expected_seal(None))
    result = verify([*legacy, keyed])
    assert not result.ok and result.first_bad_seq == 4


def test_events_of_a_retired_key_verify_with_it_and_only_with_it() -> None:
    new_key = AuditKey(b"the next audit key")
    old = trail(2)
    rotated = seal(
        NewEvent("dpo", "x", "t"), seq=3, at=old[-1].at, prev_hash=old[-1].hash, key=new_key
    )
    ring = {KEY.key_id: KEY, new_key.key_id: new_key}
    assert verify_with([*old, rotated], ring).ok
    missing = verify_with([*old, rotated], {new_key.key_id: new_key})
    assert not missing.ok and missing.first_bad_seq == 1 and KEY.key_id in (missing.reason or "")
