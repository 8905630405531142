"""``/office/consent``: may we use this person's data for this activity now? With the
suppression list (R-RGT-05) and restrictions (Art. 18) of that identity.

The look-up is posted (with its CSRF token), not sent as a query string: an identifier in a
URL would stay in the browser's history and in proxies' logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.consent.decision import Decision
from gardien.errors import GardienError, UsageError
from gardien.jobs import consent as desk
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.web.office.pages import OfficeRoute, check_form, context, page
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)


@dataclass(frozen=True)
class LookUp:
    decision: Decision
    suppressed_since: datetime | None
    restrictions: list[tuple[datetime, str]]


def _page(
    request: Request,
    staff: Staff,
    form: dict[str, str],
    found: LookUp | None = None,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    ctx = context(request)
    activities = {
        activity_id: activity.name.get("en") or next(iter(activity.name.values()), activity_id)
        for activity_id, activity in sorted(ctx.registry.activities.items())
    }
    return page(
        request,
        staff,
        "office/consent.html",
        {
            "kinds": desk.declared_identity_kinds(ctx.registry),
            "activities": activities,
            "form": form,
            "found": found,
        },
        title=TEXTS["consent_title"],
        error=error,
        status_code=status_code,
    )


@router.get("/consent")
def consent_form(
    request: Request, staff: Annotated[Staff, Depends(office_user(P.CONSENT_CHECK))]
) -> Response:
    return _page(request, staff, {"kind": "email", "value": "", "activity": ""})


@router.post("/consent")
def look_up(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(P.CONSENT_CHECK))],
    kind: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    activity: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    form = {"kind": kind, "value": value, "activity": activity}
    try:
        if not value.strip():
            raise UsageError("give the person's identifier")
        if "," in value or "=" in value:
            raise UsageError("give one identifier value (no ',' or '=')")
        subject = desk.subject_for(ctx.registry, f"{kind}={value.strip()}", ctx.key)
        answer = desk.look_up(ctx.reads, ctx.registry, subject, activity, ctx.clock.now())
        found = LookUp(
            answer.decision,
            answer.suppressed_since,
            [(r.at, r.reason or "") for r in answer.restrictions],
        )
    except GardienError as exc:
        return _page(request, staff, form, error=str(exc), status_code=status_of(exc))
    return _page(request, staff, form, found)
