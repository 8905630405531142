"""Shared console output and the one place where gardien errors become exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from gardien.errors import GardienError, RegistryError, UsageError
from gardien.registry.findings import Finding, Severity

# Exit codes, the same for every command.
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran and found errors (legal findings, failed verification…)
EXIT_UNUSABLE = 2  # unusable input or usage: nothing was done

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def print_finding(finding: Finding, console: Console = err) -> None:
    style = "red" if finding.severity is Severity.ERROR else "yellow"
    console.print(
        f"[bold]{escape(finding.where())}[/bold]: [{style}]{finding.severity.value} {finding.code}[/{style}]: "
        f"{escape(finding.message)}",
        markup=True,
        emoji=False,  # rich would print file:100:3 as file💯3
    )
    details = []
    if finding.article:
        details.append(finding.article)
    if finding.hint:
        details.append(f"fix: {finding.hint}")
    if details:
        console.print(f"    [dim]{escape(' — '.join(details))}[/dim]", markup=True, emoji=False)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn gardien's errors into a message and an exit code; never a traceback for bad input."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RegistryError as exc:
            for finding in exc.findings:
                print_finding(finding)
            err.print(f"[red]the registry cannot be used: {len(exc.findings)} problem(s)[/red]")
            raise typer.Exit(EXIT_UNUSABLE) from None
        except UsageError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(EXIT_UNUSABLE) from None
        except GardienError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(EXIT_FINDINGS) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            sys.exit(130)

    return wrapper
