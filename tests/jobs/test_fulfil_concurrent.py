"""Two request runs at once (a cron job and the back office's button): every request is
carried out once and answered once, whatever the store (issue 9 §4).

gardien's store and the systems are on the same kind of server (SQLite files, PostgreSQL,
MariaDB: the run lock differs by store). Runs are synchronised at moments they report through
the CLI's test hook (a run pauses holding the lock, or writes down that it waits), never by
sleeping.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.requests.kinds import RequestKind
from gardien.requests.moments import RequestMoment
from gardien.store import audit
from gardien.store.schema_requests import request_transition, rights_request
from tests.jobs.request_runs import NOW, emails, file_verified, snapshot
from tests.retention.copies import EXAMPLE, Backend, Rows, system_env
from tests.retention.processes import first_to_end, forked, spawned, wait_for, wait_for_moment

PEOPLE = 40
REQUESTS = 8
REFUSED = 1  # the exit code of a run that found another in progress (a GardienError)


@dataclass
class World:
    url: str  # the systems, filled
    store: str  # gardien's store, holding the verified requests
    ids: list[str]
    signals: Path
    expected: Rows  # the systems after one uninterrupted run, in a copy of their own

    def env(self, **hook: str) -> dict[str, str]:
        return {
            **system_env(self.url),
            "GARDIEN_DATABASE_URL": self.store,
            "GARDIEN_TEST_SIGNAL_DIR": str(self.signals),
            **hook,
        }

    def args(self, actor: str, *extra: str) -> list[str]:
        return ["request", "run", *self.ids, "--registry", str(EXAMPLE), "--now", NOW,
                "--no-pdf", "--json", "--actor", actor, *extra]  # fmt: skip

    def log(self, name: str) -> Path:
        return self.signals / f"{name}.log"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    scratch = Path(tempfile.mkdtemp(prefix="gardien-reqrun-", dir=tmp_path))
    backend = Backend(request.param, scratch)
    if request.param == "postgresql":  # skips, or fails under CI, without a server
        backend.server = request.getfixturevalue("postgres_url")
    elif request.param == "mariadb":
        request.getfixturevalue("mariadb_url")
    try:
        backend.fill(PEOPLE, datetime.fromisoformat(NOW).replace(tzinfo=None), EXAMPLE)
        plan = [(RequestKind.ERASURE, e) for e in emails(backend.original, REQUESTS)]
        signals = scratch / "signals"
        signals.mkdir()
        reference, reference_store = backend.copy("reference"), backend.fresh_url("refstore")
        ids = file_verified(reference_store, reference, plan)
        alone = World(reference, reference_store, ids, signals, {})
        run = forked(alone.args("reference"), alone.env(), alone.log("reference"))
        assert run.wait() == 0, run.output()
        work, store = backend.copy("work"), backend.fresh_url("store")
        ids = file_verified(store, work, plan)
        yield World(work, store, ids, signals, snapshot(reference))
    finally:
        backend.drop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def assert_done_once(world: World) -> None:
    """The systems as one run leaves them; each request started, answered and audited once."""
    assert snapshot(world.url) == world.expected, "the systems are not what one run leaves"
    store = sa.create_engine(world.store)
    try:
        with store.connect() as conn:
            states = Counter(conn.execute(sa.select(rights_request.c.state)).scalars())
            actions = Counter(
                (r.request_id, r.action)
                for r in conn.execute(sa.select(request_transition))
                if r.action in ("start", "complete", "partially_refuse")
            )
        events = Counter(e.action for e in audit.events(store))
    finally:
        store.dispose()
    assert states["in_progress"] == 0 and states["verified"] == 0, states
    assert set(actions.values()) == {1}, actions  # one start and one answer each
    assert len(actions) == 2 * len(world.ids)
    assert events["rights.erasure.started"] == len(world.ids), events
    assert events["rights.erasure.completed"] == len(world.ids), events
    assert events["consent.identifiers_erased"] == len(world.ids), events
    assert events["rights.erasure.failed"] == 0


def test_two_request_runs_started_together_do_the_work_once(world: World) -> None:
    # Two new interpreters, as cron and the server would start them. Both pause once they hold
    # the lock: whichever gets it waits there until the other has met the lock and given up.
    hook = world.env(GARDIEN_TEST_PAUSE_AT=f"{RequestMoment.LOCKED.value}:1")
    runs = [spawned(world.args(name), hook, world.log(name)) for name in ("cron", "button")]
    loser = first_to_end(*runs)
    winner = next(r for r in runs if r is not loser)
    assert loser.returncode == REFUSED, loser.returncode
    loser_name = "cron" if loser is runs[0] else "button"
    message = " ".join(world.log(loser_name).read_text().split())
    assert "a request run is already in progress, held by" in message, message
    assert "[request_run_in_progress]" in message
    wait_for(world.signals / f"paused-{winner.pid}", winner)  # it may still be on its way there
    (world.signals / "resume").touch()
    assert winner.wait() == 0
    assert_done_once(world)


def test_a_request_run_asked_to_wait_runs_after_the_first(world: World) -> None:
    first = forked(
        world.args("cron"),
        world.env(GARDIEN_TEST_PAUSE_AT=f"{RequestMoment.REQUEST_DONE.value}:2"),
        world.log("first"),
    )
    wait_for(world.signals / f"paused-{first.pid}", first)  # two requests done, lock held
    moments = world.signals / "second-moments.txt"
    second = forked(
        world.args("button", "--wait", "300"),
        world.env(GARDIEN_TEST_MOMENTS=str(moments)),
        world.log("second"),
    )
    wait_for_moment(moments, RequestMoment.WAITING.value, second)
    (world.signals / "resume").touch()
    assert first.wait() == 0, world.log("first").read_text()
    assert second.wait() == 0, world.log("second").read_text()
    # The second came after the first had answered everything: it did nothing again.
    answered = json.loads(world.log("second").read_text())
    assert {o["summary"] for o in answered} == {"already answered"}
    assert_done_once(world)
