from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gardien.audit.anchors import AnchorFormatError, from_line, make_anchor, to_line
from gardien.audit.chain import verify
from gardien.audit.keys import AuditKey
from tests.audit.test_chain import KEY, trail

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)


def test_an_anchor_line_reads_back_sealed() -> None:
    made = make_anchor(seq=5, digest="ab" * 32, at=AT, legacy=2, key=KEY)
    read = from_line(to_line(made))
    assert read == made and read.sealed_by(KEY)
    assert not replace(read, seq=4).sealed_by(KEY)
    assert not read.sealed_by(AuditKey(b"another key"))


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "[]",
        '{"seq": 1}',
        '{"seq": -1, "digest": "x", "at": "2026-11-02T10:00:00+00:00", "key_id": "k", "legacy": 0, "mac": "m"}',
    ],
)
def test_a_line_that_is_not_an_anchor_says_why(line: str) -> None:
    with pytest.raises(AnchorFormatError):
        from_line(line)


def test_an_anchor_beyond_the_end_names_the_first_missing_event() -> None:
    events = trail(5)
    anchor = make_anchor(seq=5, digest=events[-1].hash, at=AT, legacy=0, key=KEY)
    result = verify(events[:3], {KEY.key_id: KEY}, [anchor])
    assert not result.ok and result.first_bad_seq == 4 and "truncated" in (result.reason or "")
    wiped = verify([], {KEY.key_id: KEY}, [anchor])
    assert not wiped.ok and wiped.first_bad_seq == 1 and "wiped" in (wiped.reason or "")


def test_a_rewritten_anchored_event_is_named() -> None:
    events = trail(5)
    anchor = make_anchor(seq=3, digest="0" * 64, at=AT, legacy=0, key=KEY)
    result = verify(events, {KEY.key_id: KEY}, [anchor])
    assert not result.ok and result.first_bad_seq == 3 and "anchor" in (result.reason or "")


def test_an_intact_trail_reports_its_latest_anchor() -> None:
    events = trail(5)
    anchors = [
        make_anchor(seq=n, digest=events[n - 1].hash, at=AT, legacy=0, key=KEY) for n in (2, 4)
    ]
    result = verify(events, {KEY.key_id: KEY}, anchors)
    assert result.ok and result.anchor == anchors[1]
