"""``/office/retention``: what a retention run would do now, past runs, and a run started from
the page (R-RET-01…09); thin over ``gardien.jobs.retention``, like the API's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.errors import GardienError
from gardien.jobs import retention as job
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.store import journal
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)


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
    reviews: list[job.UnderReview] = []
    try:
        retention_plan, counted = job.plan(ctx.registry, ctx.engine, now, ctx.connectors())
        reviews = job.under_review(retention_plan, ctx.connectors())
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
            "reviews": reviews,
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
            anchoring=ctx.settings.anchoring,
        )
    except GardienError as exc:
        return _retention(request, staff, error=str(exc), status_code=status_of(exc))
    message = TEXTS["retention_done"].format(
        run=outcome.report.run_id[:8],
        rows=f"{outcome.report.total_rows:,}",
        held=sum(r.held for r in outcome.report.results),
    )
    return redirect(request, "/office/retention", flash=("ok", message))
