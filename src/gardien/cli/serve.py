"""``gardien serve`` (the HTTP API and the pages), ``gardien user add`` (staff accounts and API
tokens) and ``gardien user password`` (the back office's password of an account)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors, out
from gardien.cli.options import ActorOption, StoreOption, actor_name, clock_for
from gardien.settings import Settings

user_app = typer.Typer(
    help="Staff accounts: API tokens and back-office passwords.", no_args_is_help=True
)

PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the back-office password from the first line of standard input "
        "(for scripts; never put a password on the command line, where ps and the shell "
        "history show it).",
    ),
]


def _password_from_stdin() -> str:
    from gardien.errors import UsageError

    line = sys.stdin.readline()
    if not line:
        raise UsageError("--password-stdin: standard input is empty")
    return line.rstrip("\r\n")


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
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Create an account and print its API token, once: it is stored only as an argon2 hash.

    With --password-stdin, also set its back-office password (else: gardien user password).
    """
    from gardien.api.permissions import Role
    from gardien.store import accounts
    from gardien.store.database import open_store

    chosen = Role.parse(role)
    password = None
    if password_stdin:
        password = _password_from_stdin()
        accounts.check_password(password)  # before creating: no account left half made
    engine = open_store(store)
    clock = clock_for(None)
    who = actor_name(actor)
    account, token = accounts.create(engine, clock, name=name, role=chosen.value, actor=who)
    if password is not None:
        accounts.set_password(engine, clock, name, password, who)
    err.print(f"account {account.name} ({account.role}) created; its token, shown only now:")
    out.print(token)
    if password is None:
        err.print(f"to sign in to the back office, set a password: gardien user password {name}")


@user_app.command("password")
@handle_errors
def password(
    name: Annotated[str, typer.Argument(help="The account whose password to set.")],
    store: StoreOption = None,
    actor: ActorOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Set or change an account's back-office password (asked twice, not shown).

    Sessions opened with the previous password stop working.
    """
    from gardien.store import accounts
    from gardien.store.database import open_store

    if password_stdin:
        secret = _password_from_stdin()
    else:
        secret = typer.prompt(
            f"password for {name} (at least {accounts.MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    accounts.check_password(secret)
    account = accounts.set_password(
        open_store(store), clock_for(None), name, secret, actor_name(actor)
    )
    err.print(f"password of {account.name} ({account.role}) set; open sessions are closed")
