"""Batches of requests start and complete in one transaction each, with an intact trail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gardien.clock import FixedClock
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.requests.kinds import RequestKind
from gardien.requests.states import RequestState
from gardien.store import audit
from gardien.store.database import open_store

CLOCK = FixedClock(datetime(2026, 11, 22, 9, tzinfo=UTC))


def test_start_many_starts_the_verified_and_says_why_not_for_the_others(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    ids = []
    for n in range(4):
        request = filing.submit(
            store,
            CLOCK,
            actor="agent",
            kind=RequestKind.ACCESS,
            identity={"email": f"p{n}@example.fr"},
        )
        if n != 2:  # the third one never proves who they are
            proof.attest(store, CLOCK, request.id, actor="agent", attestation="card checked")
        ids.append(request.id)
    started, refused = jobs.start_many(store, CLOCK, [*ids, "no-such-request"], actor="agent")
    assert [r.id for r in started] == [ids[0], ids[1], ids[3]]
    assert set(refused) == {ids[2], "no-such-request"}
    assert jobs.show(store, ids[2]).state is not RequestState.IN_PROGRESS
    done = jobs.complete_many(
        store,
        CLOCK,
        [
            jobs.Completion(ids[0], {"found": True}),
            jobs.Completion(ids[1], {"found": True}, "partially_refused", "kept under contract"),
            jobs.Completion(ids[3], {"found": False}),
        ],
        actor="agent",
    )
    assert [r.state for r in done] == [
        RequestState.COMPLETED,
        RequestState.PARTIALLY_REFUSED,
        RequestState.COMPLETED,
    ]
    assert audit.verify_trail(store).ok
    actions = [e.action for e in audit.events(store, action="request.*")]
    assert actions.count("request.start") == 3 and actions.count("request.complete") == 2


def test_complete_many_refuses_a_partial_refusal_without_reasons(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    request = filing.submit(
        store, CLOCK, actor="agent", kind=RequestKind.ERASURE, identity={"email": "a@example.fr"}
    )
    proof.attest(store, CLOCK, request.id, actor="agent", attestation="card checked")
    jobs.start_many(store, CLOCK, [request.id], actor="agent")
    with pytest.raises(Exception, match="reason"):
        jobs.complete_many(
            store,
            CLOCK,
            [jobs.Completion(request.id, {}, "partially_refused", None)],
            actor="agent",
        )
    assert jobs.show(store, request.id).state is RequestState.IN_PROGRESS
