"""Consent checks on PostgreSQL, batched: the checks a server receives while a statement is out
go together in the next one (issue 5 §1: >= 2,000 checks/s with p99 <= 20 ms, one process).

One check alone costs a PostgreSQL statement: a round trip, two process wake-ups and the
statement's fixed costs, which on this 2-core machine outweigh its index look-ups many times
over (measured: bench/api.py, docs/performance.md). Here each of a few connections (psycopg
async, on the server's event loop: no worker thread) takes every pending check at once and
answers them with one statement (``gardien.store.consent.records_many_async``).

Freshness is the same as one statement per check: a check is queued before the statement that
answers it is sent, and that statement, in autocommit, reads everything committed when it
starts. So an objection or a withdrawal committed by any process (the CLI, another server)
before a check arrives is seen by that check; nothing is cached between checks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import Engine

from gardien.consent.decision import SubjectRecord
from gardien.store import consent as book

# Statements out at once. One is enough to batch (1, 2 and 4 measured alike in bench/api.py);
# two, so that one slow statement does not hold every check behind it.
CONNECTIONS = 2
# An upper bound on the checks of one statement, so that a burst still gets answers in steps.
MAX_BATCH = 256

_Pending = tuple[Sequence[str], str, "asyncio.Future[SubjectRecord]"]


def connection_pool(engine: Engine, size: int = CONNECTIONS) -> AsyncConnectionPool[Any]:
    """An async psycopg pool on the same database as ``engine`` (PostgreSQL), not yet open.

    The connection arguments come from SQLAlchemy's own dialect, so the URL means the same as
    for the store. Autocommit: one statement, no BEGIN or ROLLBACK around it; and
    ``prepare_threshold=0``: the server parses and plans the check statement once per connection.
    """
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("context", None)  # SQLAlchemy's own type adapters: the checks read plain rows
    return AsyncConnectionPool(
        make_conninfo(**kwargs),
        min_size=size,
        max_size=size,
        kwargs={"autocommit": True, "prepare_threshold": 0},
        open=False,
        name="gardien-checks",
    )


class BatchedChecks:
    """Answers ``record(digests, activity)`` calls from the event loop it was started on."""

    def __init__(self, pool: AsyncConnectionPool[Any], workers: int = CONNECTIONS) -> None:
        self._pool = pool
        self._workers = workers
        self._pending: list[_Pending] = []
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        await self._pool.open(wait=True, timeout=30)
        self.loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._serve()) for _ in range(self._workers)]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for _, _, future in self._pending:
            if not future.done():
                future.cancel()
        self._pending.clear()
        await self._pool.close()

    async def record(self, digests: Sequence[str], activity_id: str) -> SubjectRecord:
        """What the store holds on these digests for this activity, as of a statement sent
        after this call."""
        assert self.loop is not None, "start() first"
        future: asyncio.Future[SubjectRecord] = self.loop.create_future()
        self._pending.append((digests, activity_id, future))
        self._ready.set()
        return await future

    async def _serve(self) -> None:
        while True:
            await self._ready.wait()
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            if not self._pending:
                self._ready.clear()
            # A caller gone (client disconnected) has cancelled its future: skip it.
            batch = [p for p in batch if not p[2].done()]
            if batch:
                await self._answer(batch)

    async def _answer(self, batch: list[_Pending]) -> None:
        try:
            async with self._pool.connection() as conn:
                records = await book.records_many_async(conn, [(d, a) for d, a, _ in batch])
        except Exception as exc:  # each caller gets the error (mapped to a 500 at the edge)
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), record in zip(batch, records, strict=True):
            if not future.done():
                future.set_result(record)
