"""Consent checks on PostgreSQL, batched on the server's event loop (``gardien.server.checks``).

Two things must hold whatever the batching: each check gets exactly the answer that one
statement of its own gives (``gardien.store.consent.status``), and a change committed by any
other process before a check arrives is seen by that check (nothing is cached between checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import product
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.consent.ledger import Channel, EventKind
from gardien.consent.subject import Subject
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.server.checks import BatchedChecks, connection_pool
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import consent as book
from gardien.store import restrictions as restriction_book
from gardien.store.database import open_store
from tests.api.conftest import NOW, Api, build_api
from tests.consent.conftest import KEY, T0, write_registry


@pytest.fixture
def pg_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> Iterator[Api]:
    yield from build_api(tmp_path, monkeypatch, postgres_url, f"sqlite:///{tmp_path / 's.db'}")


@pytest.fixture
def no_unbatched_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the one-statement path fail, so that a passing test proves the batched path ran."""

    def refuse(*_: object) -> None:
        raise AssertionError("a consent check took the thread-pool path on PostgreSQL")

    monkeypatch.setattr(book, "status", refuse)


# --- the batched statement gives each check its own answer -------------------------------------

JEANNE = {"email": "jeanne.martin@example.fr", "phone": "+33612345678"}
PAUL = {"email": "paul@example.fr"}
ZOE = {"email": "zoe@example.fr", "phone": "+33698765432"}
NOBODY = {"email": "nobody@example.fr"}
ACTIVITIES = ("newsletter", "satisfaction-survey", "prospecting", "service-improvement", "contract")


def _record(
    engine: sa.Engine, registry: Registry, who: dict[str, str], activity: str, kind: EventKind,
    days: float, **kw: Any,
) -> None:  # fmt: skip
    book.record_event(
        engine, FixedClock(T0 + timedelta(days=days)), registry, Subject.of(who, KEY), activity,
        kind, channel=Channel.PORTAL, actor="test", **kw,
    )  # fmt: skip


def _ledger(engine: sa.Engine, registry: Registry) -> None:
    """Histories that exercise every branch of the decision, some on several identifiers."""
    _record(engine, registry, JEANNE, "newsletter", EventKind.CONSENT_GIVEN, 1)
    _record(engine, registry, {"email": JEANNE["email"]}, "newsletter",
            EventKind.CONSENT_WITHDRAWN, 10)  # fmt: skip
    _record(engine, registry, JEANNE, "satisfaction-survey", EventKind.CONSENT_GIVEN, 2)
    _record(engine, registry, {"phone": JEANNE["phone"]}, "service-improvement",
            EventKind.OBJECTION, 3)  # fmt: skip
    _record(engine, registry, PAUL, "prospecting", EventKind.OBJECTION, 5,
            prospecting_asserted=True)  # fmt: skip
    _record(engine, registry, ZOE, "service-improvement", EventKind.OBJECTION, 4)
    _record(engine, registry, ZOE, "service-improvement", EventKind.OBJECTION_LIFTED, 6,
            proof="fraud investigation, file 12")  # fmt: skip
    restriction_book.place_restriction(
        engine, FixedClock(T0 + timedelta(days=7)), Subject.of({"phone": ZOE["phone"]}, KEY),
        reason="accuracy contested", request_id=None, actor="test",
    )  # fmt: skip
    restriction_book.place_restriction(
        engine, FixedClock(T0 + timedelta(days=2)), Subject.of(PAUL, KEY),
        reason="unlawful processing", request_id="r-1", actor="test",
    )  # fmt: skip
    restriction_book.lift_restriction(
        engine, FixedClock(T0 + timedelta(days=8)), Subject.of(PAUL, KEY),
        notice="told by e-mail", actor="test",
    )  # fmt: skip


