"""Rendering the pages: one Jinja2 environment for the portal and the back office.

It also reaches the notice's templates (``gardien.publish``), so the portal shows the notice
built by the same code as the published one (no second wording to drift apart).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from gardien.publish.render import linkify, web_url
from gardien.server.context import Context
from gardien.web import csrf
from gardien.web.security import derived_key
from gardien.web.wording import Texts, texts_for


def _date(value: date | datetime | None, lang: str = "fr") -> str:
    if value is None:
        return "—"
    day = value.date() if isinstance(value, datetime) else value
    return day.strftime("%d/%m/%Y") if lang == "fr" else day.isoformat()


def _datetime(value: datetime | None, lang: str = "fr") -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y %H:%M UTC" if lang == "fr" else "%Y-%m-%d %H:%M UTC")


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("gardien.web", "templates"),
                PackageLoader("gardien.publish", "templates"),
            ]
        ),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["linkify"] = linkify
    env.filters["web_url"] = web_url  # an href from the registry: http(s) only
    env.filters["day"] = _date
    env.filters["moment"] = _datetime
    return Jinja2Templates(env=env)


def csrf_key(ctx: Context) -> bytes:
    return derived_key(ctx.key, "csrf")


def render(
    request: Request,
    name: str,
    values: Mapping[str, Any],
    *,
    lang: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``name`` with what every page needs: language, texts, controller, CSRF token."""
    ctx: Context = request.app.state.gardien
    texts: Texts = texts_for(lang)
    page = {
        "lang": lang,
        "t": texts,
        "controller": ctx.registry.controller,
        "languages": ctx.registry.languages,
        "csrf_field": csrf.FIELD,
        "csrf_token": csrf.form_token(request, csrf_key(ctx)),
        **values,
    }
    response = templates().TemplateResponse(
        request, name, page, status_code=status_code, headers=dict(headers or {})
    )
    csrf.attach(request, response, secure=ctx.settings.production)
    # No-store, no referrer, the CSP…: on every response, in one place (gardien.server.headers).
    return response
