"""``gardien check`` and ``gardien schema``: lint a registry against the law; print its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from gardien.cli.console import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNUSABLE,
    err,
    handle_errors,
    out,
    print_finding,
)
from gardien.registry.checker import check_path
from gardien.registry.model import Registry

# Beyond this, a terminal shows a wall nobody reads (and rich takes seconds to print 30,000
# findings); the summary still counts them all and --json lists them all.
MAX_PRINTED = 1000


@handle_errors
def check(
    path: Annotated[Path, typer.Argument(help="Registry file, or directory of YAML files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as a JSON list.")] = False,
    systems: Annotated[
        bool,
        typer.Option(
            "--systems",
            help="Also read the declared systems' schemas (which date columns may be empty); "
            "systems that do not answer are checked as if every column could be.",
        ),
    ] = False,
) -> None:
    """Check a registry against the GDPR. Exit 0: no errors; 1: errors found; 2: unusable input."""
    reflect = None
    if systems:
        from gardien.jobs.retention import column_facts

        reflect = column_facts
    report = check_path(path, reflect=reflect)
    if as_json:
        print(json.dumps([f.as_json() for f in report.findings], ensure_ascii=False, indent=2))
    else:
        for finding in report.findings[:MAX_PRINTED]:
            print_finding(finding, out)
        if len(report.findings) > MAX_PRINTED:
            more = len(report.findings) - MAX_PRINTED
            out.print(f"… and {more:,} more finding(s): --json lists them all", emoji=False)
        summary = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        where = escape(str(path))
        if not report.usable:
            err.print(f"[red]{where}: the registry cannot be read[/red] — {summary}", emoji=False)
        elif report.errors:
            err.print(f"[red]{where}: {summary}[/red]", emoji=False)
        else:
            out.print(f"[green]{where}: no errors[/green] — {summary}", emoji=False)
    if not report.usable:
        raise typer.Exit(EXIT_UNUSABLE)
    raise typer.Exit(EXIT_FINDINGS if report.errors else EXIT_OK)


def schema() -> None:
    """Print the registry's JSON Schema (point your editor's YAML plug-in at it)."""
    document = Registry.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "gardien registry"
    print(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
