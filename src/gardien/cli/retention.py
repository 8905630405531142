"""``gardien retention plan|run|runs`` and ``gardien systems check``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
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
from gardien.connectors.sql import connectors_for, safe_url
from gardien.jobs import retention as job
from gardien.jobs import stored_identifiers as stored
from gardien.retention.executor import DEFAULT_BATCH_SIZE
from gardien.retention.executor import Progress as Progress_
from gardien.retention.policy import TableAction
from gardien.store import journal

app = typer.Typer(
    help="Enforce retention inside the declared systems (R-RET-01…09).", no_args_is_help=True
)
systems_app = typer.Typer(
    help="The organisation's data stores declared in the registry.", no_args_is_help=True
)


def action_json(action: TableAction, rows: int, held: int) -> dict[str, Any]:
    return {
        "system": action.system,
        "table": action.table,
        "stage": action.stage.value,
        "action": action.kind.value,
        "rows": rows,
        "held": held,
    }


def _totals(actions: list[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {"rows": 0, "held": 0}
    for item in actions:
        totals[item["action"]] = totals.get(item["action"], 0) + item["rows"]
        totals["rows"] += item["rows"]
        totals["held"] += item["held"]
    return totals


def print_actions(title: str, actions: list[dict[str, Any]]) -> None:
    table = Table(title=title)
    for name in ("system", "table", "stage", "action"):
        table.add_column(name)
    table.add_column("rows", justify="right")
    table.add_column("held", justify="right")
    for item in actions:
        if item["rows"] or item["held"]:
            table.add_row(
                item["system"],
                item["table"],
                item["stage"],
                item["action"],
                f"{item['rows']:,}",
                f"{item['held']:,}",
            )
    out.print(table)
    totals = _totals(actions)
    out.print(f"total: {totals['rows']:,} row(s) changed, {totals['held']:,} kept by legal holds")


@contextmanager
def run_progress() -> Iterator[Progress_]:
    """A progress bar per action of a retention run, for people watching it."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TimeElapsedColumn(),
        console=out,
        transient=False,
    ) as bar:
        tasks: dict[int, TaskID] = {}

        def progress(action: TableAction, rows: int, done: bool) -> None:
            if id(action) not in tasks:
                tasks[id(action)] = bar.add_task(action.label, total=1, rows=0)
            bar.update(tasks[id(action)], rows=rows, completed=1 if done else 0)

        yield progress


@app.command("plan")
@handle_errors
def plan(
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """What a run would do now: rows to archive, delete or anonymise per table, and rows held."""
    c = command_context(store=store, registry=registry, now=now)
    connectors = connectors_for(c.registry)
    retention_plan, counted = job.plan(c.registry, c.engine, c.clock.now(), connectors)
    reviews = job.under_review(retention_plan, connectors)
    actions = [action_json(p.action, p.rows, p.held) for p in counted]
    if as_json:
        print(
            json.dumps(
                {
                    "now": retention_plan.now.isoformat(),
                    "actions": actions,
                    "totals": _totals(actions),
                    "under_review": [review_json(r) for r in reviews],
                },
                indent=2,
            )
        )
    else:
        print_actions(f"Retention plan at {retention_plan.now:%Y-%m-%d %H:%M} UTC", actions)
        print_reviews(reviews)


def review_json(review: job.UnderReview) -> dict[str, Any]:
    return {
        "system": review.system,
        "table": review.table,
        "rows": review.rows,
        "first_keys": list(review.first_keys),
        "reasons": list(review.reasons),
    }


def print_reviews(reviews: list[job.UnderReview]) -> None:
    """Rows kept only because their start date is unknown (issue 10 §5): never silently."""
    for review in reviews:
        shown = ", ".join(review.first_keys)
        more = "…" if review.rows > len(review.first_keys) else ""
        out.print(
            f"[yellow]under review[/yellow]: {review.system}.{review.table}: "
            f"{review.rows:,} row(s) kept because their start date is unknown "
            f"(keys {escape(shown)}{more})",
            emoji=False,
        )
        for reason in review.reasons:
            out.print(f"  - {escape(reason)}", emoji=False)


@app.command("run")
@handle_errors
def run(
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; change nothing.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, help="Rows per batch (each batch is one transaction)."),
    ] = DEFAULT_BATCH_SIZE,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Abandon an unfinished run instead of resuming it.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            metavar="SECONDS",
            help="If another retention run is in progress, wait for it at most this long "
            "(default: do not wait; say who holds it and stop).",
        ),
    ] = 0.0,
) -> None:
    """Archive, delete or anonymise what no purpose justifies any more; resumes a killed run."""
    if dry_run:
        plan(registry=registry, store=store, now=now, as_json=as_json)
        return
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    reg, clock, engine = c.registry, c.clock, c.engine
    checkpoint = test_hook.from_environment()  # None outside gardien's own tests
    if as_json:
        outcome = job.run(
            reg,
            engine,
            clock,
            clock.now(),
            actor=c.actor,
            batch_size=batch_size,
            fresh=fresh,
            wait=wait,
            checkpoint=checkpoint,
            anchoring=c.settings.anchoring,
        )
    else:
        with run_progress() as progress:
            outcome = job.run(
                reg,
                engine,
                clock,
                clock.now(),
                actor=c.actor,
                batch_size=batch_size,
                progress=progress,
                fresh=fresh,
                wait=wait,
                checkpoint=checkpoint,
                anchoring=c.settings.anchoring,
            )
    actions = [action_json(r.action, r.rows, r.held) for r in outcome.report.results]
    document = {
        "run": outcome.report.run_id,
        "resumed": outcome.resumed,
        "now": outcome.report.now.isoformat(),
        "actions": actions,
        "totals": _totals(actions),
    }
    if as_json:
        print(json.dumps(document, indent=2))
    else:
        note = " (resumed an interrupted run)" if outcome.resumed else ""
        print_actions(f"Retention run {outcome.report.run_id}{note}", actions)


