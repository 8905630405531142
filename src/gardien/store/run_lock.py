"""One run per store and scope at a time: a lock that its holder's death releases.

Two runs at once (a cron job and the back office's button) used to both execute the same
unfinished run and record it twice, completed and failed (issue 9 §4). The lock is taken
before the journal is read and held until the run is closed. Each kind of run has its own
scope, and its own errors to say it is taken or lost: ``retention`` (``gardien retention run``)
and ``requests`` (``gardien request run``, ``gardien.jobs.fulfil``); a retention run and a
request run do not wait for each other.

- PostgreSQL store: a session advisory lock (``pg_try_advisory_lock``) on a connection kept
  for the run;
- MariaDB/MySQL store: ``GET_LOCK`` on a connection kept for the run (named after the
  database: such locks are server-wide);
- SQLite store: an exclusive ``flock`` on a file beside the database (``<store>.<scope>-
  lock``); a store in memory lives in one process, where a lock object is enough.

Each is released by the database or the kernel the moment its holder's connection or file
closes, including when the process is killed: no expiry to tune, no killed holder blocking the
next run, and a slow batch never outlives its lock. The database's lock cannot say *who* holds
it, so the holder also writes a row in ``retention_lock`` (owner, host, pid, since, run),
which a refused run reads to name it. Before each batch (each request) the run confirms it
still holds the lock (the same round trip keeps the connection from idling out): a run whose
connection dropped stops before changing anything more (``RetentionLockLost``,
``RequestRunLockLost``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.errors import GardienError
from gardien.requests.run_errors import RequestRunInProgress, RequestRunLockLost
from gardien.retention.errors import LockHolder, RetentionLockLost, RetentionRunInProgress
from gardien.store.schema import retention_lock

SCOPE = "retention"  # a retention run covers every system of the registry
REQUESTS = "requests"  # a request run (``gardien request run``, the API, the back office)


class _Lost(Exception):
    """The database no longer gives this connection the lock (turned into the scope's error)."""


def _in_progress(scope: str, holder: LockHolder | None, waited: float) -> GardienError:
    if scope == REQUESTS:
        return RequestRunInProgress(holder, waited)
    return RetentionRunInProgress(scope, holder, waited)


def _lost(scope: str, why: str) -> GardienError:
    if scope == REQUESTS:
        return RequestRunLockLost(why)
    return RetentionLockLost(scope, why)


POLL = 0.25  # seconds between two tries while waiting
_GARDIEN = 0x67617264  # "gard": the first key of gardien's two-key advisory locks


class _Mutex(Protocol):
    def try_acquire(self) -> bool: ...

    def confirm(self) -> None: ...

    def release(self) -> None: ...


class _AdvisoryLock:
    """PostgreSQL: ``pg_try_advisory_lock(gardien, crc32(scope))``, session level."""

    def __init__(self, engine: Engine, scope: str) -> None:
        self.scope = scope
        self.keys = {"k1": _GARDIEN, "k2": zlib.crc32(scope.encode()) & 0x7FFFFFFF}
        self.conn: Connection | None = None

    def try_acquire(self) -> bool:
        assert self.conn is not None
        got = self.conn.execute(sa.text("SELECT pg_try_advisory_lock(:k1, :k2)"), self.keys)
        return bool(got.scalar_one())

    def confirm(self) -> None:
        assert self.conn is not None
        held = self.conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND classid = :k1 AND objid = :k2 AND objsubid = 2"
            ),
            self.keys,
        ).scalar_one()
        if not held:
            raise _Lost("the advisory lock is no longer held")

    def release(self) -> None:
        assert self.conn is not None
        self.conn.execute(sa.text("SELECT pg_advisory_unlock(:k1, :k2)"), self.keys)


class _NamedLock:
    """MariaDB/MySQL: ``GET_LOCK(name, 0)``; names are server-wide, so they name the database."""

    def __init__(self, engine: Engine, scope: str) -> None:
        self.scope = scope
        name = f"gardien.{engine.url.database or ''}.{scope}"
        if len(name) > 64:  # the server's limit on lock names
            name = "gardien." + hashlib.sha256(name.encode()).hexdigest()[:40]
        self.params = {"name": name}
        self.conn: Connection | None = None

    def try_acquire(self) -> bool:
        assert self.conn is not None
        got = self.conn.execute(sa.text("SELECT GET_LOCK(:name, 0)"), self.params).scalar_one()
        return bool(got == 1)

    def confirm(self) -> None:
        assert self.conn is not None
        mine = self.conn.execute(
            sa.text("SELECT IS_USED_LOCK(:name) = CONNECTION_ID()"), self.params
        ).scalar_one()
        if mine != 1:
            raise _Lost("the named lock is no longer held")

    def release(self) -> None:
        assert self.conn is not None
        self.conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), self.params)


