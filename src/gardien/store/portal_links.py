"""The portal's secret status links: made when a person files a request, resolved on each visit.

A link is valid for ``LINK_LIFETIME``: long enough for the longest answer (three months with an
Art. 12(3) extension) plus the package's 30 days of download, short enough that a forgotten
link stops working. The answer package itself expires sooner (``packages.PACKAGE_RETENTION``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.clock import Clock
from gardien.law.calendar import period_end
from gardien.registry.duration import Duration
from gardien.store.schema_portal import portal_link

LINK_LIFETIME = Duration(months=6)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(conn: Connection, clock: Clock, request_id: str, zone: str) -> str:
    """A new link secret for ``request_id``; returned once, stored as its digest."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    conn.execute(
        portal_link.insert().values(
            digest=_digest(secret),
            request_id=request_id,
            created_at=now,
            # valid all of its last day in the controller's zone (issue 10 §1, law.calendar)
            expires_at=period_end(now, [LINK_LIFETIME], zone),
        )
    )
    return secret


def resolve(engine: Engine, secret: str, now: datetime) -> str | None:
    """The request a link secret opens, or None (unknown, malformed or expired)."""
    if not 20 <= len(secret) <= 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(portal_link.c.request_id, portal_link.c.expires_at).where(
                portal_link.c.digest == _digest(secret)
            )
        ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return str(row.request_id) if expires > now else None