@app.command("runs")
@handle_errors
def runs(
    store: StoreOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1)] = 20,
) -> None:
    """Past retention runs, newest first."""
    records = journal.runs(command_context(store=store).engine, limit)
    rows = [
        {
            "id": r.id,
            "now": r.now.isoformat(),
            "status": r.status,
            "started_at": r.started_at.isoformat(),
            "actor": r.actor,
            "error": r.error,
        }
        for r in records
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="Retention runs")
    for name in ("id", "now", "status", "started_at", "actor"):
        table.add_column(name)
    for r in records:
        table.add_row(
            r.id, f"{r.now:%Y-%m-%d %H:%M}", r.status, f"{r.started_at:%Y-%m-%d %H:%M}", r.actor
        )
    out.print(table)


@systems_app.command("check")
@handle_errors
def systems_check(
    registry: RegistryOption = None,
    as_json: JsonOption = False,
    sample: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows sampled per identity column.")
    ] = stored.SAMPLE,
) -> None:
    """Verify each declared system is reachable and has every table and column the registry
    names; sample each identity column for values not in normal form and print the index that
    keeps normalised look-ups fast (docs/identity.md)."""
    reg = command_context(registry=registry).registry
    connectors = connectors_for(reg)
    problems = job.check_systems(reg, connectors)
    undeclared = {
        sid: c.undeclared_columns(reg) if not problems[sid] else [] for sid, c in connectors.items()
    }
    fine = {sid: c for sid, c in connectors.items() if not problems[sid]}
    surveys = stored.survey_identity_columns(reg, fine, sample=sample)
    if as_json:
        print(
            json.dumps(
                {
                    sid: {
                        "url": safe_url(connectors[sid].url),
                        "problems": p,
                        "undeclared_columns": undeclared[sid],
                        "identity_columns": [_survey_json(s) for s in surveys if s.system == sid],
                    }
                    for sid, p in problems.items()
                },
                indent=2,
            )
        )
    else:
        for sid, found in problems.items():
            status = "[green]ok[/green]" if not found else f"[red]{len(found)} problem(s)[/red]"
            out.print(f"{sid} ({safe_url(connectors[sid].url)}): {status}")
            for problem in found:
                out.print(f"  - {problem}")
            for column in undeclared[sid]:
                out.print(
                    f"  [yellow]warning[/yellow]: column {column} is mapped to no data category"
                )
            for survey in (s for s in surveys if s.system == sid):
                _print_survey(survey)
    if any(problems.values()):
        raise typer.Exit(EXIT_FINDINGS)


def _survey_json(survey: stored.ColumnSurvey) -> dict[str, Any]:
    return {
        "column": survey.where,
        "kind": survey.kind,
        "normaliser": survey.normaliser,
        "sampled": survey.sampled,
        "not_canonical": survey.not_canonical,
        "malformed": survey.malformed,
        "examples": list(survey.examples),
        "advised_index": list(survey.index),
        "problem": survey.problem,
    }


def _print_survey(survey: stored.ColumnSurvey) -> None:
    head = f"  {survey.where} ({survey.kind}, normalised: {survey.normaliser})"
    if survey.problem is not None:
        out.print(f"{head}: [red]cannot be sampled[/red]: {survey.problem}", markup=True)
        return
    line = f"{head}: {survey.sampled} sampled"
    if survey.not_canonical:
        examples = ", ".join(survey.examples)
        line += f", [yellow]{survey.not_canonical} not in normal form[/yellow] (e.g. {examples})"
    if survey.malformed:
        line += f", [yellow]{survey.malformed} not a {survey.kind} at all[/yellow]"
    out.print(line)
    if survey.index:
        out.print("    advised index (look-ups compare the normal form):")
        for statement in survey.index:
            # soft_wrap: a line broken inside a quoted separator would change the SQL.
            out.print(f"      {statement}", markup=False, highlight=False, soft_wrap=True)
