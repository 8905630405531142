"""``gardien serve``: the HTTP API and the pages (staff accounts are ``cli.users``)."""

from __future__ import annotations

from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors
from gardien.cli.options import settings as command_settings


@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
) -> None:
    """Serve the HTTP API (/api/v1, OpenAPI at /api/openapi.json) from $GARDIEN_* settings.

    GARDIEN_REGISTRY (registry file), GARDIEN_DATABASE_URL (store), GARDIEN_SECRET_KEY and
    GARDIEN_ENV (dev or production: production refuses a missing or weak key). Behind a
    reverse proxy, GARDIEN_TRUSTED_PROXIES lists its addresses (uvicorn's
    --forwarded-allow-ips) and GARDIEN_PROXY_HEADER the header it sets.
    """
    # The one place the command line reaches the server: its composition root, which mounts
    # the API and the pages (docs/architecture.md).
    import uvicorn

    from gardien.server.app import create_app

    settings = command_settings()
    app = create_app(settings)
    if not settings.production:
        err.print("[yellow]GARDIEN_ENV=dev: development settings, not for production[/yellow]")
    # uvicorn would otherwise rewrite the client's address from X-Forwarded-For for any
    # connection from 127.0.0.1 (its default --forwarded-allow-ips): gardien reads forwarding
    # headers itself, only from GARDIEN_TRUSTED_PROXIES (gardien.server.client).
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, access_log=False, proxy_headers=False
    )
