"""Requests that reach the DPO team outside the portal (R-RGT-12: the notices give an e-mail
and a postal address), recorded by an agent: ``/office/requests/new``; and a new one-time code
for a request that waits for its identity (``/office/requests/{id}/send-code``).

The date the letter or e-mail was received is the one Art. 12(3) counts from, not the day it
is typed in: the form asks for it (today by default) and the workflow refuses a future date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from gardien.errors import GardienError, UsageError
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.notify import NotificationError
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.web.forms import identity_fields
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import kind_label

router = APIRouter(prefix="/office", route_class=OfficeRoute)

WORDS = {
    "title": "Record a request",
    "lead": "A request received by letter, e-mail or telephone (R-RGT-12). The deadline "
    "(Art. 12(3)) runs from the day it was received.",
    "kind": "Kind of request",
    "received_on": "Received on",
    "received_hint": "The day the letter or e-mail arrived; today by default.",
    "identity": "Identifiers given by the person",
    "identity_hint": "At least one. A one-time code can be sent to an e-mail address or a "
    "phone number; otherwise verify the identity by attestation of a checked document.",
    "activity": "Activity aimed at (objection, consent withdrawal)",
    "any": "— none —",
    "fields": "Corrections (rectification)",
    "fields_hint": "One per line: column=right value (e.g. last_name=Martin).",
    "directive": "Post-mortem directive: the person's words",
    "trusted_party": "Post-mortem directive: trusted third party",
    "directive_action": "Post-mortem directive: what to do after the death",
    "text": "The request as received (free text)",
    "send_code": "Send a one-time code to the e-mail address or phone number given",
    "submit": "Record the request",
    "recorded": "Request recorded; answer by {due}.",
    "recorded_code": "Request recorded; answer by {due}. A code was sent to {to}.",
    "recorded_no_code": "Request recorded; answer by {due}. The code could not be sent "
    "({error}): send a new one from this page, or verify by attestation.",
    "bad_date": "Received on: give a date as YYYY-MM-DD.",
    "bad_field": "Corrections: each line must be column=value ({line!r} is not).",
    "code_sent": "A new code was sent to {to}; the previous one no longer works.",
    "code_failed": "The code could not be sent: {error}",
    "send_code_legend": "Send a new one-time code",
}


@dataclass
class Draft:
    """The form as typed, shown again when it is refused."""

    kind: str = RequestKind.ACCESS.value
    received_on: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    activity: str = ""
    fields: str = ""
    directive: str = ""
    trusted_party: str = ""
    directive_action: str = ""
    text: str = ""
    send_code: bool = True


def _form_page(
    request: Request, staff: Staff, draft: Draft, error: str | None = None, status: int = 200
) -> Response:
    registry = context(request).registry
    return page(
        request,
        staff,
        "office/new_request.html",
        {
            "w": WORDS,
            "draft": draft,
            "kinds": [(k.value, kind_label(k), k.article) for k in RequestKind],
            "identifiers": identity_fields(context(request).registry),
            "activities": sorted(registry.activities),
            "directive_actions": [a.value for a in DirectiveAction],
        },
        title=WORDS["title"],
        error=error,
        status_code=status,
    )


@router.get("/requests/new")
def new_request(
    request: Request, staff: Annotated[Staff, Depends(office_user(P.REQUESTS_CREATE))]
) -> Response:
    draft = Draft(received_on=context(request).clock.now().date().isoformat())
    return _form_page(request, staff, draft)


def _text(form: FormData, name: str, limit: int = 5000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _received_at(draft: Draft, now: datetime) -> datetime:
    try:
        day = date.fromisoformat(draft.received_on) if draft.received_on else now.date()
    except ValueError:
        raise UsageError(WORDS["bad_date"]) from None
    # Today: now (the deadline is the same and the timeline reads right); another day: its start.
    return now if day == now.date() else datetime.combine(day, time(), tzinfo=UTC)


def _fields(draft: Draft) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in draft.fields.splitlines():
        if not line.strip():
            continue
        column, sep, value = line.partition("=")
        if not sep or not column.strip():
            raise UsageError(WORDS["bad_field"].format(line=line.strip()))
        fields[column.strip()] = value.strip()
    return fields


@router.post("/requests/new")
async def record_request(
    request: Request, staff: Annotated[Staff, Depends(office_user(P.REQUESTS_CREATE))]
) -> Response:
    form = await request.form()
    check_form(request, _text(form, "csrf_token", 200))
    draft = Draft(
        kind=_text(form, "kind", 40),
        received_on=_text(form, "received_on", 20),
        identity={
            k: v
            for k in identity_fields(context(request).registry)
            if (v := _text(form, f"id_{k}", 254))
        },
        activity=_text(form, "activity", 100),
        fields=_text(form, "fields"),
        directive=_text(form, "directive"),
        trusted_party=_text(form, "trusted_party", 500),
        directive_action=_text(form, "directive_action", 20),
        text=_text(form, "text"),
        send_code=form.get("send_code") == "yes",
    )
    # The store, argon2 (the code's hash) and the notifier block: off the event loop.
    return await run_in_threadpool(_record, request, staff, draft)


def _record(request: Request, staff: Staff, draft: Draft) -> Response:
    ctx = context(request)
    try:
        kind = RequestKind.parse(draft.kind)
        details = RequestDetails(
            fields=_fields(draft) if kind is RequestKind.RECTIFICATION else {},
            activity=draft.activity or None,
            directive=draft.directive or None,
            trusted_third_party=draft.trusted_party or None,
            directive_action=(
                DirectiveAction.parse(draft.directive_action) if draft.directive_action else None
            ),
        )
        filed = filing.file_request(
            ctx.engine,
            ctx.clock,
            ctx.registry,
            actor=staff.actor,
            kind=kind,
            identity=draft.identity,
            notifier=ctx.notifier if draft.send_code else None,
            received_at=_received_at(draft, ctx.clock.now()),
            text=draft.text or None,
            details=details,
            systems=ctx.connectors() if details.fields else None,
        )
    except GardienError as exc:
        return _form_page(request, staff, draft, str(exc), status_of(exc))
    item = filed.request
    due = item.answer_by.isoformat() if item.answer_by else "—"
    message, kind_of_flash = WORDS["recorded"].format(due=due), "ok"
    if filed.code is not None:
        message = WORDS["recorded_code"].format(due=due, to=filed.code.to)
    elif filed.code_error is not None:
        error = filed.code_error
        message, kind_of_flash = WORDS["recorded_no_code"].format(due=due, error=error), "warn"
    return redirect(request, f"/office/requests/{item.id}", flash=(kind_of_flash, message))


def _send(request: Request, staff: Staff, request_id: str) -> proof.CodeDelivery:
    ctx = context(request)
    return proof.send_code(
        ctx.engine,
        ctx.clock,
        request_id,
        actor=staff.actor,
        notifier=ctx.notifier,
        controller=ctx.registry.controller.name,
    )


@router.post("/requests/{request_id}/send-code")
async def send_code(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_VERIFY))],
) -> Response:
    form = await request.form()
    check_form(request, _text(form, "csrf_token", 200))
    return await run_in_threadpool(_resend, request, staff, request_id)


def _resend(request: Request, staff: Staff, request_id: str) -> Response:
    jobs.show(context(request).engine, request_id)  # unknown: the 404 page
    try:
        delivery = _send(request, staff, request_id)
    except (NotificationError, GardienError) as exc:
        flash = ("error", WORDS["code_failed"].format(error=exc))
    else:
        flash = ("ok", WORDS["code_sent"].format(to=delivery.to))
    return redirect(request, f"/office/requests/{request_id}", flash=flash)
