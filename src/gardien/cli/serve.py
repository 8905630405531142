"""``gardien serve`` (the HTTP API) and ``gardien user add`` (staff accounts and API tokens)."""

from __future__ import annotations

from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors, out
from gardien.cli.options import ActorOption, StoreOption, actor_name, clock_for
from gardien.settings import Settings

user_app = typer.Typer(
    help="Staff accounts of the HTTP API and their tokens.", no_args_is_help=True
)


@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
) -> None:
    """Serve the HTTP API (/api/v1, OpenAPI at /api/openapi.json) from $GARDIEN_* settings.

    GARDIEN_REGISTRY (registry file), GARDIEN_DATABASE_URL (store), GARDIEN_SECRET_KEY and
    GARDIEN_ENV (dev or production: production refuses a missing or weak key).
    """
    import uvicorn

    from gardien.api.app import create_app

    settings = Settings.from_environment()
    app = create_app(settings)
    if not settings.production:
        err.print("[yellow]GARDIEN_ENV=dev: development settings, not for production[/yellow]")
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


@user_app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="Who the account is for (person or system).")],
    role: Annotated[str, typer.Option("--role", help="dpo, agent, auditor or admin.")],
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """Create an account and print its API token, once: it is stored only as an argon2 hash."""
    from gardien.api.permissions import Role
    from gardien.store import accounts
    from gardien.store.database import open_store

    chosen = Role.parse(role)
    account, token = accounts.create(
        open_store(store), clock_for(None), name=name, role=chosen.value, actor=actor_name(actor)
    )
    err.print(f"account {account.name} ({account.role}) created; its token, shown only now:")
    out.print(token)
