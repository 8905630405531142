"""``/office/holds``: the legal holds, placed and released from the page (R-RET-05); thin over
``gardien.jobs.holds``, where their validation lives (the same words as the CLI and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.errors import GardienError
from gardien.holds.model import LegalHold
from gardien.jobs import holds as hold_jobs
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)


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


def _hold_row(hold: LegalHold, now: datetime, zone: str) -> HoldRow:
    if hold.released_at is None:
        status, css = TEXTS["in_force"], "warn"
    elif hold.in_force(now, zone):
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
    zone = ctx.registry.controller.zone
    rows = [_hold_row(h, now, zone) for h in reversed(hold_jobs.all_holds(ctx.engine))]
    blank = {"kind": "", "value": "", "table": "", "keys": "", "reason": "", "case": ""}
    return page(
        request,
        staff,
        "office/holds.html",
        {
            "holds": rows,
            "kinds": hold_jobs.identity_kinds(ctx.registry),
            "tables": hold_jobs.holdable_tables(ctx.registry),
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
        system, _, name = table.partition(".")
        hold_jobs.place(
            ctx.engine,
            ctx.clock,
            ctx.registry,
            actor=staff.actor,
            reason=reason,
            case=case,
            person=(kind, value) if value.strip() else None,
            rows=hold_jobs.HeldRows.of(system, name, keys.split(","))
            if table or keys.strip()
            else None,
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
        ends = hold_jobs.parse_appeal_end(appeal_ends)
        hold_jobs.release(ctx.engine, ctx.clock, hold_id, actor=staff.actor, appeal_ends=ends)
    except GardienError as exc:
        return _holds(request, staff, error=str(exc), status_code=status_of(exc))
    return redirect(request, "/office/holds", flash=("ok", TEXTS["released_ok"]))
