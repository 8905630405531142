"""The book of legal holds in the store; every placement and release is audited."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import GardienError, NotFound
from gardien.holds.model import HeldIdentifier, LegalHold
from gardien.store import audit
from gardien.store.keys import keys_of
from gardien.store.schema import legal_hold


class HoldNotFound(NotFound):
    code = "hold_not_found"


class HoldAlreadyReleased(GardienError):
    code = "hold_already_released"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _from_row(row: Any) -> LegalHold:
    return LegalHold(
        id=row.id,
        reason=row.reason,
        case=row.case_ref,
        placed_at=_aware(row.placed_at) or datetime.now(UTC),
        placed_by=row.placed_by,
        identity_kind=row.identity_kind,
        identity_value=row.identity_value,
        system=row.system_id,
        table=row.table_name,
        keys=tuple(json.loads(row.row_keys)) if row.row_keys else (),
        released_at=_aware(row.released_at),
        released_by=row.released_by,
        appeal_ends=row.appeal_ends,
        pivoted=tuple(
            HeldIdentifier(p["identifier"], p["value"], tuple(p["found_in"]))
            for p in json.loads(row.pivoted or "[]")
        ),
    )


def _covers(conn: Connection, hold: LegalHold) -> str:
    """What a hold covers, for the audit trail: a person's identifier only as a digest (with
    the store's subject key, ``gardien.store.keys``).

    The trail outlives every retention period; an identifier in clear would outlive its own.
    """
    if hold.identity_kind is not None:
        key = keys_of(conn).subject
        return f"person {hold.identity_kind}#{key.digest(hold.identity_kind, hold.identity_value or '')[:16]}"
    return hold.describe()


def place(
    engine: Engine,
    clock: Clock,
    *,
    actor: str,
    reason: str,
    case: str | None,
    identity: tuple[str, str] | None = None,
    rows: tuple[str, str, tuple[str, ...]] | None = None,
    pivoted: tuple[HeldIdentifier, ...] = (),
) -> LegalHold:
    """Place a hold on a person (identity kind and value) or on rows (system, table, keys),
    as checked by ``gardien.jobs.holds.place`` (the use case, where the validation lives)."""
    if (identity is None) == (rows is None):
        raise ValueError("a hold covers either a person or rows")  # a mistake of the caller
    hold = LegalHold(
        id=str(uuid.uuid4()),
        reason=reason,
        case=case,
        placed_at=clock.now(),
        placed_by=actor,
        identity_kind=identity[0] if identity else None,
        identity_value=identity[1] if identity else None,
        system=rows[0] if rows else None,
        table=rows[1] if rows else None,
        keys=rows[2] if rows else (),
        pivoted=pivoted,
    )
    with engine.begin() as conn:
        conn.execute(
            legal_hold.insert().values(
                id=hold.id,
                reason=hold.reason,
                case_ref=hold.case,
                placed_at=hold.placed_at,
                placed_by=hold.placed_by,
                identity_kind=hold.identity_kind,
                identity_value=hold.identity_value,
                system_id=hold.system,
                table_name=hold.table,
                row_keys=json.dumps(list(hold.keys)) if hold.keys else None,
                pivoted=json.dumps(
                    [
                        {"identifier": p.kind, "value": p.value, "found_in": list(p.found_in)}
                        for p in hold.pivoted
                    ]
                )
                if hold.pivoted
                else None,
            )
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "hold.placed",
                f"hold:{hold.id}",
                {
                    "covers": _covers(conn, hold),
                    "reason": reason,
                    "case": case,
                    # Issue 10 §3: what else the hold covers, as keyed digests with where
                    # each was read (the trail outlives the identifiers).
                    "also_covers": [
                        {
                            "identifier": p.kind,
                            "digest": keys_of(conn).subject.digest(p.kind, p.value)[:16],
                            "found_in": list(p.found_in),
                        }
                        for p in hold.pivoted
                    ],
                },
            ),
        )
    return hold


def release(
    engine: Engine, clock: Clock, hold_id: str, *, actor: str, appeal_ends: date | None
) -> LegalHold:
    with engine.begin() as conn:
        row = conn.execute(sa.select(legal_hold).where(legal_hold.c.id == hold_id)).first()
        if row is None:
            raise HoldNotFound(f"no legal hold with id {hold_id}", field="hold")
        if row.released_at is not None:
            raise HoldAlreadyReleased(
                f"hold {hold_id} was already released on {row.released_at:%Y-%m-%d}"
            )
        now = clock.now()
        conn.execute(
            legal_hold.update()
            .where(legal_hold.c.id == hold_id)
            .values(released_at=now, released_by=actor, appeal_ends=appeal_ends)
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "hold.released",
                f"hold:{hold_id}",
                {"appeal_ends": appeal_ends.isoformat() if appeal_ends else None},
            ),
        )
        row = conn.execute(sa.select(legal_hold).where(legal_hold.c.id == hold_id)).one()
    return _from_row(row)


def all_holds(engine: Engine) -> list[LegalHold]:
    with engine.connect() as conn:
        return [
            _from_row(r)
            for r in conn.execute(sa.select(legal_hold).order_by(legal_hold.c.placed_at))
        ]
