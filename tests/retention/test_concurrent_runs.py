"""Two retention runs at once (a cron job and the back office's button): the work is done once
and recorded once, whatever the store (issue 9 §4).

Each test puts gardien's store and the organisation's database on the same kind of server
(SQLite files, PostgreSQL, MariaDB: the lock differs by store) and starts ``gardien retention
run`` in two processes. Runs are synchronised at moments they report through the CLI's test
hook (a run pauses holding the lock, or writes down that it waits), never by sleeping: the
outcome is the same on a fast machine and on a loaded one. At the end the data is what one
uninterrupted run leaves, and the journal and the audit trail hold exactly one completed run,
one completion event and no failure.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from gardien.retention.executor import RunMoment
from tests.retention.copies import COMPACT, Backend, EndState, end_state, system_env
from tests.retention.processes import first_to_end, forked, spawned, wait_for, wait_for_moment

NOW = "2026-11-22T09:00:00"
PEOPLE = 60
REFUSED = 1  # the exit code of a run that found another in progress (a GardienError)


@dataclass
class World:
    backend: Backend
    url: str  # the organisation's database, filled
    store: str  # gardien's store, empty
    signals: Path
    expected: EndState  # what one uninterrupted run leaves, in a copy of its own

    def env(self, **hook: str) -> dict[str, str]:
        return {
            **system_env(self.url),
            "GARDIEN_DATABASE_URL": self.store,
            "GARDIEN_TEST_SIGNAL_DIR": str(self.signals),
            **hook,
        }

    def log(self, name: str) -> Path:
        return self.signals / f"{name}.log"


def run_args(actor: str, *extra: str) -> list[str]:
    return ["retention", "run", "--registry", str(COMPACT), "--now", NOW, "--batch-size", "10",
            "--json", "--actor", actor, *extra]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    scratch = Path(tempfile.mkdtemp(prefix="gardien-concurrent-", dir=tmp_path))
    backend = Backend(request.param, scratch)
    if request.param == "postgresql":  # skips, or fails under CI, without a server
        backend.server = request.getfixturevalue("postgres_url")
    elif request.param == "mariadb":
        request.getfixturevalue("mariadb_url")
    try:
        backend.fill(PEOPLE, datetime.fromisoformat(NOW), COMPACT)
        reference, reference_store = backend.copy("reference"), backend.fresh_url("refstore")
        signals = scratch / "signals"
        signals.mkdir()
        alone = forked(
            run_args("reference"),
            {**system_env(reference), "GARDIEN_DATABASE_URL": reference_store},
            signals / "reference.log",
        )
        assert alone.wait() == 0, alone.output()
        expected = end_state(reference, reference_store)
        assert expected.runs == Counter(completed=1)
        yield World(backend, backend.copy("work"), backend.fresh_url("store"), signals, expected)
    finally:
        backend.drop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def assert_done_once(world: World) -> None:
    found = end_state(world.url, world.store)
    assert found.rows == world.expected.rows, "the data is not what one run leaves"
    assert found.runs == Counter(completed=1), found.runs
    assert found.started_events == 1 and found.failed_events == 0
    assert found.completed_events == world.expected.completed_events  # one, with its counts
    assert found.totals == world.expected.totals


def test_a_run_started_while_another_runs_is_refused_naming_it(world: World) -> None:
    first = forked(
        run_args("cron"), world.env(GARDIEN_TEST_PAUSE_AT="batch.journaled:1"), world.log("first")
    )
    wait_for(world.signals / f"paused-{first.pid}", first)  # it holds the lock, one batch done
    second = forked(run_args("dpo@office"), world.env(), world.log("second"))
    assert second.wait() == REFUSED
    message = " ".join(world.log("second").read_text().split())
    assert "a retention run is already in progress, held by cron" in message
    assert f"(process {first.pid} on " in message and " since " in message
    (world.signals / "resume").touch()
    assert first.wait() == 0, world.log("first").read_text()
    assert_done_once(world)


def test_two_runs_started_together_do_the_work_once(world: World) -> None:
    # Two new interpreters, as cron and the server would start them. Both pause once they hold
    # the lock: whichever gets it waits there until the other one has met the lock and given
    # up, so the race is decided by the lock alone.
    hook = world.env(GARDIEN_TEST_PAUSE_AT="run.locked:1")
    runs = [spawned(run_args(name), hook, world.log(name)) for name in ("cron", "button")]
    loser = first_to_end(*runs)
    winner = next(r for r in runs if r is not loser)
    assert loser.returncode == REFUSED, loser.returncode
    wait_for(world.signals / f"paused-{winner.pid}", winner)  # it may still be on its way there
    (world.signals / "resume").touch()
    assert winner.wait() == 0
    assert_done_once(world)


def test_a_run_asked_to_wait_runs_after_the_first_has_finished(world: World) -> None:
    first = forked(
        run_args("cron"), world.env(GARDIEN_TEST_PAUSE_AT="batch.journaled:1"), world.log("first")
    )
    wait_for(world.signals / f"paused-{first.pid}", first)
    moments = world.signals / "second-moments.txt"
    second = forked(
        run_args("button", "--wait", "300"),
        world.env(GARDIEN_TEST_MOMENTS=str(moments)),
        world.log("second"),
    )
    wait_for_moment(moments, RunMoment.WAITING.value, second)
    (world.signals / "resume").touch()
    assert first.wait() == 0 and second.wait() == 0, world.log("second").read_text()
    found = end_state(world.url, world.store)
    assert found.rows == world.expected.rows
    # The second run came after the first had closed: a run of its own, which found nothing
    # left to do; nothing was executed twice, nothing recorded failed.
    assert found.runs == Counter(completed=2) and found.failed_events == 0
    first_event, second_event = found.completed_events
    assert first_event == world.expected.completed_events[0]
    assert all(a["rows"] == 0 for a in second_event["actions"])


def test_a_killed_holder_does_not_block_the_next_run(world: World) -> None:
    killed = forked(
        run_args("cron"), world.env(GARDIEN_TEST_KILL_AT="batch.journaled:3"), world.log("killed")
    )
    assert killed.wait() == -9
    again = forked(run_args("cron"), world.env(), world.log("again"))  # no --wait
    assert again.wait() == 0, world.log("again").read_text()
    assert '"resumed": true' in world.log("again").read_text()
    assert_done_once(world)
