"""The consent ledger in gardien's store: recording events and the one query behind
``consent status``.

Only inserts: there is no API to change or remove a ledger row (states are folded from events,
``gardien.consent``). Every write commits together with its audit event, which names the person
by keyed digest only. ``subject_record`` is the one indexed query behind ``consent status``.
The suppression list is ``store.suppression``, the restriction list ``store.restrictions``,
a person's history and the erasure of their clear identifiers ``store.consent_history``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent, digest
from gardien.clock import Clock
from gardien.consent.decision import Decision, SubjectRecord, may_process
from gardien.consent.ledger import Channel, EventKind, LedgerEvent, check_event, state_of
from gardien.consent.restriction import (
    RestrictionEvent,
    RestrictionKind,
)
from gardien.consent.subject import Subject
from gardien.registry.model import Registry
from gardien.store import audit

if TYPE_CHECKING:
    from psycopg import AsyncConnection

from gardien.store.schema_consent import (
    consent_event,
    consent_event_subject,
    restriction_event,
    restriction_subject,
    suppression,
)


def utc(moment: datetime) -> datetime:
    """Aware UTC in, aware UTC out; SQLite gives naive values written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def lock_subject(conn: Connection, subject: Subject) -> None:
    # Check-then-insert must not interleave for one person (two lifts of one objection…).
    if conn.dialect.name == "postgresql":
        for d in sorted(subject.digests):
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(int(d[:15], 16))))


def inserted_seq(conn: Connection, statement: sa.Insert) -> int:
    key = conn.execute(statement).inserted_primary_key
    assert key is not None  # an INSERT of one row always has one
    return int(key[0])


# --- the one query ---------------------------------------------------------------------------


def _record_query(for_one_activity: bool) -> sa.CompoundSelect[Any]:
    """Built once: parameters ``digests`` (expanding) and ``activity``."""
    text, flag = sa.String(), sa.Boolean()
    digests: sa.BindParameter[list[str]] = sa.bindparam("digests", expanding=True)
    consent = (
        sa.select(
            sa.literal("c").label("src"),
            consent_event.c.seq,
            consent_event.c.at,
            consent_event.c.activity_id,
            consent_event.c.kind,
            consent_event.c.channel,
            consent_event.c.proof,
            consent_event.c.notice_version,
            consent_event.c.prospecting,
            sa.cast(sa.null(), text).label("restriction_id"),
            sa.cast(sa.null(), text).label("reason"),
            sa.cast(sa.null(), text).label("request_id"),
        )
        .join(consent_event_subject, consent_event_subject.c.event_seq == consent_event.c.seq)
        .where(consent_event_subject.c.digest.in_(digests))
    )
    if for_one_activity:
        consent = consent.where(consent_event.c.activity_id == sa.bindparam("activity"))
    restriction = (
        sa.select(
            sa.literal("r"),
            restriction_event.c.seq,
            restriction_event.c.at,
            sa.cast(sa.null(), text),
            restriction_event.c.kind,
            sa.cast(sa.null(), text),
            sa.cast(sa.null(), text),
            sa.cast(sa.null(), text),
            sa.cast(sa.null(), flag),
            restriction_event.c.restriction_id,
            restriction_event.c.reason,
            restriction_event.c.request_id,
        )
        .join(restriction_subject, restriction_subject.c.event_seq == restriction_event.c.seq)
        .where(restriction_subject.c.digest.in_(digests))
    )
    suppressed = sa.select(
        sa.literal("s"),
        sa.cast(sa.null(), consent_event.c.seq.type),
        sa.func.min(suppression.c.added_at),
        *(sa.cast(sa.null(), text) for _ in range(5)),
        sa.cast(sa.null(), flag),
        *(sa.cast(sa.null(), text) for _ in range(3)),
    ).where(suppression.c.digest.in_(digests))
    return sa.union_all(consent, restriction, suppressed)


# Building the statement costs more than running it: build it once (consent status is hot).
_RECORD_FOR_ACTIVITY = _record_query(for_one_activity=True)
_RECORD_ALL = _record_query(for_one_activity=False)

