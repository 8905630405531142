"""kill -9 at every kind of moment of a retention run, then re-run: the end state is always
the one an uninterrupted run reaches.

A reference run goes to its end and writes down every moment it reached (the executor's
``RunMoment``s, through the CLI's test hook). Each trial then copies the same filled database,
starts ``gardien retention run`` in a process of its own, which SIGKILLs itself at the n-th
occurrence of one moment — inside a batch's transaction before it commits, between the
target's commit and the journal's write, after the journal's write, around each step, before
the run is closed — runs it again to the end, and compares everything with the reference:
every row of every active and archive table, the journal's totals per step, the audit
trail's started and completed events with their counts. Kill moments are moments the run
reports, never delays: the trials are the same on a fast machine and on a loaded one.
SQLite, PostgreSQL and MariaDB batch differently (primary-key ranges, heap-block ranges).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gardien.retention.executor import RunMoment
from tests.retention.copies import COMPACT, Backend, end_state, snapshot, system_env
from tests.retention.processes import forked

NOW = "2026-11-22T09:00:00"
PEOPLE = 120
BATCH_SIZE = "20"
EVERY_BATCH = (
    RunMoment.BATCH_STARTING,
    RunMoment.BATCH_COMMITTING,
    RunMoment.BATCH_COMMITTED,
    RunMoment.BATCH_JOURNALED,
)
EVERY_STEP = (RunMoment.STEP_STARTED, RunMoment.STEP_FINISHED)
ONCE = (RunMoment.LOCKED, RunMoment.OPENED, RunMoment.EXECUTED, RunMoment.CLOSING)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Where SQLite files go: memory-backed when the machine has /dev/shm. An fsync costs
    nothing there and a killed process leaves exactly what it leaves on a disk (only a crash
    of the machine itself would differ), so trials are faster and test the same thing."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    place = Path(tempfile.mkdtemp(prefix="gardien-crash-", dir=shm))
    try:
        yield place
    finally:
        shutil.rmtree(place, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def backend(request: pytest.FixtureRequest, scratch: Path) -> Iterator[Backend]:
    chosen = Backend(request.param, scratch)
    if request.param == "postgresql":  # skips, or fails under CI, without a server
        chosen.server = request.getfixturevalue("postgres_url")
    elif request.param == "mariadb":
        request.getfixturevalue("mariadb_url")
    try:
        chosen.fill(PEOPLE, datetime.fromisoformat(NOW), COMPACT)
        yield chosen
    finally:
        chosen.drop_all()


def run_args() -> list[str]:
    return ["retention", "run", "--registry", str(COMPACT), "--now", NOW,
            "--batch-size", BATCH_SIZE, "--json"]  # fmt: skip


def kill_points(reached: Counter[RunMoment], *, full: bool) -> list[tuple[RunMoment, int]]:
    """Every kind of moment. ``full``: batch moments at their first, middle and last occurrence
    (and at the quartiles between the target's commit and the journal's write, where counts
    were lost), step moments at the first and last, run moments once: 4 x 3 + 2 + 2 x 2 + 4 =
    22 kills. Otherwise each kind once, at its middle occurrence: 10 kills."""
    points: list[tuple[RunMoment, int]] = []
    for moment in (*EVERY_BATCH, *EVERY_STEP, *ONCE):
        total = reached[moment]
        assert total > 0, f"the reference run never reached {moment.value}"
        fractions: tuple[float, ...] = (0,)
        if not full:
            fractions = (1 / 2,)
        elif moment is RunMoment.BATCH_COMMITTED:
            fractions = (0, 1 / 4, 1 / 2, 3 / 4, 1)
        elif moment in EVERY_BATCH:
            fractions = (0, 1 / 2, 1)
        elif moment in EVERY_STEP:
            fractions = (0, 1)
        points += [(moment, n) for n in sorted({1 + round(f * (total - 1)) for f in fractions})]
    return points


def test_killed_runs_end_in_the_same_state(backend: Backend, scratch: Path) -> None:
    def env(url: str, store: Path, **hook: str) -> dict[str, str]:
        return {**system_env(url), "GARDIEN_DATABASE_URL": f"sqlite:///{store}", **hook}

    reference_url, reference_store = backend.copy("reference"), scratch / "reference-store.db"
    moments = scratch / "moments.txt"
    reference = forked(
        run_args(),
        env(reference_url, reference_store, GARDIEN_TEST_MOMENTS=str(moments)),
        scratch / "reference.log",
    )
    assert reference.wait() == 0, reference.output()
    expected = end_state(reference_url, f"sqlite:///{reference_store}")
    assert expected.rows != snapshot(backend.original), "the reference run changed nothing"
    assert expected.runs == Counter(completed=1) and len(expected.completed_events) == 1
    reached = Counter(RunMoment(line) for line in moments.read_text().split())
    assert reached[RunMoment.BATCH_COMMITTED] >= 10, reached  # enough batches to cut into

    # MariaDB batches like SQLite (primary-key ranges): one kill per kind of moment there
    # keeps the suite's time bounded (issue 9: 20+ trials on SQLite and PostgreSQL).
    points = kill_points(reached, full=backend.kind != "mariadb")
    failures: list[str] = []
    for trial, (moment, n) in enumerate(points):
        url, store = backend.copy(f"trial{trial}"), scratch / f"trial{trial}-store.db"
        where = f"{moment.value}:{n}"
        killed = forked(run_args(), env(url, store, GARDIEN_TEST_KILL_AT=where), scratch / "k.log")
        # -9: the process killed itself at exactly that moment (nothing else sends SIGKILL).
        assert killed.wait() == -9, f"{where}: the run was not killed there: {killed.output()}"
        again = forked(run_args(), env(url, store), scratch / "again.log")
        assert again.wait() == 0, f"{where}: the re-run failed: {again.output()}"
        found = end_state(url, f"sqlite:///{store}")
        if differences := found.differences(expected):
            failures.append(f"killed at {where}: " + "; ".join(differences))
    print(
        f"{backend.kind}: {len(points)} runs killed at {len(set(m for m, _ in points))} kinds "
        f"of moment, {len(points) - len(failures)} re-ran to the reference's end state"
    )
    assert not failures, "\n".join(failures)
