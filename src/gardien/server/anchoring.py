"""The server anchors the audit trail's head (issue 9 §5): when it starts, every
``GARDIEN_AUDIT_ANCHOR_SECONDS`` while the head moves, and when it stops.

A period rather than an anchor after each write: a write is a consent event or a page read,
hundreds a second, and an anchor is an fsync and an e-mail to the DPO. What the period costs is
the window it leaves: events written since the last anchor can be removed from the tail
unnoticed (docs/audit.md). A retention run anchors on its own when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.anchors import Anchor
from gardien.clock import Clock
from gardien.errors import GardienError
from gardien.jobs.audit_anchor import Anchoring, anchor_if_moved

log = logging.getLogger(__name__)


class PeriodicAnchor:
    def __init__(self, engine: Engine, clock: Clock, anchoring: Anchoring) -> None:
        self.engine = engine
        self.clock = clock
        self.anchoring = anchoring
        self.last: Anchor | None = None
        self._task: asyncio.Task[None] | None = None

    def once(self) -> Anchor | None:
        """Anchor if the head moved since the last anchor; a failure is logged, and the next
        period tries again (the server keeps serving: its writes are still chained)."""
        try:
            made = anchor_if_moved(self.engine, self.clock, self.anchoring, self.last)
        except (GardienError, sa.exc.SQLAlchemyError, OSError) as exc:
            log.warning("the audit trail was not anchored: %s", exc)
            return None
        if made is not None:
            self.last = made
        return made

    async def _every_period(self) -> None:
        while True:
            await asyncio.sleep(self.anchoring.every_seconds)
            await asyncio.to_thread(self.once)

    async def start(self) -> None:
        if not self.anchoring.enabled:
            return
        await asyncio.to_thread(self.once)
        self._task = asyncio.create_task(self._every_period())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(self.once)