def test_a_batch_answers_each_check_as_its_own_statement(tmp_path: Path, postgres_url: str) -> None:
    registry = load_registry(write_registry(tmp_path / "ima"))
    engine = open_store(postgres_url)
    _ledger(engine, registry)
    identities = [
        JEANNE, {"email": JEANNE["email"]}, {"phone": "+33 6 12 34 56 78"}, PAUL, ZOE,
        {"phone": ZOE["phone"]}, {"email": ZOE["email"]}, NOBODY,
    ]  # fmt: skip
    instants = [T0 + timedelta(days=d) for d in (0, 1.5, 2.5, 5.5, 7.5, 9, 30)]
    checks = [
        (Subject.of(who, KEY), activity, when)
        for who, activity, when in product(identities, ACTIVITIES, instants)
    ]
    expected = [book.status(engine, registry, s, a, when) for s, a, when in checks]
    reasons = " | ".join(d.reason for d in expected)
    for branch in ("restricted since", "suppression list since", "consent withdrawn",
                   "consent given", "objected", "objection was lifted", "no consent is recorded",
                   "no objection recorded", "does not apply"):  # fmt: skip
        assert branch in reasons, branch  # every branch of the decision is compared

    async def batched() -> list[book.Decision]:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            # All in one statement, then in uneven slices (a check alone, duplicates side by side).
            records = await book.records_many_async(conn, [(s.digests, a) for s, a, _ in checks])
            for start, size in ((0, 1), (1, 7), (8, 33), (41, 2)):
                part = checks[start : start + size] * 2
                again = await book.records_many_async(conn, [(s.digests, a) for s, a, _ in part])
                assert again == records[start : start + size] * 2
            assert await book.records_many_async(conn, []) == []
        return [
            book.decision_of(registry, r, a, when)
            for r, (_, a, when) in zip(records, checks, strict=True)
        ]

    assert asyncio.run(batched()) == expected
    engine.dispose()


