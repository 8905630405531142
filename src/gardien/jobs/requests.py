"""Use cases of the rights-request workflow: each loads the request, applies one workflow step,
and saves it with its audit event in one transaction.

The execution engine (locating the person, access packages, erasure…) is not here: ``gardien
request run`` calls :func:`start`, executes, then :func:`complete` with a JSON-serialisable
result per system and table, which is stored with the request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.errors import GardienError, UsageError
from gardien.notify import Message, Notifier
from gardien.registry.model import Registry
from gardien.requests import verification
from gardien.requests import workflow as wf
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import Action, RequestState, next_state
from gardien.requests.verification import CodeOutcome
from gardien.store import audit
from gardien.store import requests as book
from gardien.store.requests import RequestFilter

Outcome = Literal["completed", "partially_refused"]


class NoCodeSent(GardienError):
    pass


# --- submission ---------------------------------------------------------------------------


def declared_columns(registry: Registry) -> set[str]:
    """Every column a table of the registry declares (what a rectification may name)."""
    return {c for s in registry.systems.values() for t in s.tables.values() for c in t.columns}


def declared_identity_kinds(registry: Registry) -> list[str]:
    return sorted(
        {k for s in registry.systems.values() for t in s.tables.values() for k in t.identity}
    )


def check_against_registry(
    registry: Registry, identity: Mapping[str, str], details: RequestDetails
) -> None:
    """Refuse what no declared system can act on: unknown identifier kinds, activities, fields."""
    kinds = declared_identity_kinds(registry)
    for kind in identity:
        if kind not in kinds:
            raise UsageError(
                f"identifier {kind!r}: no table of the registry declares it "
                f"(declared: {', '.join(kinds) or 'none'})"
            )
    if details.activity is not None and details.activity not in registry.activities:
        raise UsageError(
            f"activity {details.activity!r} is not in the registry "
            f"(activities: {', '.join(sorted(registry.activities))})"
        )
    columns = declared_columns(registry)
    for name in details.fields:
        if name not in columns:
            raise UsageError(
                f"field {name!r}: no table of the registry declares that column "
                f"(columns: {', '.join(sorted(columns))})"
            )


def submit(
    engine: Engine,
    clock: Clock,
    *,
    actor: str,
    kind: RequestKind,
    identity: Mapping[str, str],
    registry: Registry | None = None,
    country: str | None = None,
    received_at: datetime | None = None,
    channel: str | None = None,
    text: str | None = None,
    details: RequestDetails | None = None,
) -> RightsRequest:
    """Record a request received at ``received_at`` (default: now) and set its deadlines.

    With a ``registry``, identifiers, activity and fields are checked against it and the
    controller's country gives the public holidays; ``country`` overrides it (default FR).
    """
    now = clock.now()
    request = wf.new_request(
        request_id=str(uuid.uuid4()),
        kind=kind,
        identity=identity,
        received_at=received_at or now,
        now=now,
        actor=actor,
        country=country or (registry.controller.country if registry else "FR"),
        channel=channel,
        text=text,
        details=details,
    )
    if registry is not None:
        check_against_registry(registry, request.identity, request.details)
    return book.create(engine, clock, request)


# --- identity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeDelivery:
    channel: str
    to: str
    """The destination, masked (``j…@example.fr``, ``+33…78``): enough to recognise, not to copy."""
    expires_at: datetime
    where: str
    """Where the notifier put it (outbox file, SMTP server)."""


def mask(channel: str, value: str) -> str:
    if channel == "email":
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}…@{domain}"
    return f"{value[:3]}…{value[-2:]}"


def _code_message(
    request: RightsRequest, code: str, expires_at: datetime, controller: str, now: datetime
) -> Message:
    assert request.channel is not None
    minutes = int(verification.CODE_LIFETIME.total_seconds() // 60)
    body = (
        f"{controller} a reçu votre demande ({request.kind.label}, {request.kind.article}).\n"
        f"Pour confirmer votre identité, communiquez ce code : {code}\n"
        f"Il est valable {minutes} minutes et ne sert qu'une fois.\n"
        f"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n"
        f"{controller} received your request ({request.kind.label}).\n"
        f"To confirm your identity, give this code: {code}\n"
        f"It is valid for {minutes} minutes and can be used once.\n"
        f"If you did not make this request, ignore this message.\n\n"
        f"Reference: {request.id}\n"
        f"Valid until: {expires_at.isoformat(timespec='minutes')}\n"
    )
    return Message(
        channel=request.channel,
        to=request.identity[request.channel],
        subject=f"{controller} — code de vérification / verification code",
        body=body,
        at=now,
        reference=f"request:{request.id}",
    )


def send_code(
    engine: Engine,
    clock: Clock,
    request_id: str,
    *,
    actor: str,
    notifier: Notifier,
    controller: str = "gardien",
) -> CodeDelivery:
    """Send a new one-time code to the request's declared channel (R-RGT-11).

    The code is stored hashed, the previous one superseded, and the message handed to the
    notifier inside the same transaction: if delivery fails, nothing is recorded.
    """
    now = clock.now()
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        next_state(before.id, before.state, Action.SEND_CODE)
        if before.channel is None:
            raise wf.InvalidRequest(
                f"request {request_id} gives no e-mail or phone to send a code to: verify the "
                "identity by an agent's attestation of a checked document"
            )
        code, record = verification.issue(str(uuid.uuid4()), before.id, before.channel, now)
        after = wf.code_sent(before, now=now, actor=actor, expires_at=record.expires_at)
        book.add_code(conn, record)
        book.save(conn, clock, before, after)
        where = notifier.send(_code_message(after, code, record.expires_at, controller, now))
    return CodeDelivery(
        channel=before.channel,
        to=mask(before.channel, before.identity[before.channel]),
        expires_at=record.expires_at,
        where=where,
    )


def verify_code(
    engine: Engine, clock: Clock, request_id: str, code: str, *, actor: str
) -> RightsRequest:
    """Check the code the person gave; a wrong code uses an attempt, recorded even though refused."""
    now = clock.now()
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        next_state(before.id, before.state, Action.VERIFY)
        record = book.latest_code(conn, request_id)
        if record is None:
            raise NoCodeSent(
                f"no code was sent for request {request_id}: send one first, or verify the "
                "identity by an agent's attestation"
            )
        updated, outcome = verification.attempt(record, code, now)
        book.update_code(conn, updated)
        if outcome is CodeOutcome.ACCEPTED:
            after = wf.verified(before, now=now, actor=actor, method="code")
            book.save(conn, clock, before, after)
            return after
        audit.append(
            conn,
            clock,
            NewEvent(
                actor,
                "request.code_rejected",
                f"request:{request_id}",
                {"outcome": outcome.value, "attempts": updated.attempts},
            ),
        )
    raise verification.rejection(updated, outcome)


def _change(
    engine: Engine,
    clock: Clock,
    request_id: str,
    step: Callable[[RightsRequest], RightsRequest],
) -> RightsRequest:
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        after = step(before)
        book.save(conn, clock, before, after)
    return after


def attest(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, attestation: str
) -> RightsRequest:
    """An agent attests having checked a document (``passport checked by …``); recorded with their name."""
    now = clock.now()
    return _change(
        engine,
        clock,
        request_id,
        lambda r: wf.verified(
            r, now=now, actor=actor, method="attestation", attestation=attestation
        ),
    )


# --- decisions ----------------------------------------------------------------------------


def extend(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Art. 12(3): extend by two months, with the reasons to tell the person, within the first month."""
    now = clock.now()
    return _change(
        engine, clock, request_id, lambda r: wf.extend(r, now=now, actor=actor, reason=reason)
    )


