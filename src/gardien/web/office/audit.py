"""``/office/audit``: the chain's verification and the trail's events, newest first, a page at a
time, filtered by action; thin over ``gardien.jobs.audit``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gardien.jobs import audit as trail
from gardien.server.permissions import Permission as P
from gardien.web.office.pages import OfficeRoute, context, page
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: str


def _details(data: Any) -> str:
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
    verification = trail.verify(ctx.engine, ctx.settings.anchoring)
    number = int(page_number) if page_number.isdigit() else 1
    found = trail.page(ctx.engine, action=action, number=number)
    events = [
        EventRow(e.seq, e.at, e.actor, e.action, e.target, _details(e.details))
        for e in found.events
    ]
    return page(
        request,
        staff,
        "office/audit.html",
        {
            "verification": verification,
            "events": events,
            "action": found.action,
            "page": found.number,
            "pages": found.pages,
        },
        title=TEXTS["audit_title"],
    )
