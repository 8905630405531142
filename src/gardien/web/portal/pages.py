"""The portal's home page and the notice (Art. 13/14), built by the publishing code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from gardien.server.context import Context
from gardien.web.portal.common import (
    context,
    language,
    limited,
    message_page,
    too_many,
)
from gardien.web.templating import render
from gardien.web.wording import texts_for

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, template: str, values: Callable[[Context, str], dict[str, Any]]
) -> Response:
    ctx = context(request)
    lang = language(request, ctx)
    if limited(request, "pages"):
        return too_many(request, lang)
    return render(request, template, values(ctx, lang), lang=lang)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return _page(request, "portal/home.html", lambda _ctx, _lang: {"page": "home"})


@router.get("/notice", response_class=HTMLResponse)
async def notice(request: Request) -> Response:
    """The published notice; while it cannot be published (a check error, an item it lacks),
    a page saying it is being updated, never a notice with placeholders (issue 11 §1)."""
    ctx = context(request)
    lang = language(request, ctx)
    if limited(request, "pages"):
        return too_many(request, lang)
    publication = ctx.published_notice(lang)
    if publication is None:
        t = texts_for(lang)
        return message_page(
            request, lang, t["notice_unavailable_title"], t["notice_unavailable"], 503
        )
    return render(
        request, "portal/notice.html", {"page": "notice", "doc": publication.document}, lang=lang
    )
