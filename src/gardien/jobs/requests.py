"""Use cases of the rights-request workflow: each loads the request, applies one workflow step,
and saves it with its audit event in one transaction.

Filing a request is ``jobs.filing``, proving the identity ``jobs.identity``. The execution
engine (locating the person, access packages, erasure…) is ``jobs.fulfil``: it calls
:func:`start_many`, executes, then :func:`complete_many` with a JSON-serialisable result per
system and table, which is stored with the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.errors import GardienError, UsageError
from gardien.requests import workflow as wf
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.states import Action, RequestState
from gardien.store import requests as book
from gardien.store.requests import RequestFilter

Outcome = Literal["completed", "partially_refused"]


def change(
    engine: Engine,
    clock: Clock,
    request_id: str,
    step: Callable[[RightsRequest], RightsRequest],
) -> RightsRequest:
    """Load the request (locked), apply ``step``, save it with its audit event, in one
    transaction."""
    with engine.begin() as conn:
        before = book.load(conn, request_id, lock=True)
        after = step(before)
        book.save(conn, clock, before, after)
    return after


# --- decisions ----------------------------------------------------------------------------


def extend(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Art. 12(3): extend by two months, with the reasons to tell the person, within the first month."""
    now = clock.now()
    return change(
        engine, clock, request_id, lambda r: wf.extend(r, now=now, actor=actor, reason=reason)
    )


def refuse(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Art. 12(5): refuse a manifestly unfounded or excessive request, with a written reason."""
    now = clock.now()
    return change(
        engine, clock, request_id, lambda r: wf.refuse(r, now=now, actor=actor, reason=reason)
    )


def cancel(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, reason: str
) -> RightsRequest:
    """Close a request withdrawn by the person (or a duplicate) before execution starts."""
    now = clock.now()
    return change(
        engine, clock, request_id, lambda r: wf.cancel(r, now=now, actor=actor, reason=reason)
    )


def declare_death(
    engine: Engine, clock: Clock, request_id: str, *, actor: str, died_on: date
) -> RightsRequest:
    """Loi 78-17 art. 85: record a death; the post-mortem directive becomes actionable."""
    now = clock.now()
    return change(
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
    return change(engine, clock, request_id, lambda r: wf.start(r, now=now, actor=actor))


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
    return change(
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
    engine: Engine,
    clock: Clock,
    request_ids: Sequence[str],
    *,
    actor: str,
    resume: bool = False,
) -> tuple[list[RightsRequest], dict[str, GardienError]]:
    """``start`` for a batch, in one transaction: the started requests, and why others are not.

    ``resume``: a request already ``in_progress`` is returned as it is, to be carried on, not
    refused. Only a request run holding the run lock may ask it (``gardien.jobs.fulfil``):
    holding it, no other run is alive, so an in-progress request was left by a run that died
    or met a system error, and its journal says what it did (issue 9 §4).
    """
    now = clock.now()
    started: list[RightsRequest] = []
    refused: dict[str, GardienError] = {}
    with engine.begin() as conn:
        loaded = book.load_many(conn, list(request_ids), lock=True)
        changes = []
        for request_id in dict.fromkeys(request_ids):  # a request named twice runs once
            before = loaded.get(request_id)
            if before is None:
                refused[request_id] = book.RequestNotFound(request_id)
                continue
            if resume and before.state is RequestState.IN_PROGRESS:
                started.append(before)
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
    details: Mapping[str, Any] = field(default_factory=dict)
    """Facts for the completion's timeline entry (what the request was searched with)."""


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
                details=item.details,
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
        # R-RGT-11: how each identifier was proven; the others are not searched by any right.
        "proofs": {kind: p.as_json() for kind, p in sorted(request.proofs.items())},
        "not_searched": sorted(request.scope.not_searched),
    }
    if timeline:
        data["timeline"] = [entry.as_json() for entry in request.timeline]
    return data
