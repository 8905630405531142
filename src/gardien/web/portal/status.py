"""The status page behind a request's secret link: the code form, the state and deadline,
the answer package to download (each download audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gardien.errors import GardienError
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.publish.wording.base import pick
from gardien.requests.model import RightsRequest
from gardien.requests.states import RequestState
from gardien.requests.verification import CodeOutcome, CodeRejected
from gardien.server.context import Context
from gardien.store import packages, portal_links
from gardien.web.portal.common import (
    ACTOR,
    context,
    csrf_ok,
    field,
    language,
    limited,
    not_found,
    send_code,
    too_many,
)
from gardien.web.templating import render
from gardien.web.wording import (
    KINDS,
    STATES,
    identifier_label,
    texts_for,
)

router = APIRouter(include_in_schema=False)


def _refusal_reason(filed: RightsRequest) -> str | None:
    for entry in reversed(filed.timeline):
        if entry.to_state is RequestState.REFUSED and entry.reason:
            return entry.reason
    return None


def _status_values(ctx: Context, lang: str, secret: str, filed: RightsRequest) -> dict[str, Any]:
    now = ctx.clock.now()
    awaiting = filed.state in (RequestState.RECEIVED, RequestState.AWAITING_IDENTITY)
    return {
        "page": "status",
        "secret": secret,
        "filed": filed,
        "kind_label": KINDS[lang][filed.kind],
        "state_label": STATES[lang][filed.state],
        "awaiting": awaiting,
        # Past the caps on wrong codes only an attestation proves the identity (issue 9 §3).
        "codes_locked": awaiting and proof.codes_locked(ctx.engine, ctx.clock, filed),
        "open": filed.state.is_open,
        "masked_to": (
            proof.mask(filed.channel, filed.identity[filed.channel]) if filed.channel else None
        ),
        "package_until": packages.available_until(ctx.engine, filed.id, now),
        "refusal": _refusal_reason(filed),
        "not_searched": _not_searched(lang, filed),
        "authority": ctx.registry.controller.authority,
        "authority_name": _authority_name(ctx, lang),
    }


def _not_searched(lang: str, filed: RightsRequest) -> str | None:
    """The identifiers the answer did not search, by their labels (R-RGT-11, Art. 15(4)).

    Read from the stored result, which says what the run actually searched; the values are
    never repeated (they may be somebody else's)."""
    if filed.state.is_open or not filed.result:
        return None
    left = [
        str(item.get("identifier"))
        for item in (filed.result.get("identifiers") or {}).get("not_searched") or []
    ]
    return ", ".join(identifier_label(lang, kind) for kind in left) or None


def _authority_name(ctx: Context, lang: str) -> str | None:
    authority = ctx.registry.controller.authority
    if authority is None:
        return None
    full = pick(authority.full_name, lang)
    return f"{full} ({authority.name})" if full else authority.name


async def _open(request: Request, secret: str) -> tuple[Context, str, RightsRequest | None]:
    ctx = context(request)
    lang = language(request, ctx)
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
    if limited(request, "pages"):
        return too_many(request, language(request, context(request)))
    ctx, lang, filed = await _open(request, secret)
    if filed is None:
        return not_found(request, lang)
    t = texts_for(lang)
    notices = []
    if request.query_params.get("sent") and filed.channel:
        notices.append(
            t["code_sent"].format(to=proof.mask(filed.channel, filed.identity[filed.channel]))
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
    CodeOutcome.LOCKED: "codes_locked",
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
        return not_found(request, lang)
    t = texts_for(lang)
    form = await request.form()
    refusal = (
        (t["csrf"], 400)
        if not csrf_ok(request, form)
        else (t["too_many"], 429)
        if limited(request, action)
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
    code = field(post.form, "code", 20).replace(" ", "")
    try:
        await run_in_threadpool(
            proof.verify_code, ctx.engine, ctx.clock, filed.id, code, actor=ACTOR
        )
    except GardienError as refused:
        # A malformed code, or a request no longer waiting for one: same answer as a wrong code.
        outcome = refused.outcome if isinstance(refused, CodeRejected) else CodeOutcome.WRONG
        filed = await run_in_threadpool(jobs.show, ctx.engine, filed.id)
        message = texts_for(lang)[_CODE_ERRORS.get(outcome, "code_wrong")]
        # Locked: the page says so in place of the code form; once is enough.
        errors = [] if outcome is CodeOutcome.LOCKED else [message]
        return _status_page(request, ctx, lang, secret, filed, errors=errors, status_code=422)
    return RedirectResponse(f"/status/{secret}?lang={lang}&verified=1", status_code=303)


@router.post("/status/{secret}/resend", response_class=HTMLResponse)
async def resend(request: Request, secret: str) -> Response:
    post = await _status_post(request, secret, "resend")
    if isinstance(post, Response):
        return post
    try:
        sent = await run_in_threadpool(send_code, post.ctx, post.filed)
    except GardienError:
        sent = False  # the request no longer waits for a code: the page shows where it stands
    return RedirectResponse(
        f"/status/{secret}?lang={post.lang}" + ("&sent=1" if sent else ""), status_code=303
    )


@router.get("/status/{secret}/package")
async def package(request: Request, secret: str) -> Response:
    ctx, lang, filed = await _open(request, secret)
    if filed is None:
        return not_found(request, lang)
    if limited(request, "download"):
        return too_many(request, lang)
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
        },
    )
