"""``gardien request run`` and ``gardien request export``: carry out verified requests, thin
over ``gardien.jobs.fulfil``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from gardien.cli import test_hook
from gardien.cli.console import EXIT_FINDINGS, handle_errors, out
from gardien.cli.options import (
    ActorOption,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    command_context,
)
from gardien.errors import UsageError
from gardien.jobs.fulfil import run_requests
from gardien.store import packages


@handle_errors
def run(
    request_ids: Annotated[list[str], typer.Argument(help="One or more verified requests.")],
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of letters (default: the registry's first)."),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Render the access letter as PDF too.")
    ] = True,
    as_json: JsonOption = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            metavar="SECONDS",
            help="If another request run is in progress, wait for it at most this long "
            "(default: do not wait; say who holds it and stop).",
        ),
    ] = 0.0,
) -> None:
    """Carry out verified requests in every declared system; one look-up per table for all.

    A request left in progress by a run that was killed, or that met a system error, is
    resumed where it stopped. JSON: a list of {request_id, kind, state, summary, result,
    error}. Exit 1 if any request could not run (its error says why; the others were carried
    out).
    """
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    outcomes = run_requests(
        c.registry,
        c.engine,
        c.clock,
        request_ids,
        actor=c.actor,
        lang=lang,
        pdf=pdf,
        wait=wait,
        checkpoint=test_hook.from_environment(),  # None outside gardien's own tests
    )
    if as_json:
        print(json.dumps([asdict(o) for o in outcomes], indent=2, ensure_ascii=False, default=str))
    else:
        table = Table(title="Requests carried out")
        for name in ("request", "kind", "state", "outcome"):
            table.add_column(name)
        for o in outcomes:
            table.add_row(o.request_id, o.kind, o.state, escape(o.error or o.summary))
        out.print(table)
    if any(o.error for o in outcomes):
        raise typer.Exit(EXIT_FINDINGS)


@handle_errors
def export(
    request_id: Annotated[str, typer.Argument(help="The request whose package to export.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the zip.")],
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
) -> None:
    """Write a request's response package (access or portability) to a zip; the read is audited."""
    c = command_context(store=store, now=now, actor=actor)
    package = packages.export(c.engine, c.clock, request_id, actor=c.actor)
    try:
        output.write_bytes(package.content)
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot write the package ({exc.strerror})") from None
    out.print(
        f"{output}: {len(package.content):,} bytes, sha256 {package.sha256[:16]}…, "
        f"available until {package.expires_at:%Y-%m-%d %H:%M} UTC"
    )