def test_batched_checks_answer_concurrent_callers_and_see_each_commit(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = load_registry(write_registry(tmp_path / "ima"))
    engine = open_store(postgres_url)
    _ledger(engine, registry)
    people = [JEANNE, PAUL, ZOE, NOBODY]
    sizes: list[int] = []
    real = book.records_many_async

    async def counting(conn: Any, checks: Any) -> Any:
        sizes.append(len(checks))
        return await real(conn, checks)

    async def run() -> None:
        checks = BatchedChecks(connection_pool(engine))
        await checks.start()
        try:
            when = T0 + timedelta(days=9)
            queries = [(Subject.of(p, KEY), a) for p, a in product(people, ACTIVITIES)] * 3
            records = await asyncio.gather(*(checks.record(s.digests, a) for s, a in queries))
            for (subject, activity), record in zip(queries, records, strict=True):
                got = book.decision_of(registry, record, activity, when)
                assert got == book.status(engine, registry, subject, activity, when)
            assert max(sizes) > 1, "concurrent checks should share a statement"
            # A commit made elsewhere between two checks is seen by the second one.
            nobody = Subject.of(NOBODY, KEY)
            before = await checks.record(nobody.digests, "prospecting")
            assert book.decision_of(registry, before, "prospecting", when).allowed
            _record(engine, registry, NOBODY, "prospecting", EventKind.OBJECTION, 9,
                    prospecting_asserted=True)  # fmt: skip
            after = await checks.record(nobody.digests, "prospecting")
            assert not book.decision_of(registry, after, "prospecting", when).allowed
            # A caller that gives up (client gone) leaves the others their answers.
            gone = asyncio.ensure_future(checks.record(nobody.digests, "newsletter"))
            kept = asyncio.ensure_future(checks.record(nobody.digests, "prospecting"))
            gone.cancel()
            assert book.decision_of(registry, await kept, "prospecting", when).allowed is False
        finally:
            await checks.close()

    monkeypatch.setattr(book, "records_many_async", counting)
    asyncio.run(run())
    engine.dispose()


def test_a_store_that_fails_gives_each_waiting_check_the_error(
    tmp_path: Path, postgres_url: str
) -> None:
    engine = open_store(postgres_url)

    async def run() -> None:
        checks = BatchedChecks(connection_pool(engine))
        await checks.start()
        try:
            with engine.begin() as conn:  # the statement now fails on a missing table
                conn.execute(sa.text("ALTER TABLE suppression RENAME TO suppression_gone"))
            results = await asyncio.gather(
                *(checks.record((f"d{n}",), "prospecting") for n in range(5)),
                return_exceptions=True,
            )
            assert all(isinstance(r, psycopg.errors.UndefinedTable) for r in results)
            with engine.begin() as conn:
                conn.execute(sa.text("ALTER TABLE suppression_gone RENAME TO suppression"))
            record = await checks.record(("d0",), "prospecting")  # the checks recover
            assert record.suppressed_since is None
        finally:
            await checks.close()

    asyncio.run(run())
    engine.dispose()


# --- through the real app ----------------------------------------------------------------------


def _status(api: Api, who: dict[str, str], activity: str) -> dict[str, Any]:
    answer = api.client.post(
        "/api/v1/consent/status",
        json={"identity": who, "activity": activity},
        headers=api.headers(Role.AGENT),
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_a_check_sees_what_another_process_committed_just_before(
    pg_api: Api, no_unbatched_checks: None
) -> None:
    """The CLI or another server writes to the store between two checks of this server."""
    registry = load_registry(Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml")
    other = open_store(pg_api.store_url)  # another process's engine: its own connections
    person = {"email": "jeanne@example.fr", "phone": "+33612345678"}
    subject = Subject.of(person, Settings(env="dev").subject_key())

    def write(activity: str, kind: EventKind, **kw: Any) -> None:
        book.record_event(
            other, FixedClock(NOW), registry, subject, activity, kind, channel=Channel.EMAIL,
            actor="cli", **kw,
        )  # fmt: skip

    assert _status(pg_api, person, "service-improvement")["allowed"] is True
    write("service-improvement", EventKind.OBJECTION)
    assert _status(pg_api, person, "service-improvement")["allowed"] is False
    write("service-improvement", EventKind.OBJECTION_LIFTED, proof="compelling grounds")
    assert _status(pg_api, person, "service-improvement")["allowed"] is True

    assert _status(pg_api, {"phone": "+33 6 12 34 56 78"}, "prospecting")["allowed"] is True
    write("prospecting", EventKind.OBJECTION, prospecting_asserted=True)
    after = _status(pg_api, {"phone": "+33 6 12 34 56 78"}, "prospecting")
    assert after["allowed"] is False and "suppression list" in after["reason"]

    restriction_book.place_restriction(
        other, FixedClock(NOW), subject, reason="accuracy contested", request_id=None, actor="cli"
    )
    restricted = _status(pg_api, person, "contract")
    assert restricted["allowed"] is False and "Art. 18(2)" in restricted["reason"]
    other.dispose()


def test_concurrent_checks_through_the_app_each_get_their_answer(
    pg_api: Api, no_unbatched_checks: None
) -> None:
    agent = pg_api.headers(Role.AGENT)
    objecting = [{"email": f"objecting{n}@example.fr"} for n in range(6)]
    for who in objecting:
        recorded = pg_api.client.post(
            "/api/v1/consent/events",
            json={"identity": who, "activity": "prospecting", "kind": "objection-prospecting"},
            headers=agent,
        )
        assert recorded.status_code == 201, recorded.text
    free = [{"email": f"free{n}@example.fr"} for n in range(6)]
    queries = [(who, who in objecting) for who in objecting + free] * 8

    def ask(query: tuple[dict[str, str], bool]) -> bool:
        return _status(pg_api, query[0], "prospecting")["allowed"] is not query[1]

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert all(pool.map(ask, queries))
    unknown = pg_api.client.post(
        "/api/v1/consent/status",
        json={"identity": free[0], "activity": "no-such-activity"},
        headers=agent,
    )
    assert unknown.status_code in (404, 422) and "error" in unknown.json()


def test_a_running_server_keeps_its_start_up_objects_out_of_full_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gc.freeze while the app runs (full passes over them stalled checks ~90 ms), undone at
    shutdown so that a process that builds many apps (the tests) can still collect them."""
    import gc

    from fastapi.testclient import TestClient

    from gardien.server.app import create_app

    monkeypatch.setenv("IMA_PROTECT_CRM_URL", "sqlite://")
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", "sqlite://")
    example = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}", registry=example, env="dev")
    app = create_app(settings)
    assert gc.get_freeze_count() == 0
    with TestClient(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
