"""``/office/retention``, ``/office/holds`` and ``/office/audit``: the DPO's and the auditor's
operations (R-RET-05, the audit trail); thin over ``gardien.jobs`` and the store, like
``gardien.api.routes_operations``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from gardien.api.errors import status_of
from gardien.api.permissions import Permission as P
from gardien.errors import GardienError, UsageError
from gardien.holds.model import LegalHold
from gardien.identity import normalise
from gardien.jobs import retention as job
from gardien.store import audit as trail
from gardien.store import holds as hold_book
from gardien.store import journal
from gardien.store.schema import audit_event
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)

EVENTS_PER_PAGE = 50


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    system: str
    table: str
    stage: str
    action: str
    rows: int
    held: int


@dataclass(frozen=True)
class RunRow:
    id: str
    now: datetime
    status: str
    started_at: datetime
    finished_at: datetime | None
    actor: str
    error: str | None
    counts: str


def _run_counts(engine: sa.Engine, run_id: str) -> str:
    """Rows changed per action in a run, from its journal's steps."""
    totals: dict[str, int] = {}
    held = 0
    for step in journal.steps_of(engine, run_id):
        action = str(step["action"])
        totals[action] = totals.get(action, 0) + int(step["rows_done"] or 0)
        held += int(step["held"] or 0)
    shown = [f"{action}: {rows:,}" for action, rows in totals.items()]
    if held:
        shown.append(f"{TEXTS['held'].lower()}: {held:,}")
    return ", ".join(shown) or "—"


@router.get("/retention")
def retention(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.RETENTION_READ))],
) -> Response:
    return _retention(request, staff)


def _retention(
    request: Request, staff: Staff, *, error: str | None = None, status_code: int = 200
) -> Response:
    ctx = context(request)
    now = ctx.clock.now()
    plan_rows: list[PlanRow] = []
    plan_error = None
    try:
        _, counted = job.plan(ctx.registry, ctx.engine, now, ctx.connectors())
    except GardienError as exc:  # a system unreachable or changed: the page still shows runs
        plan_error = TEXTS["systems_down"].format(error=exc)
    else:
        plan_rows = [
            PlanRow(
                p.action.system,
                p.action.table,
                p.action.stage.value,
                p.action.kind.value,
                p.rows,
                p.held,
            )
            for p in counted
        ]
    totals: dict[str, int] = {}
    for row in plan_rows:
        totals[row.action] = totals.get(row.action, 0) + row.rows
    runs = [
        RunRow(
            r.id,
            r.now,
            r.status,
            r.started_at,
            r.finished_at,
            r.actor,
            r.error,
            _run_counts(ctx.engine, r.id),
        )
        for r in journal.runs(ctx.engine, 20)
    ]
    return page(
        request,
        staff,
        "office/retention.html",
        {
            "now": now,
            "plan": plan_rows,
            "plan_error": plan_error,
            "totals": totals,
            "total_rows": sum(r.rows for r in plan_rows),
            "total_held": sum(r.held for r in plan_rows),
            "runs": runs,
        },
        title=TEXTS["retention_title"],
        error=error,
        status_code=status_code,
    )


