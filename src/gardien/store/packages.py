"""Response packages in the store: saved when a request runs, read (audited) when exported."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import NotFound
from gardien.law.calendar import period_end
from gardien.registry.duration import Duration
from gardien.store import audit
from gardien.store.schema_packages import request_package

# How long a package waits to be downloaded; then it is deleted (it copies personal data).
PACKAGE_RETENTION = Duration(days=30)


class PackageNotFound(NotFound):
    code = "package_not_found"


@dataclass(frozen=True)
class StoredPackage:
    request_id: str
    kind: str
    created_at: datetime
    expires_at: datetime
    sha256: str
    content: bytes


def save_many(
    conn: Connection, clock: Clock, items: list[tuple[str, str, bytes]], zone: str
) -> None:
    """``save`` for a batch of ``(request_id, kind, content)``: two statements in all."""
    if not items:
        return
    now = clock.now()
    # kept all of its last day in the controller's zone, the day the person is told (issue 10 §1)
    expires = period_end(now, [PACKAGE_RETENTION], zone)
    ids = [request_id for request_id, _, _ in items]
    conn.execute(request_package.delete().where(request_package.c.request_id.in_(ids)))
    conn.execute(
        request_package.insert(),
        [
            {
                "request_id": request_id,
                "kind": kind,
                "created_at": now,
                "expires_at": expires,
                "sha256": hashlib.sha256(content).hexdigest(),
                "content": content,
            }
            for request_id, kind, content in items
        ],
    )


def export(engine: Engine, clock: Clock, request_id: str, *, actor: str) -> StoredPackage:
    """Read a package for sending to the person; the read is audited (who, when, which)."""
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(request_package).where(request_package.c.request_id == request_id)
        ).first()
        if row is None:
            raise PackageNotFound(
                f"request {request_id} has no package: run it first ('gardien request run "
                f"{request_id}'), or it expired after {PACKAGE_RETENTION.days} days"
            )
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires <= clock.now():
            raise PackageNotFound(
                f"the package of request {request_id} expired at {expires:%Y-%m-%d %H:%M} UTC"
            )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor, "request.package.exported", f"request:{request_id}", {"sha256": row.sha256}
            ),
        )
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return StoredPackage(row.request_id, row.kind, created, expires, row.sha256, row.content)


def purge_expired(engine: Engine, clock: Clock) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            request_package.delete().where(request_package.c.expires_at <= clock.now())
        )
        return int(result.rowcount)


def available_until(engine: Engine, request_id: str, now: datetime) -> datetime | None:
    """When the package of ``request_id`` stops being downloadable, or None if there is none.

    Reads no content, so it is not an export and is not audited (the portal's status page
    uses it to show or hide the download link).
    """
    with engine.connect() as conn:
        expires = conn.execute(
            sa.select(request_package.c.expires_at).where(
                request_package.c.request_id == request_id
            )
        ).scalar()
    if expires is None:
        return None
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return expires if expires > now else None
