"""The suppression list in gardien's store: digests only, never prospected again (R-RGT-05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.consent.subject import Subject
from gardien.store.consent import parse_moment, utc
from gardien.store.schema_consent import (
    suppression,
)


@dataclass(frozen=True)
class SuppressionEntry:
    kind: str
    digest: str
    since: datetime


def suppressed_since(engine: Engine, subject: Subject) -> datetime | None:
    """When the first of the person's identifiers was suppressed; None if none is."""
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.min(suppression.c.added_at)).where(
                suppression.c.digest.in_(subject.digests)
            )
        ).scalar()
    if value is None:
        return None
    return utc(value) if isinstance(value, datetime) else parse_moment(value)


def is_suppressed(engine: Engine, subject: Subject) -> bool:
    """Whether any identifier of ``subject`` must never be prospected again (R-RGT-05)."""
    return suppressed_since(engine, subject) is not None


def suppression_list(engine: Engine) -> list[SuppressionEntry]:
    """The whole list as keyed digests, for other systems that hold the same key."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(suppression.c.kind, suppression.c.digest, suppression.c.added_at).order_by(
                suppression.c.added_at, suppression.c.digest
            )
        )
        return [SuppressionEntry(r.kind, r.digest, utc(r.added_at)) for r in rows]
