"""``gardien archive read``: the restricted intermediate archive (R-RET-08), thin over
``gardien.jobs.archive`` (the reason and the table are checked there, as for the API)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gardien.cli.console import handle_errors
from gardien.cli.options import (
    ActorOption,
    NowOption,
    RegistryOption,
    StoreOption,
    command_context,
)
from gardien.errors import UsageError
from gardien.jobs import archive

app = typer.Typer(help="The restricted intermediate archive (R-RET-08).", no_args_is_help=True)


@app.command("read")
@handle_errors
def read(
    system: Annotated[str, typer.Option("--system", help="Declared system.")],
    table: Annotated[str, typer.Option("--table", help="Declared table whose archive to read.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the archive is consulted (mandatory, audited).")
    ],
    where: Annotated[
        str,
        typer.Option("--where", help="KIND=VALUE: an identity kind of the table, or key=VALUE."),
    ],
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
) -> None:
    """Read archived rows, for a stated reason; the read is recorded in the audit trail (R-RET-08)."""
    kind, sep, value = where.partition("=")
    if not sep:
        raise UsageError(
            f"--where {where!r}: write KIND=VALUE, e.g. email=jeanne@example.fr or key=42"
        )
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    found = archive.read(
        c.registry,
        c.engine,
        c.clock,
        system=system,
        table=table,
        where=(kind, value),
        reason=reason,
        actor=c.actor,
    )
    print(json.dumps(found.rows, indent=2, default=str, ensure_ascii=False))
