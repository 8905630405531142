"""Reading the audit trail: its events (filtered, paged) and the verification of its chain.

``gardien audit``, ``/api/v1/audit`` and ``/office/audit`` read the trail through these; the
chain and its storage are ``gardien.audit.chain`` and ``gardien.store.audit``, the anchors
``gardien.jobs.audit_anchor``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from gardien.audit.chain import AuditEvent, Verification
from gardien.jobs.audit_anchor import Anchoring, read_anchors
from gardien.store import audit as trail
from gardien.store import audit_pages
from gardien.store.audit_pages import EventLine

EVENTS_PER_PAGE = 50
MAX_FILTER = 100


def events(
    engine: Engine, *, action: str | None = None, limit: int | None = None
) -> Iterator[AuditEvent]:
    """Events oldest first, with their seals; ``action`` matches literally, ``*`` a wildcard
    (``hold.*``)."""
    return trail.events(engine, action=action, limit=limit)


def verify(
    engine: Engine, anchoring: Anchoring | None = None, extra_anchors: Sequence[str] = ()
) -> Verification:
    """Check the chain with the store's audit keys, against the anchors of ``anchoring`` and
    ``extra_anchors`` (anchor lines, from the DPO's e-mails): the first altered, removed,
    reordered or forged event, or the tail removed since the last anchor."""
    read = read_anchors(engine, anchoring, extra_anchors)
    if read.problem is not None:
        return Verification(False, 0, None, read.problem)
    return trail.verify_trail(engine, read.anchors)


@dataclass(frozen=True)
class EventPage:
    events: list[EventLine]
    """Newest first."""
    number: int
    """This page's number, from 1 (a number out of range is brought back in range)."""
    pages: int
    total: int
    action: str
    """The filter as applied (blanks removed, at most ``MAX_FILTER`` characters)."""


def page(
    engine: Engine, *, action: str = "", number: int = 1, size: int = EVENTS_PER_PAGE
) -> EventPage:
    """One page of events, newest first, filtered by action."""
    wanted = action.strip()[:MAX_FILTER]
    total = audit_pages.count(engine, wanted or None)
    pages = max(1, math.ceil(total / size))
    current = min(max(1, number), pages)
    found = audit_pages.newest(
        engine, action=wanted or None, limit=size, offset=(current - 1) * size
    )
    return EventPage(found, current, pages, total, wanted)


def about(engine: Engine, target: str, actions: tuple[str, ...]) -> list[EventLine]:
    """The events of ``actions`` on ``target`` (``request:<id>``), oldest first."""
    return audit_pages.about(engine, target, actions)
