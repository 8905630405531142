"""``create_app(settings)``: one ASGI application for the API, the portal and the back office.

The composition root: the one module of ``gardien.server`` that imports ``gardien.api`` and
``gardien.web``, to mount both on the same app (docs/architecture.md, "Why the pages live in
the API's app"). Nothing is built at import time: the factory refuses unsafe settings, opens
the store with the settings' keys (migrating it), loads the registry and builds the notifier,
once (``gardien.server.context.build_context``).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from gardien import __version__
from gardien.api import routes as api_routes
from gardien.clock import Clock
from gardien.server import errors
from gardien.server.anchoring import PeriodicAnchor
from gardien.server.auth import TokenCache
from gardien.server.context import build_context
from gardien.server.headers import SecurityHeaders
from gardien.server.ratelimit import RateLimiter
from gardien.settings import Settings
from gardien.web import errors as pages_errors
from gardien.web import routes as web_routes


class GardienApp(FastAPI):
    """FastAPI with the security headers as the outermost layer (``gardien.server.headers``):
    outside Starlette's error middleware too, so that an unexpected 500 carries them."""

    production = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), production=self.production)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    ctx = build_context(settings, clock)
    anchors = PeriodicAnchor(ctx.engine, ctx.clock, settings.anchoring)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await ctx.open_checks()  # the consent checks' async pool, on the server's loop
        await anchors.start()  # the audit trail's head, outside the store (issue 9 §5)
        # What start-up built lives as long as the server: keep it out of the collector's full
        # passes, which otherwise walk it all (~90 ms each, several a second under load: the
        # consent checks' p99; docs/performance.md).
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        await anchors.stop()
        await ctx.close_checks()
        ctx.close()

    app = GardienApp(
        title="gardien",
        version=__version__,
        description="Privacy commitments as running software: rights requests, consent, "
        "retention, legal holds and the audit trail. See docs/api.md.",
        openapi_url=api_routes.OPENAPI_URL,
        docs_url=None,  # gardien.api.docs_page: served from this server
        redoc_url=None,
        lifespan=lifespan,
    )
    app.production = settings.production  # HSTS
    app.state.gardien = ctx
    app.state.rate_limiter = RateLimiter(settings.rate_limit_storage)
    app.state.tokens = TokenCache(settings.token_cache_seconds, app.state.rate_limiter)
    errors.install(app, error_page=pages_errors.error_page)
    api_routes.install(app)
    web_routes.install(app)  # the pages (issue 5 §2-3): server-rendered, outside the API schema
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory gardien.server.app:app_from_environment`` (GARDIEN_* settings)."""
    return create_app(Settings.from_environment())
