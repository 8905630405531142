"""``/office``: the request queue, by the deadline in force (Art. 12(3)), with overdue and
soon-due requests highlighted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.states import RequestState
from gardien.server.permissions import Permission as P
from gardien.web.office.pages import OfficeRoute, context, page
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import STATES, TEXTS, kind_label

router = APIRouter(prefix="/office", route_class=OfficeRoute)

router = APIRouter(prefix="/office", route_class=OfficeRoute)

PER_PAGE = 100
SOON_DAYS = 7


@dataclass(frozen=True)
class Badge:
    css: str
    text: str


@dataclass(frozen=True)
class QueueRow:
    id: str
    ref: str
    kind: str
    received_at: datetime
    answer_by: date | None
    state: str
    channel: str
    css: str
    badge: Badge | None


def urgency(request: RightsRequest, today: date) -> tuple[str, Badge | None]:
    """The row's class and badge: overdue (red), due within 7 days (yellow), else none."""
    if not request.state.is_open or request.answer_by is None:
        return "", None
    if request.overdue(today):
        return "overdue", Badge("bad", TEXTS["overdue"])
    days = (request.answer_by - today).days
    if days <= SOON_DAYS:
        if days == 0:
            text = TEXTS["due_today"]
        elif days == 1:
            text = TEXTS["due_in_one"]
        else:
            text = TEXTS["due_in"].format(days=days)
        return "due-soon", Badge("warn", text)
    return "", None


def masked_channel(request: RightsRequest) -> str:
    if request.channel is None or request.channel not in request.identity:
        return "—"
    return f"{request.channel}: {proof.mask(request.channel, request.identity[request.channel])}"


def _row(request: RightsRequest, today: date) -> QueueRow:
    css, badge = urgency(request, today)
    return QueueRow(
        id=request.id,
        ref=request.id[:8],
        kind=kind_label(request.kind),
        received_at=request.received_at,
        answer_by=request.answer_by,
        state=STATES[request.state],
        channel=masked_channel(request),
        css=css,
        badge=badge,
    )


def _choice(value: str, allowed: Mapping[str, Any]) -> str:
    return value if value in allowed else ""


@router.get("")
def queue(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_READ))],
    state: str = "",
    kind: str = "",
    page_number: Annotated[str, Query(alias="page")] = "1",
) -> Response:
    ctx = context(request)
    today = ctx.clock.now().date()
    states = {"open": TEXTS["open_only"], **{s.value: STATES[s] for s in RequestState}}
    kinds = {k.value: kind_label(k) for k in RequestKind}
    state, kind = _choice(state, states), _choice(kind, kinds)
    found = jobs.list_requests(
        ctx.engine,
        state=RequestState(state) if state and state != "open" else None,
        kind=RequestKind(kind) if kind else None,
    )
    if state == "open":
        found = [r for r in found if r.state.is_open]
    # Open first, each group by the deadline in force (the store's order, kept: sort is stable).
    found.sort(key=lambda r: not r.state.is_open)
    rows = [_row(r, today) for r in found]
    pages = max(1, math.ceil(len(rows) / PER_PAGE))
    number = min(max(1, int(page_number) if page_number.isdigit() else 1), pages)
    counts = TEXTS["counts"].format(
        open=sum(1 for r in found if r.state.is_open),
        overdue=sum(1 for r in rows if r.css == "overdue"),
        soon=sum(1 for r in rows if r.css == "due-soon"),
    )
    return page(
        request,
        staff,
        "office/queue.html",
        {
            "rows": rows[(number - 1) * PER_PAGE : number * PER_PAGE],
            "counts": counts,
            "states": states,
            "kinds": kinds,
            "state": state,
            "kind": kind,
            "page": number,
            "pages": pages,
        },
        title=TEXTS["queue_title"],
    )