class _FileLock:
    """SQLite: ``flock(LOCK_EX | LOCK_NB)`` on ``<store>.retention-lock``.

    ``flock`` locks belong to an open file, not to a process: two runs in one process (two
    API requests) exclude each other too. The kernel drops the lock when the file closes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def confirm(self) -> None:
        return None  # a lock on an open file cannot be taken away from it

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


_IN_MEMORY: dict[tuple[int, str], threading.Lock] = {}
_IN_MEMORY_GUARD = threading.Lock()


class _ProcessLock:
    """A SQLite store in memory exists in one process: a lock per engine and scope is enough."""

    def __init__(self, engine: Engine, scope: str) -> None:
        with _IN_MEMORY_GUARD:
            self.lock = _IN_MEMORY.setdefault((id(engine), scope), threading.Lock())

    def try_acquire(self) -> bool:
        return self.lock.acquire(blocking=False)

    def confirm(self) -> None:
        return None

    def release(self) -> None:
        self.lock.release()


def _mutex(engine: Engine, scope: str) -> _Mutex:
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return _AdvisoryLock(engine, scope)
    if dialect in ("mysql", "mariadb"):
        return _NamedLock(engine, scope)
    database = engine.url.database
    if (
        dialect == "sqlite"
        and database
        and database != ":memory:"
        and "mode=memory" not in str(engine.url)
    ):
        return _FileLock(Path(f"{database}.{scope}-lock"))
    return _ProcessLock(engine, scope)


def holder(engine: Engine, scope: str = SCOPE) -> LockHolder | None:
    """Who wrote down they hold the lock (the last holder, if it was killed since)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(retention_lock).where(retention_lock.c.scope == scope)).first()
    if row is None:
        return None
    since = row.since if row.since.tzinfo else row.since.replace(tzinfo=UTC)
    return LockHolder(row.owner, row.host, row.pid, since, row.run_id)


class RunLock:
    """The lock of one run, held: confirm it before each batch, note the run it executes."""

    def __init__(self, engine: Engine, scope: str, mutex: _Mutex) -> None:
        self.engine, self.scope, self.mutex = engine, scope, mutex

    def confirm(self) -> None:
        try:
            self.mutex.confirm()
        except _Lost as exc:
            raise _lost(self.scope, str(exc)) from None
        except sa.exc.DBAPIError as exc:
            raise _lost(self.scope, f"its connection failed: {exc.orig}") from exc
        except sa.exc.SQLAlchemyError as exc:
            raise _lost(self.scope, f"its connection failed: {exc}") from exc

    def note_run(self, run_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                retention_lock.update()
                .where(retention_lock.c.scope == self.scope)
                .values(run_id=run_id)
            )


def _write_holder(engine: Engine, scope: str, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(retention_lock.delete().where(retention_lock.c.scope == scope))
        conn.execute(
            retention_lock.insert().values(
                scope=scope,
                owner=owner[:200],
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                since=datetime.now(UTC),
            )
        )


@contextmanager
def holding(
    engine: Engine,
    owner: str,
    *,
    wait: float = 0.0,
    scope: str = SCOPE,
    poll: float = POLL,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[RunLock]:
    """Hold the run lock of ``scope`` for the block; wait at most ``wait`` seconds for it
    (``on_wait`` is told once when waiting begins), then raise the scope's error naming the
    holder (``RetentionRunInProgress``, ``RequestRunInProgress``)."""
    if wait < 0:
        raise ValueError("the wait must be zero or more seconds")
    mutex = _mutex(engine, scope)
    conn: Connection | None = None
    if isinstance(mutex, _AdvisoryLock | _NamedLock):
        # Outside any transaction: the lock belongs to the session, and an idle transaction
        # held for a whole run would keep PostgreSQL from vacuuming.
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        mutex.conn = conn
    try:
        started, told = monotonic(), False
        while not mutex.try_acquire():
            waited = monotonic() - started
            if waited >= wait:
                raise _in_progress(scope, holder(engine, scope), waited)
            if on_wait is not None and not told:
                on_wait()
                told = True
            sleep(min(poll, wait - waited))
        try:
            _write_holder(engine, scope, owner)
            yield RunLock(engine, scope, mutex)
        finally:
            try:
                with engine.begin() as done:
                    done.execute(retention_lock.delete().where(retention_lock.c.scope == scope))
            finally:
                with suppress(sa.exc.SQLAlchemyError):  # a dropped connection took the lock
                    mutex.release()
    finally:
        if conn is not None:
            conn.close()
