"""``/api/v1/registry``, ``/notice``, ``/register``: what the registry declares and publishes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from gardien.api.deps import context, require
from gardien.publish.publication import prepare_notice
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_document
from gardien.publish.wording import resolve_language
from gardien.server.auth import Principal
from gardien.server.context import Context
from gardien.server.permissions import Permission as P

router = APIRouter(tags=["registry"])
Ctx = Annotated[Context, Depends(context)]
Lang = Annotated[str | None, Query(description="fr, en…; default: the registry's first.")]


@router.get("/registry", response_model=dict[str, Any])
def registry(ctx: Ctx, _: Annotated[Principal, Depends(require(P.REGISTRY_READ))]) -> Any:
    """The registry the server runs on, as JSON (the YAML's structure)."""
    return ctx.registry.model_dump(mode="json", by_alias=True, exclude_none=True)


@router.get(
    "/notice",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
def notice(
    ctx: Ctx,
    _: Annotated[Principal, Depends(require(P.REGISTRY_READ))],
    lang: Lang = None,
    format: Annotated[Literal["md", "html"], Query()] = "md",
    draft: Annotated[
        bool,
        Query(
            description="Return a notice that cannot be published yet, marked as a draft, "
            "its blocking findings on top; without it such a notice is refused (409 "
            "notice_not_publishable, the findings in error.details.blocking)."
        ),
    ] = False,
) -> Response:
    """The privacy notice (Art. 13/14), rendered in one language; only a publishable one
    unless ``draft`` is asked for (issue 11 §1)."""
    language = resolve_language(ctx.registry.languages, lang)
    fmt = NoticeFormat(format)
    media = "text/html" if fmt is NoticeFormat.HTML else "text/markdown"
    publication = prepare_notice(ctx.registry, language, draft=draft)
    return Response(
        render_document(publication.document, fmt),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Language": language},
    )


@router.get(
    "/register",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def register(
    ctx: Ctx,
    _: Annotated[Principal, Depends(require(P.REGISTRY_READ))],
    lang: Lang = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """The record of processing activities (Art. 30)."""
    language = resolve_language(ctx.registry.languages, lang)
    fmt = RecordFormat(format)
    media = "application/json" if fmt is RecordFormat.JSON else "text/csv; charset=utf-8"
    return Response(render_record(ctx.registry, language, fmt), media_type=media)
