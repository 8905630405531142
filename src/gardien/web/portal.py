"""The public rights portal (issue 5 §2): the notice, a form for every right, identity by
one-time code, a status page behind a secret link, and the answer package to download.

What protects it (issue 5 §2 "Abuse"):
- every form carries a CSRF token (``web.csrf``);
- each client address is rate limited per action (``web.ratelimit``);
- one-time codes are single-use, expire and allow a few attempts (``requests.verification``);
- the answer to a submission is the same whether or not the person is known to any system: the
  request is recorded and a code sent to the address the person typed, nothing is looked up
  before the identity is proved (R-RGT-11), so nothing leaks;
- the status link carries 256 random bits, is stored only as a digest and expires
  (``store.portal_links``); the package is downloadable for 30 days, each download audited.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gardien import identity as identifiers
from gardien.api.context import Context
from gardien.errors import GardienError
from gardien.jobs import requests as jobs
from gardien.notify import NotificationError, notifier_from_env
from gardien.publish.notice import build_notice
from gardien.publish.wording.base import pick
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import RequestState
from gardien.requests.verification import CodeOutcome, CodeRejected
from gardien.store import packages, portal_links
from gardien.web import csrf
from gardien.web.ratelimit import RateLimiter
from gardien.web.templating import csrf_key, render
from gardien.web.wording import (
    KINDS,
    LANGUAGES,
    PORTAL_KINDS,
    STATES,
    article,
    identifier_label,
    texts_for,
)

router = APIRouter(include_in_schema=False)
log = logging.getLogger("gardien.web")

ACTOR = "portal"
"""Who the audit trail names for what a person does on the portal (they are not yet known)."""

MAX_TEXT = 5_000
MAX_IDENTIFIER = 254  # the longest e-mail address RFC 5321 allows


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


def _language(request: Request, ctx: Context) -> str:
    offered = [lang for lang in ctx.registry.languages if lang in LANGUAGES] or ["fr"]
    asked = request.query_params.get("lang")
    if asked in offered:
        return str(asked)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in offered:
            return code
    return offered[0]


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request, action: str) -> bool:
    limiter: RateLimiter = request.app.state.rate_limiter
    return not limiter.allow(action, _address(request))


def _message_page(
    request: Request, lang: str, title: str, message: str, status_code: int
) -> HTMLResponse:
    return render(
        request,
        "portal/message.html",
        {"page": "message", "title": title, "message": message},
        lang=lang,
        status_code=status_code,
    )


def _too_many(request: Request, lang: str) -> HTMLResponse:
    t = texts_for(lang)
    return _message_page(request, lang, t["error_title"], t["too_many"], 429)


def _not_found(request: Request, lang: str) -> HTMLResponse:
    t = texts_for(lang)
    return _message_page(request, lang, t["not_found_title"], t["not_found"], 404)


def _csrf_ok(request: Request, form: FormData) -> bool:
    submitted = form.get(csrf.FIELD)
    try:
        csrf.check(
            request, submitted if isinstance(submitted, str) else None, csrf_key(_ctx(request))
        )
    except csrf.CsrfError:
        return False
    return True


def _field(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


# --- pages --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    ctx = _ctx(request)
    lang = _language(request, ctx)
    if _limited(request, "pages"):
        return _too_many(request, lang)
    return render(request, "portal/home.html", {"page": "home"}, lang=lang)


@router.get("/notice", response_class=HTMLResponse)
async def notice(request: Request) -> Response:
    ctx = _ctx(request)
    lang = _language(request, ctx)
    if _limited(request, "pages"):
        return _too_many(request, lang)
    document = build_notice(ctx.registry, lang)
    return render(request, "portal/notice.html", {"page": "notice", "doc": document}, lang=lang)


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


def _identity_kinds(ctx: Context) -> list[str]:
    """The identifiers the registry declares, e-mail and phone first (the code channels)."""
    declared = {
        k for s in ctx.registry.systems.values() for t in s.tables.values() for k in t.identity
    }
    first = [k for k in ("email", "phone") if k in declared]
    return first + sorted(declared - set(first))


def _form_page(
    request: Request, lang: str, form: _Form, errors: list[str], status_code: int = 200
) -> HTMLResponse:
    ctx = _ctx(request)
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
            "identifiers": [(k, identifier_label(lang, k)) for k in _identity_kinds(ctx)],
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
    ctx = _ctx(request)
    lang = _language(request, ctx)
    if _limited(request, "pages"):
        return _too_many(request, lang)
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
    ctx = _ctx(request)
    lang = _language(request, ctx)
    t = texts_for(lang)
    form_data = await request.form()
    form = _Form(
        kind=_field(form_data, "kind", 40),
        identity={
            kind: value
            for kind in _identity_kinds(ctx)
            if (value := _field(form_data, f"id_{kind}", MAX_IDENTIFIER))
        },
        activity=_field(form_data, "activity", 100),
        text=_field(form_data, "text", MAX_TEXT),
        corrections=_corrections(ctx, form_data),
    )
    if not _csrf_ok(request, form_data):
        return _form_page(request, lang, form, [t["csrf"]], 400)
    if _limited(request, "submit"):
        return _form_page(request, lang, form, [t["too_many"]], 429)
    problems = _check_submission(ctx, lang, form)
    if problems:
        return _form_page(request, lang, form, problems, 422)
    activity = form.activity if form.activity in ctx.registry.activities else None
    try:
        secret, sent = await run_in_threadpool(_file_request, ctx, form, activity)
    except GardienError:
        # The checks above cover what a person can get wrong; anything else is ours to fix,
        # but the person still gets a page, not a traceback.
        log.exception("portal submission refused")
        return _form_page(request, lang, form, [t["error_title"]], 422)
    query = f"?lang={lang}" + ("&sent=1" if sent else "")
    return RedirectResponse(f"/status/{secret}{query}", status_code=303)


def _corrections(ctx: Context, form: FormData) -> dict[str, str]:
    known = {c for s in ctx.registry.systems.values() for t in s.tables.values() for c in t.columns}
    corrections: dict[str, str] = {}
    for row in range(CORRECTION_ROWS):
        column = _field(form, f"fix_field_{row}", 100)
        value = _field(form, f"fix_value_{row}", 500)
        if column in known and value:
            corrections[column] = value
    return corrections


def _file_request(ctx: Context, form: _Form, activity: str | None) -> tuple[str, bool]:
    """Record the request, make its status link, send the code; (link secret, code sent)."""
    filed = jobs.submit(
        ctx.engine,
        ctx.clock,
        actor=ACTOR,
        kind=RequestKind.parse(form.kind),
        identity=dict(form.identity or {}),
        registry=ctx.registry,
        text=form.text or None,
        details=RequestDetails(
            activity=activity,
            fields=dict(form.corrections or {})
            if form.kind == RequestKind.RECTIFICATION.value
            else {},
        ),
    )
    with ctx.engine.begin() as conn:
        secret = portal_links.create(conn, ctx.clock, filed.id)
    return secret, _send_code(ctx, filed)


def _send_code(ctx: Context, filed: RightsRequest) -> bool:
    if filed.channel is None:
        return False
    try:
        jobs.send_code(
            ctx.engine,
            ctx.clock,
            filed.id,
            actor=ACTOR,
            notifier=notifier_from_env(),
            controller=ctx.registry.controller.name,
        )
    except NotificationError:
        return False
    return True


# --- the status page ----------------------------------------------------------------------


def _refusal_reason(filed: RightsRequest) -> str | None:
    for entry in reversed(filed.timeline):
        if entry.to_state is RequestState.REFUSED and entry.reason:
            return entry.reason
    return None


def _status_values(ctx: Context, lang: str, secret: str, filed: RightsRequest) -> dict[str, Any]:
    now = ctx.clock.now()
    return {
        "page": "status",
        "secret": secret,
        "filed": filed,
        "kind_label": KINDS[lang][filed.kind],
        "state_label": STATES[lang][filed.state],
        "awaiting": filed.state in (RequestState.RECEIVED, RequestState.AWAITING_IDENTITY),
        "open": filed.state.is_open,
        "masked_to": (
            jobs.mask(filed.channel, filed.identity[filed.channel]) if filed.channel else None
        ),
        "package_until": packages.available_until(ctx.engine, filed.id, now),
        "refusal": _refusal_reason(filed),
        "authority": ctx.registry.controller.authority,
        "authority_name": _authority_name(ctx, lang),
    }


def _authority_name(ctx: Context, lang: str) -> str | None:
    authority = ctx.registry.controller.authority
    if authority is None:
        return None
    full = pick(authority.full_name, lang)
    return f"{full} ({authority.name})" if full else authority.name


async def _open(request: Request, secret: str) -> tuple[Context, str, RightsRequest | None]:
    ctx = _ctx(request)
    lang = _language(request, ctx)
    request_id = await run_in_threadpool(portal_links.resolve, ctx.engine, secret, ctx.clock.now())
    if request_id is None:
        return ctx, lang, None
    return ctx, lang, await run_in_threadpool(jobs.show, ctx.engine, request_id)


def _status_page(
    request: Request,
    ctx: Context,
    lang: str,
    secret: str,
    filed: RightsRequest,
    *,
    notices: list[str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    values = _status_values(ctx, lang, secret, filed)
    values.update(notices=notices or [], errors=errors or [])
    return render(request, "portal/status.html", values, lang=lang, status_code=status_code)


@router.get("/status/{secret}", response_class=HTMLResponse)
async def status(request: Request, secret: str) -> Response:
    if _limited(request, "pages"):
        return _too_many(request, _language(request, _ctx(request)))
    ctx, lang, filed = await _open(request, secret)
    if filed is None:
        return _not_found(request, lang)
    t = texts_for(lang)
    notices = []
    if request.query_params.get("sent") and filed.channel:
        notices.append(
            t["code_sent"].format(to=jobs.mask(filed.channel, filed.identity[filed.channel]))
        )
    if request.query_params.get("verified"):
        notices.append(t["verified_ok"])
    return _status_page(request, ctx, lang, secret, filed, notices=notices)


_CODE_ERRORS = {
    CodeOutcome.WRONG: "code_wrong",
    CodeOutcome.EXPIRED: "code_expired",
    CodeOutcome.EXHAUSTED: "code_exhausted",
    CodeOutcome.USED: "code_expired",
    CodeOutcome.SUPERSEDED: "code_expired",
}


@dataclass
class _StatusPost:
    """A form posted from the status page, once its link, token and rate limit are checked."""

    ctx: Context
    lang: str
    filed: RightsRequest
    form: FormData


async def _status_post(request: Request, secret: str, action: str) -> _StatusPost | Response:
    ctx, lang, filed = await _open(request, secret)
    if filed is None:
        return _not_found(request, lang)
    t = texts_for(lang)
    form = await request.form()
    refusal = (
        (t["csrf"], 400)
        if not _csrf_ok(request, form)
        else (t["too_many"], 429)
        if _limited(request, action)
        else None
    )
    if refusal is not None:
        message, status_code = refusal
        return _status_page(
            request, ctx, lang, secret, filed, errors=[message], status_code=status_code
        )
    return _StatusPost(ctx, lang, filed, form)


@router.post("/status/{secret}/verify", response_class=HTMLResponse)
async def verify(request: Request, secret: str) -> Response:
    post = await _status_post(request, secret, "verify")
    if isinstance(post, Response):
        return post
    ctx, lang, filed = post.ctx, post.lang, post.filed
    code = _field(post.form, "code", 20).replace(" ", "")
    try:
        await run_in_threadpool(
            jobs.verify_code, ctx.engine, ctx.clock, filed.id, code, actor=ACTOR
        )
    except GardienError as refused:
        # A malformed code, or a request no longer waiting for one: same answer as a wrong code.
        outcome = refused.outcome if isinstance(refused, CodeRejected) else CodeOutcome.WRONG
        filed = await run_in_threadpool(jobs.show, ctx.engine, filed.id)
        message = texts_for(lang)[_CODE_ERRORS.get(outcome, "code_wrong")]
        return _status_page(request, ctx, lang, secret, filed, errors=[message], status_code=422)
    return RedirectResponse(f"/status/{secret}?lang={lang}&verified=1", status_code=303)


@router.post("/status/{secret}/resend", response_class=HTMLResponse)
async def resend(request: Request, secret: str) -> Response:
    post = await _status_post(request, secret, "resend")
    if isinstance(post, Response):
        return post
    try:
        sent = await run_in_threadpool(_send_code, post.ctx, post.filed)
    except GardienError:
        sent = False  # the request no longer waits for a code: the page shows where it stands
    return RedirectResponse(
        f"/status/{secret}?lang={post.lang}" + ("&sent=1" if sent else ""), status_code=303
    )


@router.get("/status/{secret}/package")
async def package(request: Request, secret: str) -> Response:
    ctx, lang, filed = await _open(request, secret)
    if filed is None:
        return _not_found(request, lang)
    if _limited(request, "download"):
        return _too_many(request, lang)
    try:
        stored = await run_in_threadpool(
            packages.export, ctx.engine, ctx.clock, filed.id, actor=ACTOR
        )
    except packages.PackageNotFound:
        t = texts_for(lang)
        return _status_page(
            request, ctx, lang, secret, filed, errors=[t["download_gone"]], status_code=404
        )
    name = f"{filed.kind.value}-{filed.id[:8]}.zip"
    return Response(
        stored.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
