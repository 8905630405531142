"""kill -9 at every kind of moment of a request run, then run it again: the end state is
always the one an uninterrupted run reaches (issue 9 §4).

A reference run carries out a batch of verified requests — erasures, access, rectification,
restriction and objection to prospecting (``tests.jobs.request_runs.mixed``) — to its end and writes down every moment it reached (``RequestMoment``, through
the CLI's test hook). Each trial copies the same systems and the same store, starts ``gardien
request run`` in a process of its own, which SIGKILLs itself at the n-th occurrence of one
moment — between requests, between two systems of an erasure, once an erasure's steps are
journaled, after a chunk committed in a system and before the journal knew, before the
answers are written — runs it again to the end, and compares everything with the reference:
every row of every system's table, every request's state and result and timeline, the
executions and their step totals, the packages, and the audit trail (no event missing, none
twice). Kill moments are moments the run reports, never delays.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gardien.requests.moments import RequestMoment
from tests.jobs.request_runs import NOW, Prepared, emails, end_state, file_verified, mixed
from tests.retention.copies import EXAMPLE, Backend, system_env
from tests.retention.processes import forked

PEOPLE = 60
REQUESTS = 16  # two of each kind that changes something, eight erasures
EVERY_REQUEST = (RequestMoment.REQUEST_STARTING, RequestMoment.REQUEST_DONE)
EVERY_CHUNK = (RequestMoment.CHUNK_APPLIED, RequestMoment.CHUNK_JOURNALED)
EVERY_EXECUTION = (RequestMoment.EXECUTION_OPENED, RequestMoment.SYSTEM_STARTING)
ONCE = (RequestMoment.LOCKED, RequestMoment.STARTED, RequestMoment.ANSWERS_WRITTEN,
        RequestMoment.CLOSING)  # fmt: skip


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Memory-backed when the machine has /dev/shm (see tests/retention/test_crash.py)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    place = Path(tempfile.mkdtemp(prefix="gardien-reqcrash-", dir=shm))
    try:
        yield place
    finally:
        shutil.rmtree(place, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def prepared(request: pytest.FixtureRequest, scratch: Path) -> Iterator[Prepared]:
    backend = Backend(request.param, scratch)
    if request.param == "postgresql":  # skips, or fails under CI, without a server
        backend.server = request.getfixturevalue("postgres_url")
    elif request.param == "mariadb":
        request.getfixturevalue("mariadb_url")
    try:
        backend.fill(PEOPLE, datetime.fromisoformat(NOW).replace(tzinfo=None), EXAMPLE)
        plan = mixed(emails(backend.original, REQUESTS))
        store = scratch / "prepared-store.db"
        ids = file_verified(f"sqlite:///{store}", backend.original, plan)
        yield Prepared(backend, store, ids)
    finally:
        backend.drop_all()


def run_args(ids: list[str]) -> list[str]:
    return ["request", "run", *ids, "--registry", str(EXAMPLE), "--now", NOW, "--no-pdf",
            "--json", "--actor", "dpo"]  # fmt: skip


def kill_points(reached: Counter[RequestMoment], *, full: bool) -> list[tuple[RequestMoment, int]]:
    """``full``: each moment of a chunk or an execution at its first, middle and last
    occurrence, of a request at every quarter (each kind of request is cut around), each moment
    of the run once: 3 x 4 + 5 x 2 + 4 = 26 kills. Otherwise each kind once, at its middle
    occurrence: 10 kills."""
    points: list[tuple[RequestMoment, int]] = []
    for moment in (*EVERY_REQUEST, *EVERY_CHUNK, *EVERY_EXECUTION, *ONCE):
        total = reached[moment]
        assert total > 0, f"the reference run never reached {moment.value}"
        fractions: tuple[float, ...] = (0.0, 0.5, 1.0)
        if not full:
            fractions = (0.5,)
        elif moment in ONCE:
            fractions = (0.0,)
        elif moment in EVERY_REQUEST:
            fractions = (0.0, 0.25, 0.5, 0.75, 1.0)
        points += [(moment, n) for n in sorted({1 + round(f * (total - 1)) for f in fractions})]
    return points


def test_killed_request_runs_end_in_the_same_state(prepared: Prepared, scratch: Path) -> None:
    def env(url: str, store: str, **hook: str) -> dict[str, str]:
        return {**system_env(url), "GARDIEN_DATABASE_URL": store, **hook}

    args = run_args(prepared.ids)
    reference_url, reference_store = prepared.copy("reference")
    moments = scratch / "moments.txt"
    reference = forked(
        args,
        env(reference_url, reference_store, GARDIEN_TEST_MOMENTS=str(moments)),
        scratch / "reference.log",
    )
    assert reference.wait() == 0, reference.output()
    expected = end_state(reference_url, reference_store)
    states = Counter(state for _, state, _ in expected.requests)
    assert states["in_progress"] == 0 and states["verified"] == 0, states
    assert states["refused"] == 0, states  # every kind carried out, none refused
    reached = Counter(RequestMoment(line) for line in moments.read_text().split())
    assert reached[RequestMoment.REQUEST_STARTING] == len(prepared.ids)

    # A request run sends the same statements to the three databases (key look-ups, no
    # heap-block ranges as retention runs have on PostgreSQL): SQLite is cut at every quarter,
    # PostgreSQL and MariaDB once per kind of moment, which keeps the suite's time bounded.
    points = kill_points(reached, full=prepared.backend.kind == "sqlite")
    failures: list[str] = []
    for trial, (moment, n) in enumerate(points):
        url, store = prepared.copy(f"trial{trial}")
        where = f"{moment.value}:{n}"
        killed = forked(args, env(url, store, GARDIEN_TEST_KILL_AT=where), scratch / "k.log")
        # -9: the process killed itself at exactly that moment (nothing else sends SIGKILL).
        assert killed.wait() == -9, f"{where}: the run was not killed there: {killed.output()}"
        again = forked(args, env(url, store), scratch / "again.log")
        assert again.wait() == 0, f"{where}: the re-run failed: {again.output()}"
        found = end_state(url, store)
        if differences := found.differences(expected):
            failures.append(f"killed at {where}: " + "; ".join(differences))
    print(
        f"{prepared.backend.kind}: {len(points)} request runs killed at "
        f"{len(set(m for m, _ in points))} kinds of moment, "
        f"{len(points) - len(failures)} re-ran to the reference's end state"
    )
    assert not failures, "\n".join(failures)
