"""``gardien generate``: create a registry's declared databases and fill them with synthetic people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from gardien.cli.console import EXIT_UNUSABLE, err, handle_errors, out
from gardien.cli.options import parse_now
from gardien.connectors.errors import SystemUnreachable
from gardien.errors import UsageError
from gardien.registry.loader import load_registry
from gardien.synthetic.people import TableProgress, fill_system
from gardien.synthetic.schema import create_system


@handle_errors
def generate(
    registry: Annotated[Path, typer.Argument(help="Registry file, or directory of YAML files.")],
    system: Annotated[
        str | None, typer.Option("--system", help="Only this system (default: every system).")
    ] = None,
    table: Annotated[
        list[str] | None,
        typer.Option("--table", help="Only this table of --system (repeat for several)."),
    ] = None,
    people: Annotated[
        int, typer.Option("--people", min=0, help="Rows per subject table (children: 0–3 each).")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed and --now, same rows.")] = 0,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Dates are placed relative to this ISO date (default: now)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Database URL instead of the system's (needs --system)."),
    ] = None,
    drop: Annotated[
        bool, typer.Option("--drop", help="Drop the system's tables first (children first).")
    ] = False,
) -> None:
    """Create the tables of the declared systems and fill them with synthetic French people.

    Their dates put them in every phase of their retention rules at --now: active, at the
    edges (± 1 day), in the archive phase, past every phase.
    """
    if url is not None and system is None:
        raise UsageError("--url replaces one system's URL: give --system too")
    if table and system is None:
        raise UsageError("--table needs --system")
    moment = parse_now(now) or datetime.now(UTC)
    loaded = load_registry(registry)
    systems = [system] if system is not None else list(loaded.systems)
    summaries: list[TableProgress] = []
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[speed]}"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as bar:
            tasks: dict[tuple[str, str], TaskID] = {}

            def show(step: TableProgress) -> None:
                key = (step.system, step.table)
                if key not in tasks:
                    tasks[key] = bar.add_task(
                        f"{step.system}.{step.table}", total=step.total, speed=""
                    )
                speed = f"{step.rows_per_second:,.0f} rows/s" if step.rows else ""
                bar.update(tasks[key], completed=step.rows, total=step.total, speed=speed)

            for system_id in systems:
                create_system(loaded, system_id, url, drop=drop)
                summaries += fill_system(
                    loaded, system_id, url, people=people, seed=seed, now=moment,
                    tables=table or None, progress=show,
                )  # fmt: skip
    except SystemUnreachable as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    out.print(_summary(summaries))


def _summary(summaries: list[TableProgress]) -> Table:
    view = Table(title="Synthetic people written")
    view.add_column("system")
    view.add_column("table")
    view.add_column("rows", justify="right")
    view.add_column("seconds", justify="right")
    view.add_column("rows/s", justify="right")
    for step in summaries:
        view.add_row(
            step.system,
            step.table,
            f"{step.rows:,}",
            f"{step.seconds:.1f}",
            f"{step.rows_per_second:,.0f}",
        )
    view.add_row("", "total", f"{sum(s.rows for s in summaries):,}", "", "", style="bold")
    return view
