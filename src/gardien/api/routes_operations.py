"""``/api/v1/retention``, ``/holds``, ``/audit``, ``/archive``: the DPO's and the auditor's
operations (R-RET-05, R-RET-08, the audit trail); thin over jobs.*."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from gardien.api.deps import context, require
from gardien.api.models import (
    ArchiveRead,
    AuditEventOut,
    AuditVerificationOut,
    HoldOut,
    HoldPlace,
    HoldRelease,
    RetentionActionOut,
    RetentionPlanWithReviewsOut,
    RetentionReviewOut,
    RetentionRunOut,
    RetentionRunRecord,
    RetentionRunStart,
)
from gardien.errors import UsageError
from gardien.holds.model import LegalHold
from gardien.jobs import archive, holds
from gardien.jobs import audit as trail
from gardien.jobs import retention as job
from gardien.retention.policy import TableAction
from gardien.server.auth import Principal
from gardien.server.context import Context
from gardien.server.permissions import Permission as P
from gardien.store import journal

router = APIRouter()
Ctx = Annotated[Context, Depends(context)]


# --- retention ------------------------------------------------------------------------------


def _action(action: TableAction, rows: int, held: int) -> RetentionActionOut:
    return RetentionActionOut(
        system=action.system, table=action.table, stage=action.stage.value,
        action=action.kind.value, rows=rows, held=held,
    )  # fmt: skip


def _totals(actions: list[RetentionActionOut]) -> dict[str, int]:
    totals: dict[str, int] = {"rows": 0, "held": 0}
    for a in actions:
        totals[a.action] = totals.get(a.action, 0) + a.rows
        totals["rows"] += a.rows
        totals["held"] += a.held
    return totals


# A plan subtracts the registry's durations from ``now`` on the calendar: an instant such as
# year 1 or 9999 overflows Python's dates (found by schemathesis: a 500). No retention question
# (R-RET-05) is asked as at a date outside these years.
PLAN_YEARS = range(1900, 3000)


@router.get("/retention/plan", response_model=RetentionPlanWithReviewsOut, tags=["retention"])
def retention_plan(
    ctx: Ctx,
    _: Annotated[Principal, Depends(require(P.RETENTION_READ))],
    now: Annotated[
        datetime | None,
        Query(description="Plan as at this instant (years 1900 to 2999)."),
    ] = None,
) -> RetentionPlanWithReviewsOut:
    """What a run would do: rows to archive, delete or anonymise per table, and rows held."""
    if now is not None and now.year not in PLAN_YEARS:
        raise UsageError(
            f"now={now.isoformat()}: plan as at an instant between the years "
            f"{PLAN_YEARS.start} and {PLAN_YEARS.stop - 1}"
        )
    connectors = ctx.connectors()
    plan, counted = job.plan(ctx.registry, ctx.engine, now or ctx.clock.now(), connectors)
    actions = [_action(p.action, p.rows, p.held) for p in counted]
    reviews = [
        RetentionReviewOut(
            system=r.system,
            table=r.table,
            rows=r.rows,
            first_keys=list(r.first_keys),
            reasons=list(r.reasons),
        )
        for r in job.under_review(plan, connectors)
    ]
    return RetentionPlanWithReviewsOut(
        now=plan.now, actions=actions, totals=_totals(actions), under_review=reviews
    )


@router.post("/retention/runs", response_model=RetentionRunOut, tags=["retention"])
async def retention_run(
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.RETENTION_RUN))],
    body: RetentionRunStart | None = None,
) -> RetentionRunOut:
    """Run retention now, in this request (resumes an interrupted run first)."""
    outcome = await run_in_threadpool(
        job.run,
        ctx.registry,
        ctx.engine,
        ctx.clock,
        ctx.clock.now(),
        actor=who.actor,
        fresh=bool(body and body.fresh),
        connectors=ctx.connectors(),
        anchoring=ctx.settings.anchoring,
    )
    actions = [_action(r.action, r.rows, r.held) for r in outcome.report.results]
    return RetentionRunOut(
        run=outcome.report.run_id,
        resumed=outcome.resumed,
        now=outcome.report.now,
        actions=actions,
        totals=_totals(actions),
    )


@router.get("/retention/runs", response_model=list[RetentionRunRecord], tags=["retention"])
def retention_runs(
    ctx: Ctx,
    _: Annotated[Principal, Depends(require(P.RETENTION_READ))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> list[RetentionRunRecord]:
    """Past retention runs, newest first."""
    return [
        RetentionRunRecord(
            id=r.id,
            now=r.now,
            status=r.status,
            started_at=r.started_at,
            finished_at=r.finished_at,
            actor=r.actor,
            error=r.error,
        )
        for r in journal.runs(ctx.engine, limit)
    ]


# --- legal holds ----------------------------------------------------------------------------


def _hold(hold: LegalHold) -> HoldOut:
    return HoldOut(
        id=hold.id, covers=hold.describe(), reason=hold.reason, case=hold.case,
        placed_at=hold.placed_at, placed_by=hold.placed_by, released_at=hold.released_at,
        appeal_ends=hold.appeal_ends,
        also_covers=[
            {"identifier": p.kind, "value": p.value, "found_in": list(p.found_in)}
            for p in hold.pivoted
        ],
    )  # fmt: skip


@router.get("/holds", response_model=list[HoldOut], tags=["holds"])
def list_holds(ctx: Ctx, _: Annotated[Principal, Depends(require(P.HOLDS_READ))]) -> list[HoldOut]:
    """Every legal hold, in force or released."""
    return [_hold(h) for h in holds.all_holds(ctx.engine)]


@router.post("/holds", status_code=201, response_model=HoldOut, tags=["holds"])
def place_hold(
    body: HoldPlace, ctx: Ctx, who: Annotated[Principal, Depends(require(P.HOLDS_WRITE))]
) -> HoldOut:
    """Hold a person (``subject``) or rows (``system``, ``table``, ``keys``): never archived,
    anonymised or deleted while the hold is in force (R-RET-05)."""
    person = None
    if body.subject is not None:
        if len(body.subject) != 1:
            raise UsageError(
                'subject: give one identifier, e.g. {"phone": "+33612345678"}', field="subject"
            )
        ((kind, value),) = body.subject.items()
        person = (kind, value)
    rows = None
    if body.system or body.table or body.keys:
        rows = holds.HeldRows.of(body.system or "", body.table or "", body.keys or [])
    hold = holds.place(
        ctx.engine, ctx.clock, ctx.registry, actor=who.actor, reason=body.reason,
        case=body.case, person=person, rows=rows,
        systems=ctx.connectors() if body.their_identifiers and person else None,
    )  # fmt: skip
    return _hold(hold)


@router.post("/holds/{hold_id}/release", response_model=HoldOut, tags=["holds"])
def release_hold(
    hold_id: str,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.HOLDS_WRITE))],
    body: HoldRelease | None = None,
) -> HoldOut:
    """Release a hold; with ``appeal_ends`` the data stays protected until that date."""
    hold = holds.release(
        ctx.engine,
        ctx.clock,
        hold_id,
        actor=who.actor,
        appeal_ends=body.appeal_ends if body else None,
    )
    return _hold(hold)


# --- audit trail and archive ----------------------------------------------------------------


@router.get("/audit/events", response_model=list[AuditEventOut], tags=["audit"])
def audit_events(
    ctx: Ctx,
    _: Annotated[Principal, Depends(require(P.AUDIT_READ))],
    action: Annotated[
        str | None, Query(description="Matched literally; '*' is a wildcard: 'hold.*'.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditEventOut]:
    """Audit events, oldest first."""
    return [
        AuditEventOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            details=dict(e.details),
            hash=e.hash,
        )
        for e in trail.events(ctx.engine, action=action, limit=limit)
    ]


@router.get("/audit/verify", response_model=AuditVerificationOut, tags=["audit"])
def audit_verify(
    ctx: Ctx, _: Annotated[Principal, Depends(require(P.AUDIT_READ))]
) -> AuditVerificationOut:
    """Check the keyed chain against the anchors; ``ok`` false names the first altered,
    removed, reordered or forged event, or the events removed since the last anchor."""
    result = trail.verify(ctx.engine, ctx.settings.anchoring)
    return AuditVerificationOut(
        ok=result.ok,
        events=result.events,
        first_bad_seq=result.first_bad_seq,
        reason=result.reason,
        legacy_events=result.legacy_events,
        anchored_seq=result.anchor.seq if result.anchor else None,
        anchored_at=result.anchor.at if result.anchor else None,
    )


@router.post("/archive/read", response_model=list[dict[str, Any]], tags=["audit"])
def archive_read(
    body: ArchiveRead, ctx: Ctx, who: Annotated[Principal, Depends(require(P.ARCHIVE_READ))]
) -> list[dict[str, Any]]:
    """Read archived rows for a stated reason; the read is audited with the caller (R-RET-08)."""
    ((kind, value),) = body.where.items()
    found = archive.read(
        ctx.registry, ctx.engine, ctx.clock, system=body.system, table=body.table,
        where=(kind, value), reason=body.reason, actor=who.actor, connectors=ctx.connectors(),
    )  # fmt: skip
    return [{k: _jsonable(v) for k, v in row.items()} for row in found.rows]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
