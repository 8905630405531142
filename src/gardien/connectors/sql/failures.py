"""What a driver's error means for gardien: unreachable, refused, or worth trying again.

Driver errors are translated once, here, into the connector errors of
``gardien.connectors.errors`` (raised ``from`` the original, so the cause stays in logs).
A deadlock or a serialization failure is not a refusal: the database chose this transaction
as the one to roll back so that another can go on, and says "try again". Those, and a lock
wait that timed out, are *transient*: a batch that meets one is retried as a whole, a bounded
number of times with a growing pause (issue 9 §4).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from gardien.connectors.errors import ConnectorError, StatementFailed, SystemUnreachable

# PostgreSQL: deadlock_detected, serialization_failure (SQLSTATE class 40, "transaction
# rollback"). MariaDB/MySQL: ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
TRANSIENT_MYSQL_ERRORS = frozenset({1213, 1205})
# SQLite has one writer: another connection holding the write lock past the busy timeout.
TRANSIENT_SQLITE_MESSAGES = ("database is locked", "database table is locked")
# PostgreSQL: duplicate_table, and unique_violation on pg_type when two sessions create the
# same table at once (CREATE TABLE IF NOT EXISTS does not close that race). MariaDB: 1050.
DUPLICATE_TABLE_SQLSTATES = frozenset({"42P07", "23505"})
DUPLICATE_TABLE_MYSQL_ERRORS = frozenset({1050})

ATTEMPTS = 5  # a batch is tried at most this many times
FIRST_PAUSE = 0.05  # seconds; doubled after every failure, with jitter

T = TypeVar("T")


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _mysql_errno(exc: sa.exc.DBAPIError) -> int | None:
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def is_transient(exc: BaseException) -> bool:
    """A deadlock, a serialization failure or a lock wait: the same work may succeed again."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if _sqlstate(exc) in TRANSIENT_SQLSTATES or _mysql_errno(exc) in TRANSIENT_MYSQL_ERRORS:
        return True
    message = str(exc.orig).lower()
    return any(m in message for m in TRANSIENT_SQLITE_MESSAGES)


def is_duplicate_table(exc: BaseException) -> bool:
    """Another session created the table we were creating."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if _sqlstate(exc) in DUPLICATE_TABLE_SQLSTATES:
        return True
    if _mysql_errno(exc) in DUPLICATE_TABLE_MYSQL_ERRORS:
        return True
    return "already exists" in str(exc.orig).lower()


def translate(system_id: str, shown_url: str, exc: sa.exc.DBAPIError) -> ConnectorError:
    """The connector error a driver error means, naming the system."""
    if isinstance(exc, sa.exc.OperationalError) and (
        "connect" in str(exc.orig).lower() or exc.connection_invalidated
    ):
        return SystemUnreachable(system_id, f"cannot reach {shown_url}: {exc.orig}")
    if isinstance(exc, sa.exc.IntegrityError):
        return StatementFailed(
            system_id, f"a constraint of the database refused the change: {exc.orig}"
        )
    return StatementFailed(system_id, f"the database refused a statement: {exc.orig}")


def pause(seconds: float) -> None:
    """Wait between two attempts (a module function, so that tests can count the attempts)."""
    time.sleep(seconds)


def retrying(
    work: Callable[[], T], *, attempts: int = ATTEMPTS, first_pause: float = FIRST_PAUSE
) -> T:
    """Run ``work`` (one whole transaction) again after a transient failure, at most
    ``attempts`` times, pausing ``first_pause`` × 2ⁿ (± 50 %: two runs that deadlocked each
    other do not retry in step) in between; the last failure, or any other error, is raised
    as it is."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa.exc.DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            pause(first_pause * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover
