"""``gardien audit verify|log|purge-connections`` and ``gardien archive read``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from gardien.audit.chain import NewEvent
from gardien.cli.console import EXIT_FINDINGS, err, handle_errors, out
from gardien.cli.options import (
    ActorOption,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    actor_name,
    clock_for,
    registry_path,
)
from gardien.connectors.sql import SqlConnector
from gardien.errors import UsageError
from gardien.registry.loader import load_registry
from gardien.store import audit as trail
from gardien.store.database import open_store

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
archive_app = typer.Typer(
    help="The restricted intermediate archive (R-RET-08).", no_args_is_help=True
)


@app.command("verify")
@handle_errors
def verify(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Check the hash chain; exit 1 naming the first altered, removed or reordered event."""
    result = trail.verify_trail(open_store(store))
    if as_json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "events": result.events,
                    "first_bad_seq": result.first_bad_seq,
                    "reason": result.reason,
                }
            )
        )
    elif result.ok:
        out.print(f"[green]audit trail intact[/green]: {result.events} event(s) verified")
    else:
        err.print(
            f"[red]audit trail broken at event #{result.first_bad_seq}[/red]: {result.reason}"
        )
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("log")
@handle_errors
def log(
    store: StoreOption = None,
    as_json: JsonOption = False,
    action: Annotated[
        str | None,
        typer.Option("--action", help="Only these actions; '*' is a wildcard, e.g. 'hold.*'."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many events.")
    ] = None,
) -> None:
    """List audit events, oldest first."""
    events = list(trail.events(open_store(store), action=action, limit=limit))
    if as_json:
        items: list[dict[str, Any]] = [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "details": dict(e.details),
                "hash": e.hash,
            }
            for e in events
        ]
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return
    table = Table(title="Audit trail")
    for name in ("#", "at (UTC)", "actor", "action", "target"):
        table.add_column(name)
    for e in events:
        table.add_row(str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, e.target)
    out.print(table)


@app.command("purge-connections")
@handle_errors
def purge_connections(store: StoreOption = None, now: NowOption = None) -> None:
    """Drop connection data (IP, user agent) older than six months (R-RET-07); the chain stays valid."""
    count = trail.purge_connection_data(open_store(store), clock_for(now))
    out.print(f"connection data removed from {count} event(s)")


@archive_app.command("read")
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
    if not reason.strip():
        raise UsageError("--reason must say why the archive is consulted")
    reg = load_registry(registry_path(registry))
    if system not in reg.systems or table not in reg.systems[system].tables:
        raise UsageError(f"{system}.{table} is not a table declared in the registry")
    declared = reg.systems[system].tables[table]
    kind, sep, value = where.partition("=")
    if not sep:
        raise UsageError(
            f"--where {where!r}: write KIND=VALUE, e.g. email=jeanne@example.fr or key=42"
        )
    if kind == "key":
        column = declared.key
    elif kind in declared.identity:
        column = declared.identity[kind]
    else:
        raise UsageError(
            f"--where: {system}.{table} has no identity '{kind}' (use key or one of: {', '.join(declared.identity)})"
        )
    engine = open_store(store)
    clock = clock_for(now)
    rows = SqlConnector(system, reg.systems[system].url).read_archive(table, column, [value])
    trail.record(
        engine,
        clock,
        NewEvent(
            actor_name(actor),
            "archive.read",
            f"{system}.{table}",
            {"reason": reason, "where": kind, "rows": len(rows)},
        ),
    )
    print(json.dumps(rows, indent=2, default=str, ensure_ascii=False))