@router.post("/retention/run")
def retention_run(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.RETENTION_RUN))],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Run retention now, in this request (resumes an interrupted run first), audited."""
    check_form(request, csrf_token)
    ctx = context(request)
    try:
        outcome = job.run(
            ctx.registry,
            ctx.engine,
            ctx.clock,
            ctx.clock.now(),
            actor=staff.actor,
            connectors=ctx.connectors(),
        )
    except GardienError as exc:
        return _retention(request, staff, error=str(exc), status_code=status_of(exc))
    message = TEXTS["retention_done"].format(
        run=outcome.report.run_id[:8],
        rows=f"{outcome.report.total_rows:,}",
        held=sum(r.held for r in outcome.report.results),
    )
    return redirect(request, "/office/retention", flash=("ok", message))


# --- legal holds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldRow:
    id: str
    covers: str
    reason: str
    case: str
    placed_at: datetime
    placed_by: str
    status: str
    css: str
    releasable: bool


def _hold_row(hold: LegalHold, now: datetime) -> HoldRow:
    if hold.released_at is None:
        status, css = TEXTS["in_force"], "warn"
    elif hold.in_force(now):
        status, css = TEXTS["until"].format(date=hold.appeal_ends), "warn"
    else:
        status, css = f"{TEXTS['released']} {hold.released_at:%Y-%m-%d}", "ok"
    return HoldRow(
        hold.id,
        hold.describe(),
        hold.reason,
        hold.case or "—",
        hold.placed_at,
        hold.placed_by,
        status,
        css,
        hold.released_at is None,
    )


def _identity_kinds(staff_request: Request) -> list[str]:
    reg = context(staff_request).registry
    return sorted({k for s in reg.systems.values() for t in s.tables.values() for k in t.identity})


def _holdable_tables(request: Request) -> list[str]:
    """Tables a hold on rows may name: those with their own subject (a child follows its
    parent's rows, so the parent is held instead)."""
    reg = context(request).registry
    return sorted(
        f"{system_id}.{name}"
        for system_id, system in reg.systems.items()
        for name, table in system.tables.items()
        if table.subject is not None
    )


def _holds(
    request: Request,
    staff: Staff,
    *,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    ctx = context(request)
    now = ctx.clock.now()
    rows = [_hold_row(h, now) for h in reversed(hold_book.all_holds(ctx.engine))]
    blank = {"kind": "", "value": "", "table": "", "keys": "", "reason": "", "case": ""}
    return page(
        request,
        staff,
        "office/holds.html",
        {
            "holds": rows,
            "kinds": _identity_kinds(request),
            "tables": _holdable_tables(request),
            "form": {**blank, **(form or {})},
        },
        title=TEXTS["holds_title"],
        error=error,
        status_code=status_code,
    )


@router.get("/holds")
def holds(
    request: Request, staff: Annotated[Staff, Depends(office_user(P.HOLDS_READ))]
) -> Response:
    return _holds(request, staff)


@router.post("/holds")
def place_hold(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.HOLDS_WRITE))],
    kind: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    table: Annotated[str, Form()] = "",
    keys: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    case: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Hold a person (an identifier) or rows (a table and keys), R-RET-05."""
    check_form(request, csrf_token)
    ctx = context(request)
    typed = {
        "kind": kind,
        "value": value,
        "table": table,
        "keys": keys,
        "reason": reason,
        "case": case,
    }
    try:
        person = bool(value.strip())
        rows = bool(keys.strip()) or bool(table)
        if person and rows:
            raise UsageError(TEXTS["hold_one"])
        if not (person or rows):
            raise UsageError(TEXTS["hold_none"])
        identity = None
        row_keys = None
        if person:
            if kind not in _identity_kinds(request):
                raise UsageError(
                    f"choose the kind of identifier ({', '.join(_identity_kinds(request))})"
                )
            identity = (kind, normalise(kind, value))
        else:
            if table not in _holdable_tables(request):
                raise UsageError("choose the table whose rows to hold")
            listed = tuple(k.strip() for k in keys.split(",") if k.strip())
            if not listed:
                raise UsageError("give at least one key of the rows to hold")
            system, _, name = table.partition(".")
            row_keys = (system, name, listed)
        hold_book.place(
            ctx.engine,
            ctx.clock,
            actor=staff.actor,
            reason=reason.strip(),
            case=case.strip() or None,
            identity=identity,
            rows=row_keys,
        )
    except GardienError as exc:
        return _holds(request, staff, error=str(exc), status_code=status_of(exc), form=typed)
    return redirect(request, "/office/holds", flash=("ok", TEXTS["placed_ok"]))


@router.post("/holds/{hold_id}/release")
def release_hold(
    request: Request,
    hold_id: str,
    staff: Annotated[Staff, Depends(office_user(P.HOLDS_WRITE))],
    appeal_ends: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Release a hold; with an appeal end date the data stays protected until then."""
    check_form(request, csrf_token)
    ctx = context(request)
    try:
        ends = None
        if appeal_ends.strip():
            try:
                ends = date.fromisoformat(appeal_ends.strip())
            except ValueError:
                raise UsageError(
                    f"appeal period end {appeal_ends!r}: give a date as YYYY-MM-DD"
                ) from None
        hold_book.release(ctx.engine, ctx.clock, hold_id, actor=staff.actor, appeal_ends=ends)
    except GardienError as exc:
        return _holds(request, staff, error=str(exc), status_code=status_of(exc))
    return redirect(request, "/office/holds", flash=("ok", TEXTS["released_ok"]))


# --- the audit trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: str


def _details(text: str) -> str:
    data: Any = json.loads(text)
    shown = json.dumps(data, ensure_ascii=False, sort_keys=True) if data else ""
    return shown if len(shown) <= 240 else shown[:239] + "…"


@router.get("/audit")
def audit_page(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.AUDIT_READ))],
    action: str = "",
    page_number: Annotated[str, Query(alias="page")] = "1",
) -> Response:
    """The chain's verification and the latest events, newest first, a page at a time."""
    ctx = context(request)
    verification = trail.verify_trail(ctx.engine)
    action = action.strip()[:100]
    where = audit_event.c.action.like(action.replace("*", "%")) if action else sa.true()
    with ctx.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(audit_event).where(where))
        count = int(total.scalar_one())
        pages = max(1, math.ceil(count / EVENTS_PER_PAGE))
        number = min(max(1, int(page_number) if page_number.isdigit() else 1), pages)
        rows = conn.execute(
            sa.select(
                audit_event.c.seq,
                audit_event.c.at,
                audit_event.c.actor,
                audit_event.c.action,
                audit_event.c.target,
                audit_event.c.details,
            )
            .where(where)
            .order_by(audit_event.c.seq.desc())
            .limit(EVENTS_PER_PAGE)
            .offset((number - 1) * EVENTS_PER_PAGE)
        ).all()
    events = [
        EventRow(
            r.seq,
            r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            r.actor,
            r.action,
            r.target,
            _details(r.details),
        )
        for r in rows
    ]
    return page(
        request,
        staff,
        "office/audit.html",
        {
            "verification": verification,
            "events": events,
            "action": action,
            "page": number,
            "pages": pages,
        },
        title=TEXTS["audit_title"],
    )