# Many checks in one statement (PostgreSQL, ``records_many_async``): the same three branches as
# above, for each (check number, digest, activity) of the arrays given. One round trip answers
# every check that a server received while the previous one was out; the database does the same
# index look-ups as for one check, minus a statement's fixed costs each.
_PG_RECORDS_MANY = """
WITH q AS (
  SELECT * FROM unnest(%(checks)s::int[], %(digests)s::text[], %(activities)s::text[])
    AS q(n, digest, activity)
)
SELECT q.n, 'c', e.seq, e.at, e.activity_id, e.kind, e.channel, e.proof, e.notice_version,
       e.prospecting, NULL, NULL, NULL
  FROM q
  JOIN consent_event_subject s ON s.digest = q.digest
  JOIN consent_event e ON e.seq = s.event_seq AND e.activity_id = q.activity
UNION ALL
SELECT q.n, 'r', r.seq, r.at, NULL, r.kind, NULL, NULL, NULL, NULL, r.restriction_id, r.reason,
       r.request_id
  FROM q
  JOIN restriction_subject s ON s.digest = q.digest
  JOIN restriction_event r ON r.seq = s.event_seq
UNION ALL
SELECT q.n, 's', NULL, min(p.added_at), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM q
  JOIN suppression p ON p.digest = q.digest
  GROUP BY q.n
"""


def _fold(rows: Iterable[Sequence[Any]]) -> SubjectRecord:
    """The rows of the statement above (by position, as either driver gives them) as a
    ``SubjectRecord``."""
    events: dict[int, LedgerEvent] = {}
    restrictions: dict[int, RestrictionEvent] = {}
    since: datetime | None = None
    for src, seq, at, activity, kind, channel, proof, notice, prospecting, rid, why, req in rows:
        if src == "c":
            events[seq] = LedgerEvent(
                seq=seq,
                at=utc(at),
                activity=activity,
                kind=EventKind(kind),
                channel=Channel(channel),
                proof=proof,
                notice_version=notice,
                prospecting=bool(prospecting),
            )
        elif src == "r":
            restrictions[seq] = RestrictionEvent(
                seq=seq,
                at=utc(at),
                kind=RestrictionKind(kind),
                restriction_id=rid,
                reason=why,
                request_id=req,
            )
        elif at is not None:
            since = utc(at) if isinstance(at, datetime) else parse_moment(at)
    return SubjectRecord(tuple(events.values()), tuple(restrictions.values()), since)


def subject_record(conn: Connection, subject: Subject, activity_id: str | None) -> SubjectRecord:
    """Everything that bears on a decision about ``subject``, in one statement: the ledger
    events for ``activity_id`` (for every activity when None), the restriction events and the
    suppression date. Each branch of the union starts from an index on the identifier digest.
    """
    if activity_id is None:
        rows = conn.execute(_RECORD_ALL, {"digests": list(subject.digests)})
    else:
        rows = conn.execute(
            _RECORD_FOR_ACTIVITY, {"digests": list(subject.digests), "activity": activity_id}
        )
    return _fold(rows)


def parse_moment(value: Any) -> datetime:
    # SQLite returns MIN() over a DATETIME column as text.
    return utc(datetime.fromisoformat(str(value)))


def status(
    engine: Engine, registry: Registry, subject: Subject, activity_id: str, at: datetime
) -> Decision:
    """May we process ``subject``'s data for ``activity_id`` at ``at``? (Not audited: no
    personal data is read, and the API must answer thousands of these a second.)"""
    with engine.connect() as conn:
        return decide(conn, registry, subject, activity_id, at)


async def records_many_async(
    conn: AsyncConnection[Any], checks: Sequence[tuple[Sequence[str], str]]
) -> list[SubjectRecord]:
    """``subject_record`` for many (digests, activity) checks at once, in one statement, on a
    psycopg async connection (PostgreSQL); the records in the order of ``checks``.

    Run in autocommit, the statement reads what was committed when it starts: a withdrawal
    recorded by any process before a check arrived is seen by that check."""
    numbers: list[int] = []
    digests: list[str] = []
    activities: list[str] = []
    for n, (subject_digests, activity_id) in enumerate(checks):
        for d in subject_digests:
            numbers.append(n)
            digests.append(d)
            activities.append(activity_id)
    cursor = await conn.execute(
        _PG_RECORDS_MANY, {"checks": numbers, "digests": digests, "activities": activities}
    )
    rows: list[list[tuple[Any, ...]]] = [[] for _ in checks]
    for row in await cursor.fetchall():
        rows[row[0]].append(row[1:])
    return [_fold(r) for r in rows]


