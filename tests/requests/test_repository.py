"""The request book on SQLite and PostgreSQL: round trips, filters, transitions with their audit."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.chain import digest
from gardien.clock import FixedClock
from gardien.consent.keys import key_from_environment
from gardien.requests import workflow as wf
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import RequestState
from gardien.requests.verification import issue
from gardien.store import audit
from gardien.store import requests as book
from gardien.store.requests import RequestFilter, RequestNotFound

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
EMAIL = "o'brien+test@exämple.fr"
PHONE = "+33 6 12 34 56 78"


def new(
    request_id: str,
    kind: RequestKind = RequestKind.ACCESS,
    received_at: datetime = T0,
    details: RequestDetails | None = None,
) -> RightsRequest:
    return wf.new_request(
        request_id=request_id,
        kind=kind,
        identity={"email": EMAIL, "phone": PHONE},
        received_at=received_at,
        now=received_at,
        actor="agent",
        text="Je veux savoir ce que vous avez sur moi'; DROP TABLE rights_request; --",
        details=details,
    )


def apply(store: Engine, request_id: str, change: object, at: datetime = T0) -> RightsRequest:
    clock = FixedClock(at)
    with store.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        after = change(before)  # type: ignore[operator]
        book.save(conn, clock, before, after)
    return after  # type: ignore[no-any-return]


def test_round_trip_keeps_everything(store: Engine) -> None:
    request = new(
        "r1",
        RequestKind.RECTIFICATION,
        details=RequestDetails(fields={"last_name": "Ñúñez-O'Brien"}),
    )
    book.create(store, FixedClock(T0), request)
    loaded = book.get(store, "r1")
    assert loaded == request
    assert loaded.identity == {"email": EMAIL, "phone": "+33612345678"}


def test_unknown_id_is_named(store: Engine) -> None:
    with pytest.raises(RequestNotFound, match="'nope'"):
        book.get(store, "nope")


def test_transitions_are_saved_with_their_audit_events(store: Engine) -> None:
    book.create(store, FixedClock(T0), new("r1"))
    apply(
        store,
        "r1",
        lambda r: wf.verified(r, now=T0, actor="a.m", method="attestation", attestation="passport"),
    )
    apply(store, "r1", lambda r: wf.extend(r, now=T0, actor="dpo", reason="many systems"))
    apply(store, "r1", lambda r: wf.start(r, now=T0, actor="engine"))
    result = {"crm": {"customer": {"found": 1, "erased": 0}}}
    done = apply(store, "r1", lambda r: wf.complete(r, now=T0, actor="engine", result=result))
    loaded = book.get(store, "r1")
    assert loaded == done and loaded.result == result and loaded.extended
    assert [e.to_state for e in loaded.timeline] == [
        RequestState.RECEIVED,
        RequestState.VERIFIED,
        RequestState.VERIFIED,
        RequestState.IN_PROGRESS,
        RequestState.COMPLETED,
    ]
    events = list(audit.events(store, action="request.*"))
    assert [e.action for e in events] == [
        "request.submit",
        "request.verify",
        "request.extend",
        "request.start",
        "request.complete",
    ]
    assert all(e.target == "request:r1" for e in events)
    assert events[0].details["identity"] == {
        "email": key_from_environment(os.environ).digest("email", EMAIL)[:16],
        "phone": key_from_environment(os.environ).digest("phone", "+33612345678")[:16],
    }
    assert events[1].details["attested_by"] == "a.m" and events[1].actor == "a.m"
    assert events[2].details["reason"] == "many systems"
    assert events[4].details["result_digest"] == digest(result)
    assert audit.verify_trail(store).ok
    trail = json.dumps([dict(e.details) for e in events], ensure_ascii=False)
    assert "brien" not in trail and "33612345678" not in trail and "DROP TABLE" not in trail


def test_rectified_values_reach_the_trail_only_hashed(store: Engine) -> None:
    request = new(
        "r1", RequestKind.RECTIFICATION, details=RequestDetails(fields={"last_name": "Dupont"})
    )
    book.create(store, FixedClock(T0), request)
    (event,) = audit.events(store, action="request.submit")
    keyed = key_from_environment(os.environ).digest("last_name", "Dupont")[:16]
    assert event.details["fields"] == {"last_name": keyed}
    assert "Dupont" not in json.dumps(dict(event.details))


def test_a_failed_transition_changes_nothing(store: Engine) -> None:
    book.create(store, FixedClock(T0), new("r1"))
    with pytest.raises(wf.ReasonRequired):
        apply(store, "r1", lambda r: wf.refuse(r, now=T0, actor="dpo", reason=""))
    assert book.get(store, "r1").state is RequestState.RECEIVED
    assert [e.action for e in audit.events(store)] == ["request.submit"]


def test_list_filters_and_sorts_by_deadline_in_force(store: Engine) -> None:
    clock = FixedClock(T0)
    book.create(store, clock, new("late", received_at=T0 - timedelta(days=60)))
    book.create(store, clock, new("soon", received_at=T0 - timedelta(days=20)))
    book.create(store, clock, new("fresh", received_at=T0))
    book.create(
        store,
        clock,
        new(
            "will",
            RequestKind.POST_MORTEM_DIRECTIVE,
            details=RequestDetails(directive="erase", directive_action=DirectiveAction.ERASE),
        ),
    )
    apply(store, "soon", lambda r: wf.extend(r, now=T0, actor="dpo", reason="complex"))
    apply(store, "fresh", lambda r: wf.cancel(r, now=T0, actor="dpo", reason="duplicate"))
    everything = book.list_requests(store)
    # soon is extended (three months from 13 Feb → 13 May), so it sorts after fresh (7 Apr).
    assert [r.id for r in everything] == ["late", "fresh", "soon", "will"]
    assert len(everything[0].timeline) == 1 and len(everything[2].timeline) == 2
    overdue = book.list_requests(store, RequestFilter(overdue_at=T0))
    assert [r.id for r in overdue] == ["late"]
    later = T0 + timedelta(days=40)  # fresh is past due but cancelled; soon was extended
    assert [r.id for r in book.list_requests(store, RequestFilter(overdue_at=later))] == ["late"]
    assert [
        r.id for r in book.list_requests(store, RequestFilter(state=RequestState.CANCELLED))
    ] == ["fresh"]
    kind = RequestFilter(kind=RequestKind.POST_MORTEM_DIRECTIVE)
    assert [r.id for r in book.list_requests(store, kind)] == ["will"]
    before = RequestFilter(due_before=date(2026, 4, 8))
    assert [r.id for r in book.list_requests(store, before)] == ["late", "fresh"]


def test_a_new_code_supersedes_the_previous_one(store: Engine) -> None:
    book.create(store, FixedClock(T0), new("r1"))
    _, first = issue("c1", "r1", "email", T0)
    _, second = issue("c2", "r1", "email", T0 + timedelta(minutes=1))
    with store.begin() as conn:
        book.add_code(conn, first)
        book.add_code(conn, second)
        latest = book.latest_code(conn, "r1")
        old = conn.execute(
            sa.text("SELECT superseded_at FROM request_code WHERE id = 'c1'")
        ).scalar()
    assert latest == second
    assert old is not None
    with store.begin() as conn:
        book.update_code(conn, second.__class__(**{**second.__dict__, "attempts": 2}))
        reloaded = book.latest_code(conn, "r1")
    assert reloaded is not None and reloaded.attempts == 2
    assert second.code_hash.startswith("$argon2")


def test_the_live_code_wins_when_codes_share_an_instant(store: Engine) -> None:
    book.create(store, FixedClock(T0), new("r1"))
    with store.begin() as conn:
        for i in range(8):  # ids falling: ordering by id would pick a superseded code
            _, record = issue(f"code-{9 - i}", "r1", "email", T0)
            book.add_code(conn, record)
            latest = book.latest_code(conn, "r1")
            assert latest is not None and latest.id == f"code-{9 - i}"
            assert latest.superseded_at is None
