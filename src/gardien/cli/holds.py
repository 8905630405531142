"""``gardien hold place|release|list``: legal holds (R-RET-05)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from gardien.cli.console import handle_errors, out
from gardien.cli.options import (
    ActorOption,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    command_context,
)
from gardien.connectors.sql import connectors_for
from gardien.errors import UsageError
from gardien.holds.model import LegalHold
from gardien.jobs import holds

app = typer.Typer(
    help="Legal holds: freeze what litigation or an authority needs (R-RET-05).",
    no_args_is_help=True,
)


def _hold_json(hold: LegalHold) -> dict[str, object]:
    return {
        "id": hold.id,
        "covers": hold.describe(),
        "reason": hold.reason,
        "case": hold.case,
        "placed_at": hold.placed_at.isoformat(),
        "placed_by": hold.placed_by,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
        "appeal_ends": hold.appeal_ends.isoformat() if hold.appeal_ends else None,
        "also_covers": [
            {"identifier": p.kind, "value": p.value, "found_in": list(p.found_in)}
            for p in hold.pivoted
        ],
    }


@app.command("place")
@handle_errors
def place(
    reason: Annotated[
        str, typer.Option("--reason", help="Why the data must be kept (shown to auditors).")
    ],
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="A person, as KIND=VALUE, e.g. phone=+33612345678."),
    ] = None,
    system: Annotated[
        str | None, typer.Option("--system", help="System of the rows to hold.")
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Table of the rows to hold (a subject's table).")
    ] = None,
    where_key: Annotated[
        list[str] | None,
        typer.Option("--where-key", help="Primary key of a row to hold; repeat for several."),
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case or matter reference.")] = None,
    their_identifiers: Annotated[
        bool,
        typer.Option(
            "--their-identifiers",
            help="A hold on a person also covers the identifiers found in their own rows "
            "(the phone of the client row found by the e-mail), read from the systems now "
            "and stored on the hold (issue 10 §3).",
        ),
    ] = False,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Place a hold on a person or on rows; held rows are never archived, anonymised or deleted."""
    person = None
    if subject is not None:
        kind, sep, value = subject.partition("=")
        if not sep or not kind or not value:
            raise UsageError(
                f"--subject {subject!r}: write KIND=VALUE, e.g. email=jeanne@example.fr"
            )
        person = (kind, value)
    rows = None
    if system or table or where_key:
        if not (system and table):
            raise UsageError("a hold on rows needs --system and --table, and --where-key")
        rows = holds.HeldRows.of(system, table, where_key or [])
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    hold = holds.place(
        c.engine,
        c.clock,
        c.registry,
        actor=c.actor,
        reason=reason,
        case=case,
        person=person,
        rows=rows,
        systems=connectors_for(c.registry) if their_identifiers and person else None,
    )
    if as_json:
        print(json.dumps(_hold_json(hold), indent=2))
    else:
        out.print(f"hold {hold.id} placed on {hold.describe()}")
        for p in hold.pivoted:
            out.print(f"  also covers {p.kind} {p.value}, found in {', '.join(p.found_in)}")


@app.command("release")
@handle_errors
def release(
    hold_id: Annotated[str, typer.Argument(help="The hold's id (see 'gardien hold list').")],
    appeal_ends: Annotated[
        str | None,
        typer.Option(
            "--appeal-ends", help="Keep protecting until this date (end of the appeal period)."
        ),
    ] = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Release a hold; with --appeal-ends the data stays protected until that date."""
    ends = holds.parse_appeal_end(appeal_ends)
    c = command_context(store=store, now=now, actor=actor)
    hold = holds.release(c.engine, c.clock, hold_id, actor=c.actor, appeal_ends=ends)
    if as_json:
        print(json.dumps(_hold_json(hold), indent=2))
    else:
        until = f"; it protects until {ends}" if ends else ""
        out.print(f"hold {hold.id} released{until}")


@app.command("list")
@handle_errors
def list_holds(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Every hold, in force or released."""
    found = holds.all_holds(command_context(store=store).engine)
    if as_json:
        print(json.dumps([_hold_json(h) for h in found], indent=2))
        return
    table = Table(title="Legal holds")
    for name in ("id", "covers", "case", "reason", "placed", "released", "appeal ends"):
        table.add_column(name)
    for h in found:
        table.add_row(
            h.id,
            h.describe(),
            h.case or "",
            h.reason,
            f"{h.placed_at:%Y-%m-%d}",
            f"{h.released_at:%Y-%m-%d}" if h.released_at else "",
            str(h.appeal_ends or ""),
        )
    out.print(table)