def refuse(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Art. 12(5): refuse a manifestly unfounded or excessive request, with a written reason."""
    now = clock.now()
    return _change(
        engine, clock, request_id, lambda r: wf.refuse(r, now=now, actor=actor, reason=reason)
    )


def cancel(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Close a request withdrawn by the person (or a duplicate) before execution starts."""
    now = clock.now()
    return _change(
        engine, clock, request_id, lambda r: wf.cancel(r, now=now, actor=actor, reason=reason)
    )


def declare_death(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, died_on: date
) -> RightsRequest:
    """Loi 78-17 art. 85: record a death; the post-mortem directive becomes actionable."""
    now = clock.now()
    return _change(
        engine,
        clock,
        request_id,
        lambda r: wf.declare_death(r, now=now, actor=actor, died_on=died_on),
    )


def start(engine: Engine, clock: Clock, request_id: str, *, actor: str) -> RightsRequest:
    """verified → in_progress, before the execution engine runs.

    Raises :class:`~gardien.requests.states.UnverifiedIdentity` on an unverified identity and
    :class:`~gardien.requests.states.IllegalTransition` otherwise (e.g. a directive before a
    declared death); the request is unchanged then.
    """
    now = clock.now()
    return _change(engine, clock, request_id, lambda r: wf.start(r, now=now, actor=actor))


def complete(
    engine: Engine,
    clock: Clock,
    request_id: str,
    *,
    actor: str,
    result: Mapping[str, Any],
    outcome: Outcome = "completed",
    reasons: str | None = None,
) -> RightsRequest:
    """in_progress → completed, or partially_refused (then ``reasons`` is required, Art. 12(4)).

    ``result`` is what execution found and did, e.g. ``{"crm": {"customer": {"found": 1,
    "erased": 1}}}``; it must be JSON-serialisable and is stored with the request (its digest
    goes to the audit trail).
    """
    if outcome not in ("completed", "partially_refused"):
        raise UsageError(f"outcome {outcome!r}: completed or partially_refused")
    try:
        stored = json.loads(json.dumps(dict(result), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"a request's result must be JSON-serialisable: {exc}") from exc
    now = clock.now()
    return _change(
        engine,
        clock,
        request_id,
        lambda r: wf.complete(
            r,
            now=now,
            actor=actor,
            result=stored,
            partially_refused=outcome == "partially_refused",
            reasons=reasons,
        ),
    )


def start_many(
    engine: Engine, clock: Clock, request_ids: Sequence[str], *, actor: str
) -> tuple[list[RightsRequest], dict[str, GardienError]]:
    """``start`` for a batch, in one transaction: the started requests, and why others are not."""
    now = clock.now()
    started: list[RightsRequest] = []
    refused: dict[str, GardienError] = {}
    with engine.begin() as conn:
        loaded = book.load_many(conn, list(request_ids), lock=True)
        changes = []
        for request_id in request_ids:
            before = loaded.get(request_id)
            if before is None:
                refused[request_id] = book.RequestNotFound(request_id)
                continue
            try:
                after = wf.start(before, now=now, actor=actor)
            except GardienError as exc:
                refused[request_id] = exc
                continue
            changes.append((before, after))
            started.append(after)
        book.save_many(conn, clock, changes)
    return started, refused


@dataclass(frozen=True)
class Completion:
    request_id: str
    result: Mapping[str, Any]
    outcome: Outcome = "completed"
    reasons: str | None = None


def complete_many(
    engine: Engine, clock: Clock, completions: Sequence[Completion], *, actor: str
) -> list[RightsRequest]:
    """``complete`` for a batch of requests, in one transaction."""
    now = clock.now()
    with engine.begin() as conn:
        loaded = book.load_many(conn, [c.request_id for c in completions], lock=True)
        changes = []
        for item in completions:
            if item.request_id not in loaded:
                raise book.RequestNotFound(item.request_id)
            try:
                stored = json.loads(json.dumps(dict(item.result), allow_nan=False))
            except (TypeError, ValueError) as exc:
                raise UsageError(f"a request's result must be JSON-serialisable: {exc}") from exc
            before = loaded[item.request_id]
            after = wf.complete(
                before, now=now, actor=actor, result=stored,
                partially_refused=item.outcome == "partially_refused", reasons=item.reasons,
            )  # fmt: skip
            changes.append((before, after))
        book.save_many(conn, clock, changes)
    return [after for _, after in changes]


# --- reading ------------------------------------------------------------------------------


def show(engine: Engine, request_id: str) -> RightsRequest:
    return book.get(engine, request_id)


def list_requests(
    engine: Engine,
    *,
    state: RequestState | None = None,
    kind: RequestKind | None = None,
    overdue_at: datetime | None = None,
    due_before: date | None = None,
) -> list[RightsRequest]:
    """Requests by deadline in force (directives without one last)."""
    return book.list_requests(
        engine, RequestFilter(state=state, kind=kind, overdue_at=overdue_at, due_before=due_before)
    )


def identity_wait_seconds(request: RightsRequest, now: datetime) -> int | None:
    """How long the request waited (or has been waiting) for proof of identity."""
    for entry in request.timeline:
        if entry.action is Action.VERIFY:
            return int(entry.details.get("identity_wait_seconds", 0))
    if request.state is RequestState.AWAITING_IDENTITY:
        return max(0, int((now - wf.identity_wait_started(request)).total_seconds()))
    return None


def as_json(request: RightsRequest, now: datetime, *, timeline: bool = True) -> dict[str, Any]:
    """The documented JSON shape of a request (``gardien request show --json``)."""
    data: dict[str, Any] = {
        "id": request.id,
        "kind": request.kind.value,
        "article": request.kind.article,
        "state": request.state.value,
        "identity": dict(request.identity),
        "channel": request.channel,
        "received_at": request.received_at.isoformat(),
        "country": request.country,
        "due": request.due.isoformat() if request.due else None,
        "extended_due": request.extended_due.isoformat() if request.extended_due else None,
        "extended": request.extended,
        "extension_reason": request.extension.reason if request.extension else None,
        "answer_by": request.answer_by.isoformat() if request.answer_by else None,
        "overdue": request.overdue(now.date()),
        "identity_wait_seconds": identity_wait_seconds(request, now),
        "text": request.text,
        "details": request.details.as_json(),
        "death": (
            {
                "died_on": request.death.died_on.isoformat(),
                "declared_at": request.death.declared_at.isoformat(),
                "declared_by": request.death.declared_by,
            }
            if request.death
            else None
        ),
        "actionable": request.actionable,
        "result": dict(request.result) if request.result is not None else None,
    }
    if timeline:
        data["timeline"] = [entry.as_json() for entry in request.timeline]
    return data
