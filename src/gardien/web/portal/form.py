"""The request form: the rights a person may exercise from the portal, and their filing.

Nothing is looked up in any system when a request is filed (R-RGT-11): the answer is the same
for a person the systems know and for one they do not."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gardien import identity as identifiers
from gardien.errors import GardienError
from gardien.jobs import filing
from gardien.publish.wording.base import pick
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails
from gardien.server.context import Context
from gardien.web.forms import identity_fields
from gardien.web.portal.common import (
    ACTOR,
    MAX_IDENTIFIER,
    MAX_TEXT,
    context,
    csrf_ok,
    field,
    language,
    limited,
    too_many,
)
from gardien.web.templating import render
from gardien.web.wording import (
    KINDS,
    PORTAL_KINDS,
    article,
    identifier_label,
    texts_for,
)

router = APIRouter(include_in_schema=False)
log = logging.getLogger("gardien.web")


@dataclass
class _Form:
    """What the person typed, echoed back when the form must be corrected."""

    kind: str = ""
    identity: Mapping[str, str] | None = None
    activity: str = ""
    text: str = ""
    corrections: Mapping[str, str] | None = None
    """Rectification (Art. 16): column → the value the person says is accurate."""


CORRECTION_ROWS = 3


def _correctable(ctx: Context, lang: str) -> list[tuple[str, str]]:
    """Columns a person may ask to correct, labelled by their data category (Art. 16)."""
    labels: dict[str, str] = {}
    for system in ctx.registry.systems.values():
        for table in system.tables.values():
            for column, category in table.columns.items():
                data = ctx.registry.data.get(category)
                label = pick(data.label, lang) if data else None
                name = column.replace("_", " ")
                labels.setdefault(column, f"{label} — {name}" if label else name)
    return sorted(labels.items(), key=lambda item: item[1].lower())


def _form_page(
    request: Request, lang: str, form: _Form, errors: list[str], status_code: int = 200
) -> HTMLResponse:
    ctx = context(request)
    activities = [
        (activity_id, pick(activity.purpose, lang) or activity_id)
        for activity_id, activity in ctx.registry.activities.items()
    ]
    return render(
        request,
        "portal/request.html",
        {
            "page": "request",
            "kinds": [(k.value, KINDS[lang][k], article(k, lang)) for k in PORTAL_KINDS],
            "identifiers": [(k, identifier_label(lang, k)) for k in identity_fields(ctx.registry)],
            "activities": activities,
            "correctable": _correctable(ctx, lang),
            "correction_rows": _correction_rows(form),
            "form": form,
            "values": dict(form.identity or {}),
            "errors": errors,
        },
        lang=lang,
        status_code=status_code,
    )


def _correction_rows(form: _Form) -> list[tuple[str, str]]:
    rows = list((form.corrections or {}).items())[:CORRECTION_ROWS]
    return rows + [("", "")] * (CORRECTION_ROWS - len(rows))


@router.get("/request", response_class=HTMLResponse)
async def request_form(request: Request) -> Response:
    ctx = context(request)
    lang = language(request, ctx)
    if limited(request, "pages"):
        return too_many(request, lang)
    kind = request.query_params.get("kind", "")
    return _form_page(request, lang, _Form(kind=kind), [])


def _check_submission(ctx: Context, lang: str, form: _Form) -> list[str]:
    """What is wrong with the form, in the person's language (empty when it can be filed)."""
    t = texts_for(lang)
    problems: list[str] = []
    if form.kind not in {k.value for k in PORTAL_KINDS}:
        problems.append(t["bad_kind"])
    identity = form.identity or {}
    if not identity:
        problems.append(t["need_identifier"])
    for kind, value in identity.items():
        try:
            identifiers.normalise(kind, value)
        except GardienError:
            problems.append(t["bad_identifier"].format(field=identifier_label(lang, kind)))
    if form.kind == RequestKind.RECTIFICATION.value and not form.corrections:
        problems.append(t["need_correction"])
    if (
        identity
        and ctx.registry.controller.identity_proof
        and not ({"email", "phone"} & set(identity))
    ):
        problems.append(t["need_channel"])
    return problems


@router.post("/request", response_class=HTMLResponse)
async def submit(request: Request) -> Response:
    ctx = context(request)
    lang = language(request, ctx)
    t = texts_for(lang)
    form_data = await request.form()
    form = _Form(
        kind=field(form_data, "kind", 40),
        identity={
            kind: value
            for kind in identity_fields(ctx.registry)
            if (value := field(form_data, f"id_{kind}", MAX_IDENTIFIER))
        },
        activity=field(form_data, "activity", 100),
        text=field(form_data, "text", MAX_TEXT),
        corrections=_corrections(ctx, form_data),
    )
    if not csrf_ok(request, form_data):
        return _form_page(request, lang, form, [t["csrf"]], 400)
    if limited(request, "submit"):
        return _form_page(request, lang, form, [t["too_many"]], 429)
    problems = _check_submission(ctx, lang, form)
    if problems:
        return _form_page(request, lang, form, problems, 422)
    activity = form.activity if form.activity in ctx.registry.activities else None
    try:
        secret, sent = await run_in_threadpool(_file_request, ctx, form, activity)
    except filing.FieldTooLong as exc:  # the person's own value: say which, in their words
        problem = t["too_long"].format(field=exc.name, length=exc.length, given=exc.given)
        return _form_page(request, lang, form, [problem], 422)
    except GardienError:
        # The checks above cover what a person can get wrong; anything else is ours to fix,
        # but the person still gets a page, not a traceback.
        log.exception("portal submission refused")
        return _form_page(request, lang, form, [t["error_title"]], 422)
    query = f"?lang={lang}" + ("&sent=1" if sent else "")
    return RedirectResponse(f"/status/{secret}{query}", status_code=303)


def _corrections(ctx: Context, form: FormData) -> dict[str, str]:
    known = filing.declared_columns(ctx.registry)
    corrections: dict[str, str] = {}
    for row in range(CORRECTION_ROWS):
        column = field(form, f"fix_field_{row}", 100)
        value = field(form, f"fix_value_{row}", 500)
        if column in known and value:
            corrections[column] = value
    return corrections


def _file_request(ctx: Context, form: _Form, activity: str | None) -> tuple[str, bool]:
    """Record the request, make its status link, send the code; (link secret, code sent)."""
    filed = filing.file_request(
        ctx.engine,
        ctx.clock,
        ctx.registry,
        actor=ACTOR,
        kind=RequestKind.parse(form.kind),
        identity=dict(form.identity or {}),
        notifier=ctx.notifier,
        text=form.text or None,
        details=RequestDetails(
            activity=activity,
            fields=dict(form.corrections or {})
            if form.kind == RequestKind.RECTIFICATION.value
            else {},
        ),
        status_link=True,
        systems=ctx.connectors() if form.corrections else None,
    )
    assert filed.status_link is not None
    return filed.status_link, filed.code is not None
