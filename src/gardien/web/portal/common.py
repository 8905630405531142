"""What every portal page shares: the language, rate limits, the CSRF check, message
pages and sending the one-time code."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from gardien.jobs import identity as proof
from gardien.notify import NotificationError
from gardien.requests.model import RightsRequest
from gardien.server.client import client_address
from gardien.server.context import Context
from gardien.server.ratelimit import RateLimiter
from gardien.web import csrf
from gardien.web.templating import csrf_key, render
from gardien.web.wording import (
    LANGUAGES,
    texts_for,
)

ACTOR = "portal"
"""Who the audit trail names for what a person does on the portal (they are not yet known)."""

MAX_TEXT = 5_000
MAX_IDENTIFIER = 254  # the longest e-mail address RFC 5321 allows


def context(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


def language(request: Request, ctx: Context) -> str:
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


def address(request: Request) -> str:
    """The visitor's address (``gardien.server.client``: forwarding headers only from a
    trusted proxy)."""
    return client_address(request, context(request).settings)


def limited(request: Request, action: str) -> bool:
    limiter: RateLimiter = request.app.state.rate_limiter
    return not limiter.allow(action, address(request))


def message_page(
    request: Request, lang: str, title: str, message: str, status_code: int
) -> HTMLResponse:
    return render(
        request,
        "portal/message.html",
        {"page": "message", "title": title, "message": message},
        lang=lang,
        status_code=status_code,
    )


def too_many(request: Request, lang: str) -> HTMLResponse:
    t = texts_for(lang)
    return message_page(request, lang, t["error_title"], t["too_many"], 429)


def not_found(request: Request, lang: str) -> HTMLResponse:
    t = texts_for(lang)
    return message_page(request, lang, t["not_found_title"], t["not_found"], 404)


def csrf_ok(request: Request, form: FormData) -> bool:
    submitted = form.get(csrf.FIELD)
    try:
        csrf.check(
            request, submitted if isinstance(submitted, str) else None, csrf_key(context(request))
        )
    except csrf.CsrfError:
        return False
    return True


def field(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def send_code(ctx: Context, filed: RightsRequest) -> bool:
    if filed.channel is None:
        return False
    try:
        proof.send_code(
            ctx.engine,
            ctx.clock,
            filed.id,
            actor=ACTOR,
            notifier=ctx.notifier,
            controller=ctx.registry.controller.name,
        )
    except NotificationError:
        return False
    return True
