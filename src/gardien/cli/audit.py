"""``gardien audit verify|anchor|log|purge-connections`` (``gardien archive read`` is
``cli.archive``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from gardien.cli.console import EXIT_FINDINGS, err, handle_errors, out
from gardien.cli.options import (
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    clock_for,
    command_context,
)
from gardien.jobs import audit as jobs
from gardien.jobs import audit_anchor
from gardien.store import audit as trail

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@app.command("verify")
@handle_errors
def verify(
    store: StoreOption = None,
    as_json: JsonOption = False,
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            "--anchor",
            help="Also check against this anchor line (as in the DPO's anchor e-mails); "
            "may be repeated.",
        ),
    ] = None,
) -> None:
    """Check the keyed chain against the anchors; exit 1 naming the first altered, removed,
    reordered or forged event, or the events removed since the last anchor."""
    context = command_context(store=store)
    result = jobs.verify(context.engine, context.settings.anchoring, anchor or [])
    if as_json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "events": result.events,
                    "first_bad_seq": result.first_bad_seq,
                    "reason": result.reason,
                    "legacy_events": result.legacy_events,
                    "anchor": result.anchor.content() if result.anchor else None,
                }
            )
        )
    elif result.ok:
        out.print(f"[green]audit trail intact[/green]: {result.events} event(s) verified")
        if result.legacy_events:
            out.print(
                f"the first {result.legacy_events} event(s) carry the legacy plain SHA-256 seal "
                "(written before keyed seals): the keyed events after them cover them"
            )
        if result.anchor is None:
            out.print(
                "[yellow]no anchor[/yellow]: events removed from the end, or the whole trail, "
                "cannot be detected (gardien audit anchor, docs/audit.md)"
            )
        else:
            out.print(
                f"checked against the anchor of {result.anchor.at:%Y-%m-%d %H:%M:%S} UTC "
                f"(event #{result.anchor.seq}); events after it are covered by the chain only"
            )
    elif result.first_bad_seq is None:
        err.print(f"[red]audit trail not verified[/red]: {result.reason}")
    else:
        err.print(
            f"[red]audit trail broken at event #{result.first_bad_seq}[/red]: {result.reason}"
        )
    if not result.ok:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("anchor")
@handle_errors
def anchor(store: StoreOption = None, as_json: JsonOption = False, now: NowOption = None) -> None:
    """Record the trail's head outside the store (the anchor file, the DPO's e-mail): what
    ``verify`` checks truncation and wiping against. Run it from cron, e.g. daily."""
    context = command_context(store=store, now=now)
    made = audit_anchor.anchor(context.engine, context.clock, context.settings.anchoring)
    if as_json:
        print(json.dumps(made.content()))
    else:
        out.print(
            f"anchored the audit trail at event #{made.seq} ({made.at:%Y-%m-%d %H:%M:%S} UTC)"
        )


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
    events = list(trail.events(command_context(store=store).engine, action=action, limit=limit))
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
def purge_connections(
    registry: RegistryOption = None, store: StoreOption = None, now: NowOption = None
) -> None:
    """Drop connection data (IP, user agent) past six months (R-RET-07); the chain stays valid.

    Six months counted in the controller's time zone, as every period (the registry's).
    """
    c = command_context(store=store, registry=registry)
    count = trail.purge_connection_data(c.engine, clock_for(now), c.registry.controller.zone)
    out.print(f"connection data removed from {count} event(s)")
