"""``gardien user add`` (staff accounts and API tokens) and ``gardien user password`` (the back
office's password of an account), thin over ``gardien.jobs.accounts``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors, out
from gardien.cli.options import ActorOption, JsonOption, StoreOption, command_context
from gardien.errors import UsageError
from gardien.jobs import accounts
from gardien.store.accounts import AccountNotFound

app = typer.Typer(
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
    line = sys.stdin.readline()
    if not line:
        raise UsageError("--password-stdin: standard input is empty")
    return line.rstrip("\r\n")


@app.command("add")
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
    password = _password_from_stdin() if password_stdin else None
    c = command_context(store=store, actor=actor)
    created = accounts.add(
        c.engine, c.clock, name=name, role=role, actor=c.actor, password=password
    )
    account = created.account
    err.print(f"account {account.name} ({account.role}) created; its token, shown only now:")
    out.print(created.token)
    if password is None:
        err.print(f"to sign in to the back office, set a password: gardien user password {name}")


@app.command("password")
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
    if password_stdin:
        secret = _password_from_stdin()
    else:
        secret = typer.prompt(
            f"password for {name} (at least {accounts.MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    accounts.check_password(secret)
    c = command_context(store=store, actor=actor)
    try:
        account = accounts.set_password(c.engine, c.clock, name, secret, actor=c.actor)
    except AccountNotFound as exc:  # the command line's own hint; the message names no command
        raise AccountNotFound(
            f"{exc}: create it with 'gardien user add {name} --role …'", field="name"
        ) from None
    err.print(f"password of {account.name} ({account.role}) set; open sessions are closed")


@app.command("unlock")
@handle_errors
def unlock(
    name: Annotated[str, typer.Argument(help="The account locked by failed sign-ins.")],
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """Lift the lock that repeated failed sign-ins put on an account, and its count of
    failures (audited as account.unlocked)."""
    c = command_context(store=store, actor=actor)
    account = accounts.unlock(c.engine, c.clock, name, actor=c.actor)
    err.print(f"account {account.name} ({account.role}) unlocked: it may sign in again")


NameArgument = Annotated[str, typer.Argument(help="The account.")]
_BOUND = (
    "a running server forgets its cached tokens within GARDIEN_TOKEN_CACHE_SECONDS "
    "(at once when done through the API or the back office)"
)


@app.command("rotate")
@handle_errors
def rotate(name: NameArgument, store: StoreOption = None, actor: ActorOption = None) -> None:
    """Give the account a new API token and print it, once; the previous token stops working.

    Audited as account.token_rotated; the account's back-office sessions are closed.
    """
    c = command_context(store=store, actor=actor)
    rotated = accounts.rotate_token(c.engine, c.clock, name, actor=c.actor)
    err.print(f"new token of {name}, shown only now (the previous one is revoked; {_BOUND}):")
    out.print(rotated.token)


@app.command("revoke")
@handle_errors
def revoke(name: NameArgument, store: StoreOption = None, actor: ActorOption = None) -> None:
    """Revoke the account's API token (a new one: gardien user rotate). Audited as
    account.token_revoked; the account's back-office sessions are closed."""
    c = command_context(store=store, actor=actor)
    accounts.revoke_token(c.engine, c.clock, name, actor=c.actor)
    err.print(f"token of {name} revoked; {_BOUND}")


@app.command("disable")
@handle_errors
def disable(name: NameArgument, store: StoreOption = None, actor: ActorOption = None) -> None:
    """Disable the account: its token and password stop working, its sessions are closed
    (audited as account.disabled; undo with gardien user enable)."""
    c = command_context(store=store, actor=actor)
    accounts.disable(c.engine, c.clock, name, actor=c.actor)
    err.print(f"account {name} disabled; {_BOUND}")


@app.command("enable")
@handle_errors
def enable(name: NameArgument, store: StoreOption = None, actor: ActorOption = None) -> None:
    """Enable a disabled account again (audited as account.enabled)."""
    c = command_context(store=store, actor=actor)
    accounts.enable(c.engine, c.clock, name, actor=c.actor)
    err.print(f"account {name} enabled")


@app.command("role")
@handle_errors
def role(
    name: NameArgument,
    new_role: Annotated[str, typer.Argument(help="dpo, agent, auditor or admin.")],
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """Change the account's role (audited as account.role_changed); its sessions are closed."""
    c = command_context(store=store, actor=actor)
    account = accounts.change_role(c.engine, c.clock, name, new_role, actor=c.actor)
    err.print(f"account {account.name} is now {account.role}; {_BOUND}")


@app.command("list")
@handle_errors
def list_accounts(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """The accounts: name, role, whether disabled, whether the token is revoked."""
    c = command_context(store=store)
    rows = accounts.listing(c.engine)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": r.account.name,
                        "role": r.account.role,
                        "created_at": r.account.created_at.isoformat(),
                        "disabled_at": r.disabled_at.isoformat() if r.disabled_at else None,
                        "token_revoked": r.token_revoked,
                        "password_set": r.account.password_set_at is not None,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return
    for r in rows:
        state = "disabled" if r.disabled_at else ("token revoked" if r.token_revoked else "active")
        out.print(f"{r.account.name}\t{r.account.role}\t{state}", markup=False, highlight=False)