def decide(
    conn: Connection, registry: Registry, subject: Subject, activity_id: str, at: datetime
) -> Decision:
    """``status`` on a connection the caller keeps open: one round trip per answer (a server
    answering thousands a second should not pay the pool checkout and ROLLBACK each time)."""
    return decision_of(registry, subject_record(conn, subject, activity_id), activity_id, at)


def decision_of(
    registry: Registry, record: SubjectRecord, activity_id: str, at: datetime
) -> Decision:
    """The decision on a record read by ``subject_record`` or ``records_many_async`` (``at``
    without a time zone is UTC, as everywhere in the store)."""
    return may_process(registry, record, activity_id, utc(at))


# --- writing the ledger ----------------------------------------------------------------------


def events_of_request(engine: Engine, request_id: str) -> set[tuple[str, str]]:
    """(activity, kind) of the ledger events a request recorded: a resumed request records
    none of them again (issue 9 §4; the event row is its own journal)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(consent_event.c.activity_id, consent_event.c.kind).where(
                consent_event.c.request_id == request_id
            )
        )
        return {(r.activity_id, r.kind) for r in rows}


def subject_audit(subject: Subject) -> list[str]:
    return list(subject.digests)


def record_event(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    subject: Subject,
    activity_id: str,
    kind: EventKind,
    *,
    channel: Channel,
    actor: str,
    proof: str | None = None,
    request_id: str | None = None,
    prospecting_asserted: bool = False,
) -> LedgerEvent:
    """Append one event after the law's checks; an objection to direct marketing also puts
    every identifier of the person on the suppression list (Art. 21(3), R-RGT-05)."""
    now = utc(clock.now())
    with engine.begin() as conn:
        lock_subject(conn, subject)
        record = subject_record(conn, subject, activity_id)
        activity = check_event(
            registry,
            activity_id,
            kind,
            state_of(record.events, activity_id),
            suppressed=record.suppressed_since is not None,
            prospecting_asserted=prospecting_asserted,
            proof=proof,
        )
        notice_version = registry.controller.notice.version
        seq = inserted_seq(
            conn,
            consent_event.insert().values(
                at=now,
                activity_id=activity_id,
                kind=kind.value,
                channel=channel.value,
                proof=proof,
                notice_version=notice_version,
                prospecting=activity.direct_marketing,
                actor=actor,
                request_id=request_id,
                identifiers=json.dumps(subject.clear(), sort_keys=True, ensure_ascii=False),
            ),
        )
        conn.execute(
            consent_event_subject.insert(),
            [{"event_seq": seq, "digest": d} for d in subject.digests],
        )
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                f"consent.{kind.value}",
                f"consent:{seq}",
                {
                    "subject": subject_audit(subject),
                    "activity": activity_id,
                    "channel": channel.value,
                    "notice_version": notice_version,
                    "proof_digest": digest(proof) if proof else None,
                    "request": request_id,
                },
            ),
        )
        if kind is EventKind.OBJECTION and activity.direct_marketing:
            _suppress(conn, clock, subject, seq, now, actor)
    return LedgerEvent(
        seq, now, activity_id, kind, channel, proof, notice_version, activity.direct_marketing
    )


def _suppress(
    conn: Connection, clock: Clock, subject: Subject, seq: int, now: datetime, actor: str
) -> None:
    known = set(
        conn.execute(
            sa.select(suppression.c.digest).where(suppression.c.digest.in_(subject.digests))
        ).scalars()
    )
    new = [i for i in subject.identifiers if i.digest not in known]
    if not new:
        return
    conn.execute(
        suppression.insert(),
        [{"digest": i.digest, "kind": i.kind, "added_at": now, "event_seq": seq} for i in new],
    )
    audit.append(
        conn,
        clock,
        NewEvent(
            actor,
            "suppression.added",
            f"consent:{seq}",
            {"digests": [i.digest for i in new], "kinds": [i.kind for i in new]},
        ),
    )
