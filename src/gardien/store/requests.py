"""The book of rights requests in the store: create, read, list, and save each transition with its
audit event in the same transaction (state change and trail commit together).

Audit details name identifiers and rectified values only by digest: the trail outlives every
retention period, an identifier in clear would outlive its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import NewEvent, digest
from gardien.clock import Clock
from gardien.consent.keys import SubjectKey
from gardien.errors import NotFound
from gardien.requests.kinds import RequestKind
from gardien.requests.model import (
    Death,
    Extension,
    RequestDetails,
    RightsRequest,
    TimelineEntry,
)
from gardien.requests.proofs import IdentifierProof, proofs_from_timeline
from gardien.requests.states import TERMINAL_STATES, Action, RequestState
from gardien.requests.verification import OneTimeCode
from gardien.store import audit
from gardien.store.keys import keys_of
from gardien.store.schema_requests import request_code, request_transition, rights_request


class RequestNotFound(NotFound):
    code = "request_not_found"

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"no rights request with id {request_id!r}")

    def details(self) -> dict[str, Any]:
        return {"request_id": self.request_id}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _at(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def identity_digests(identity: Mapping[str, str], key: SubjectKey) -> dict[str, str]:
    """``{kind: digest}``: enough to match events of one person, nothing to read an identifier.

    Keyed (HMAC with the store's subject key, as the consent ledger): an unkeyed hash of an
    e-mail address is reversed with a list of addresses.
    """
    return {kind: key.digest(kind, value)[:16] for kind, value in sorted(identity.items())}


# --- rows ↔ values ------------------------------------------------------------------------


def _entry(row: Any) -> TimelineEntry:
    return TimelineEntry(
        at=_at(row.at),
        actor=row.actor,
        action=Action(row.action),
        from_state=RequestState(row.from_state) if row.from_state else None,
        to_state=RequestState(row.to_state),
        reason=row.reason,
        details=json.loads(row.details),
    )


def _request(row: Any, timeline: Iterable[TimelineEntry]) -> RightsRequest:
    extension = None
    if row.extended_at is not None:
        extension = Extension(
            reason=row.extension_reason, decided_at=_at(row.extended_at), decided_by=row.extended_by
        )
    death = None
    if row.died_on is not None:
        death = Death(
            died_on=row.died_on,
            declared_at=_at(row.death_declared_at),
            declared_by=row.death_declared_by,
        )
    entries = tuple(timeline)
    identity = json.loads(row.identity)
    proofs = (
        {kind: IdentifierProof.from_json(p) for kind, p in json.loads(row.proofs).items()}
        if row.proofs is not None
        # Stored before proofs were kept per identifier (0010): read from its timeline.
        else proofs_from_timeline(identity, row.channel, entries)
    )
    return RightsRequest(
        id=row.id,
        kind=RequestKind(row.kind),
        identity=identity,
        channel=row.channel,
        received_at=_at(row.received_at),
        country=row.country,
        due=row.due,
        extended_due=row.extended_due,
        state=RequestState(row.state),
        text=row.request_text,
        details=RequestDetails.from_json(json.loads(row.details)),
        extension=extension,
        death=death,
        result=json.loads(row.result) if row.result is not None else None,
        timeline=entries,
        proofs=proofs,
    )


def _values(request: RightsRequest, now: datetime) -> dict[str, Any]:
    return {
        "kind": request.kind.value,
        "state": request.state.value,
        "identity": _json(dict(request.identity)),
        "channel": request.channel,
        "received_at": request.received_at,
        "country": request.country,
        "due": request.due,
        "extended_due": request.extended_due,
        "extended_at": request.extension.decided_at if request.extension else None,
        "extended_by": request.extension.decided_by if request.extension else None,
        "extension_reason": request.extension.reason if request.extension else None,
        "died_on": request.death.died_on if request.death else None,
        "death_declared_at": request.death.declared_at if request.death else None,
        "death_declared_by": request.death.declared_by if request.death else None,
        "request_text": request.text,
        "details": _json(request.details.as_json()),
        "result": _json(dict(request.result)) if request.result is not None else None,
        "proofs": _json({kind: p.as_json() for kind, p in sorted(request.proofs.items())}),
        "updated_at": now,
    }


def _audit_details(
    conn: Connection, request: RightsRequest, entry: TimelineEntry
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "kind": request.kind.value,
        "from": entry.from_state.value if entry.from_state else None,
        "to": entry.to_state.value,
        "reason": entry.reason,
        **dict(entry.details),
    }
    if entry.details.get("searched_with"):
        # The trail outlives the request: what it was searched with only as keyed digests
        # (issue 10 §3), as the identity of a submission below.
        key = keys_of(conn).subject
        details["searched_with"] = [
            {**s, "value": key.digest(s["identifier"], s["value"])[:16]}
            for s in entry.details["searched_with"]
        ]
    if entry.action is Action.SUBMIT:
        key = keys_of(conn).subject
        details["identity"] = identity_digests(request.identity, key)
        if request.details.fields:  # Art. 16: which fields, and their new values only hashed
            details["fields"] = {
                name: key.digest(name, value)[:16]
                for name, value in sorted(request.details.fields.items())
            }
    if entry.action in (Action.COMPLETE, Action.PARTIALLY_REFUSE) and request.result is not None:
        details["result_digest"] = digest(dict(request.result))
    return details


def _transition_row(request: RightsRequest, position: int, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "position": position,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action.value,
        "from_state": entry.from_state.value if entry.from_state else None,
        "to_state": entry.to_state.value,
        "reason": entry.reason,
        "details": _json(dict(entry.details)),
    }


def _write_entries(
    conn: Connection,
    clock: Clock,
    request: RightsRequest,
    start: int,
) -> None:
    for position, entry in enumerate(request.timeline[start:], start=start):
        conn.execute(request_transition.insert(), _transition_row(request, position, entry))
        audit.append(
            conn,
            clock,
            NewEvent(
                entry.actor,
                f"request.{entry.action.value}",
                f"request:{request.id}",
                _audit_details(conn, request, entry),
            ),
        )


# --- connection-level operations (the caller holds the transaction) ----------------------


def insert(conn: Connection, clock: Clock, request: RightsRequest) -> None:
    now = clock.now()
    conn.execute(
        rights_request.insert().values(id=request.id, created_at=now, **_values(request, now))
    )
    _write_entries(conn, clock, request, 0)


def load(conn: Connection, request_id: str, *, lock: bool = False) -> RightsRequest:
    """The request with its timeline; ``lock`` holds its row until the transaction ends."""
    query = sa.select(rights_request).where(rights_request.c.id == request_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise RequestNotFound(request_id)
    entries = conn.execute(
        sa.select(request_transition)
        .where(request_transition.c.request_id == request_id)
        .order_by(request_transition.c.position)
    )
    return _request(row, (_entry(e) for e in entries))


def load_many(
    conn: Connection, request_ids: list[str], *, lock: bool = False
) -> dict[str, RightsRequest]:
    """Several requests with their timelines, in two queries per chunk; unknown ids are absent."""
    found: dict[str, RightsRequest] = {}
    for first in range(0, len(request_ids), 500):
        chunk = request_ids[first : first + 500]
        query = sa.select(rights_request).where(rights_request.c.id.in_(chunk))
        if lock:
            query = query.with_for_update()
        rows = {row.id: row for row in conn.execute(query)}
        timelines: dict[str, list[TimelineEntry]] = {rid: [] for rid in rows}
        for entry in conn.execute(
            sa.select(request_transition)
            .where(request_transition.c.request_id.in_(list(rows)))
            .order_by(request_transition.c.request_id, request_transition.c.position)
        ):
            timelines[entry.request_id].append(_entry(entry))
        found.update({rid: _request(row, timelines[rid]) for rid, row in rows.items()})
    return found


def save_many(
    conn: Connection, clock: Clock, changes: list[tuple[RightsRequest, RightsRequest]]
) -> None:
    """``save`` for several requests at once: one statement per table, one chain append."""
    if not changes:
        return
    now = clock.now()
    for before, after in changes:
        if after.id != before.id or after.timeline[: len(before.timeline)] != before.timeline:
            raise ValueError("a request's timeline only grows")
    conn.execute(
        _UPDATE_REQUEST, [{**_values(after, now), "request_key": after.id} for _, after in changes]
    )
    transitions, events = [], []
    for before, after in changes:
        for position, entry in enumerate(
            after.timeline[len(before.timeline) :], start=len(before.timeline)
        ):
            transitions.append(_transition_row(after, position, entry))
            events.append(
                NewEvent(
                    entry.actor,
                    f"request.{entry.action.value}",
                    f"request:{after.id}",
                    _audit_details(conn, after, entry),
                )
            )
    if transitions:
        conn.execute(request_transition.insert(), transitions)
    audit.append_many(conn, clock, events)


_UPDATE_REQUEST = rights_request.update().where(rights_request.c.id == sa.bindparam("request_key"))


def save(conn: Connection, clock: Clock, before: RightsRequest, after: RightsRequest) -> None:
    """Write ``after`` over ``before``: its row, its new timeline entries and their audit events."""
    if after.id != before.id or after.timeline[: len(before.timeline)] != before.timeline:
        raise ValueError("a request's timeline only grows")
    # Parameters rather than .values(): the statement compiles once and is cached.
    conn.execute(_UPDATE_REQUEST, {**_values(after, clock.now()), "request_key": after.id})
    _write_entries(conn, clock, after, len(before.timeline))


def add_code(conn: Connection, record: OneTimeCode) -> None:
    """Store a new code; every earlier live code of the request is superseded."""
    conn.execute(
        request_code.update()
        .where(
            request_code.c.request_id == record.request_id,
            request_code.c.used_at.is_(None),
            request_code.c.superseded_at.is_(None),
        )
        .values(superseded_at=record.issued_at)
    )
    conn.execute(
        request_code.insert().values(
            id=record.id,
            request_id=record.request_id,
            channel=record.channel,
            code_hash=record.code_hash,
            issued_at=record.issued_at,
            expires_at=record.expires_at,
            attempts=record.attempts,
        )
    )


def latest_code(conn: Connection, request_id: str) -> OneTimeCode | None:
    row = conn.execute(
        sa.select(request_code)
        .where(request_code.c.request_id == request_id)
        # The live code first: two codes may share an instant (a fixed clock, a fast resend).
        .order_by(
            sa.case((request_code.c.superseded_at.is_(None), 0), else_=1),
            request_code.c.issued_at.desc(),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    return OneTimeCode(
        id=row.id,
        request_id=row.request_id,
        channel=row.channel,
        code_hash=row.code_hash,
        issued_at=_at(row.issued_at),
        expires_at=_at(row.expires_at),
        attempts=row.attempts,
        used_at=_aware(row.used_at),
        superseded_at=_aware(row.superseded_at),
    )


def update_code(conn: Connection, record: OneTimeCode) -> None:
    conn.execute(
        request_code.update()
        .where(request_code.c.id == record.id)
        .values(attempts=record.attempts, used_at=record.used_at)
    )


# --- engine-level operations --------------------------------------------------------------


def create(engine: Engine, clock: Clock, request: RightsRequest) -> RightsRequest:
    with engine.begin() as conn:
        insert(conn, clock, request)
    return request


def get(engine: Engine, request_id: str) -> RightsRequest:
    with engine.connect() as conn:
        return load(conn, request_id)


@dataclass(frozen=True)
class RequestFilter:
    state: RequestState | None = None
    kind: RequestKind | None = None
    overdue_at: datetime | None = None
    """Only open requests whose deadline in force ended before this instant's day."""
    due_before: date | None = None
    """Only requests whose deadline in force is before this day."""


def _answer_by() -> sa.ColumnElement[Any]:
    # The deadline in force: the extended one once an extension was decided (Art. 12(3)).
    return sa.case(
        (rights_request.c.extended_at.is_not(None), rights_request.c.extended_due),
        else_=rights_request.c.due,
    )


def list_requests(engine: Engine, where: RequestFilter | None = None) -> list[RightsRequest]:
    """Requests matching ``where``, by deadline in force (none last), then receipt."""
    where = where or RequestFilter()
    answer_by = _answer_by()
    query = sa.select(rights_request)
    if where.state is not None:
        query = query.where(rights_request.c.state == where.state.value)
    if where.kind is not None:
        query = query.where(rights_request.c.kind == where.kind.value)
    if where.overdue_at is not None:
        query = query.where(
            rights_request.c.state.not_in([s.value for s in TERMINAL_STATES]),
            answer_by < where.overdue_at.astimezone(UTC).date(),
        )
    if where.due_before is not None:
        query = query.where(answer_by < where.due_before)
    query = query.order_by(
        sa.case((answer_by.is_(None), 1), else_=0),
        answer_by,
        rights_request.c.received_at,
        rights_request.c.id,
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        timelines: dict[str, list[TimelineEntry]] = {row.id: [] for row in rows}
        ids = list(timelines)
        # One query per chunk of ids, not one per request.
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for entry in conn.execute(
                sa.select(request_transition)
                .where(request_transition.c.request_id.in_(chunk))
                .order_by(request_transition.c.request_id, request_transition.c.position)
            ):
                timelines[entry.request_id].append(_entry(entry))
    return [_request(row, timelines[row.id]) for row in rows]
