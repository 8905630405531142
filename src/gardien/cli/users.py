"""``gardien user add`` (staff accounts and API tokens) and ``gardien user password`` (the back
office's password of an account), thin over ``gardien.jobs.accounts``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors, out
from gardien.cli.options import ActorOption, StoreOption, command_context
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
