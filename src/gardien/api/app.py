"""``create_app(settings)``: the API, its shared context and its error handlers.

Nothing is built at import time: the factory opens the store (migrating it), loads the
registry, derives the subject key once, and refuses unsafe settings outside ``dev``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gardien import __version__
from gardien.api import (
    docs_page,
    errors,
    routes_consent,
    routes_operations,
    routes_registry,
    routes_requests,
)
from gardien.api.auth import TokenCache
from gardien.api.context import Context, read_engine
from gardien.api.models import ErrorOut
from gardien.clock import Clock, SystemClock
from gardien.registry.loader import load_registry
from gardien.settings import Settings
from gardien.store.database import open_store
from gardien.web import office, portal
from gardien.web.ratelimit import RateLimiter

PREFIX = "/api/v1"
# Consent first: routes are matched in order, and the consent checks are the hot path.
ROUTERS = (
    routes_consent.router,
    routes_requests.router,
    routes_registry.router,
    routes_operations.router,
)

# Every endpoint may answer these, in the one error shape (the statuses of docs/api.md, which
# gardien.api.errors maps once for all routes; schemathesis checks the schema lists them).
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (400, "The body is not JSON"),
        (401, "No or unknown API token"),
        (403, "The caller's role does not allow this"),
        (404, "No such request, hold or package"),
        (409, "The state of things does not allow this (e.g. the request's state)"),
        (422, "Invalid input"),
        (503, "A declared system, the store or the notifier is unavailable"),
    )
}


def build_context(settings: Settings, clock: Clock | None = None) -> Context:
    settings.check()
    key = settings.subject_key()
    registry = load_registry(settings.registry_path())
    engine = open_store(settings.database_url)
    reads = read_engine(settings.database_url)
    return Context(settings, engine, registry, key, clock or SystemClock(), reads)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    ctx = build_context(settings, clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await ctx.open_checks()  # the consent checks' async pool, on the server's loop
        # What start-up built lives as long as the server: keep it out of the collector's full
        # passes, which otherwise walk it all (~90 ms each, several a second under load: the
        # consent checks' p99; docs/performance.md).
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        await ctx.close_checks()
        ctx.close()

    app = FastAPI(
        title="gardien",
        version=__version__,
        description="Privacy commitments as running software: rights requests, consent, "
        "retention, legal holds and the audit trail. See docs/api.md.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # docs_page: served from this server
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.gardien = ctx
    app.state.tokens = TokenCache(settings.token_cache_seconds)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX, responses=ERROR_RESPONSES)
    # The pages (issue 5 §2-3): server-rendered, outside the API schema.
    app.state.rate_limiter = RateLimiter(settings.rate_limit_storage)
    docs_page.install(app, "/api/openapi.json")
    app.mount("/static", StaticFiles(packages=[("gardien.web", "static")]), name="static")
    app.include_router(portal.router)
    app.include_router(office.router)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory gardien.api.app:app_from_environment`` (settings from GARDIEN_*)."""
    return create_app(Settings.from_environment())
