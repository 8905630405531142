"""The retention run lock on each kind of store: one holder at a time, named to the others,
a bounded wait, released by the block's end, an error, or the holder's connection's end."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.requests.run_errors import RequestRunInProgress, RequestRunLockLost
from gardien.retention.errors import RetentionLockLost, RetentionRunInProgress
from gardien.store import run_lock
from gardien.store.database import open_store


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gardien.db'}"
    url: str = request.getfixturevalue(
        f"{'postgres' if request.param == 'postgresql' else 'mariadb'}_url"
    )
    return url


def test_a_second_holder_is_refused_and_told_who_holds_it_since_when(store_url: str) -> None:
    cron, office = open_store(store_url), open_store(store_url)  # as two processes would
    with run_lock.holding(cron, "cron") as lock:
        lock.note_run("4f1c0c52-0000-4000-8000-000000000001")
        with (
            pytest.raises(RetentionRunInProgress) as refused,
            run_lock.holding(office, "dpo@office"),
        ):
            pytest.fail("two holders at once")
    message = str(refused.value)
    assert message.startswith("a retention run is already in progress, held by cron")
    assert f"(process {os.getpid()} on {socket.gethostname()}) since " in message
    assert "run 4f1c0c52-0000-4000-8000-000000000001" in message
    assert refused.value.code == "retention_run_in_progress"
    with run_lock.holding(office, "dpo@office"):  # released at the end of the block
        assert run_lock.holder(cron) is not None
    assert run_lock.holder(cron) is None
    cron.dispose()
    office.dispose()


def test_an_error_in_the_block_releases_the_lock(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(ZeroDivisionError), run_lock.holding(store, "cron"):
        1 / 0  # noqa: B018
    with run_lock.holding(store, "cron"):
        pass
    store.dispose()


def test_waiting_is_bounded(store_url: str) -> None:
    store, other = open_store(store_url), open_store(store_url)
    clock = [0.0]
    slept: list[float] = []
    told: list[str] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    second = run_lock.holding(
        other,
        "dpo",
        wait=2.0,
        poll=0.5,
        monotonic=lambda: clock[0],
        sleep=sleep,
        on_wait=lambda: told.append("waiting"),
    )
    with run_lock.holding(store, "cron"), pytest.raises(RetentionRunInProgress) as refused, second:
        pytest.fail("two holders at once")
    assert sum(slept) == pytest.approx(2.0) and told == ["waiting"]
    assert "after waiting 2 s" in str(refused.value)
    store.dispose()
    other.dispose()


@pytest.mark.parametrize(
    ("scope", "lost"),
    [(run_lock.SCOPE, RetentionLockLost), (run_lock.REQUESTS, RequestRunLockLost)],
)
@pytest.mark.parametrize("store_url", ["postgresql", "mariadb"], indirect=True)
def test_a_run_whose_lock_connection_dropped_stops(
    store_url: str, scope: str, lost: type[Exception]
) -> None:
    store = open_store(store_url)
    admin = sa.create_engine(store_url, isolation_level="AUTOCOMMIT")
    with run_lock.holding(store, "cron", scope=scope) as lock:
        lock.confirm()
        assert isinstance(lock.mutex, run_lock._AdvisoryLock | run_lock._NamedLock)
        assert lock.mutex.conn is not None
        if store.dialect.name == "postgresql":
            pid = lock.mutex.conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            pid = lock.mutex.conn.execute(sa.text("SELECT CONNECTION_ID()")).scalar_one()
            with admin.connect() as conn:
                conn.exec_driver_sql(f"KILL {int(pid)}")
        with pytest.raises(lost):
            lock.confirm()
    with run_lock.holding(store, "cron", scope=scope):  # released with the connection
        pass
    admin.dispose()
    store.dispose()


def test_request_runs_have_a_lock_of_their_own(store_url: str) -> None:
    """One request run at a time, refused with its own code; a retention run is not held up."""
    cron, office = open_store(store_url), open_store(store_url)
    with run_lock.holding(cron, "cron", scope=run_lock.REQUESTS):
        with (
            pytest.raises(RequestRunInProgress) as refused,
            run_lock.holding(office, "dpo@office", scope=run_lock.REQUESTS),
        ):
            pytest.fail("two request runs at once")
        with run_lock.holding(office, "dpo@office"):  # the retention scope is free
            pass
    assert str(refused.value).startswith("a request run is already in progress, held by cron")
    assert refused.value.code == "request_run_in_progress"
    assert refused.value.details()["holder"] == "cron"
    with run_lock.holding(office, "dpo@office", scope=run_lock.REQUESTS):  # released
        pass
    cron.dispose()
    office.dispose()
