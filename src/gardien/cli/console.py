"""Shared console output and the one place where gardien errors become exit codes.

An exit code derives from the error's ``kind`` (``EXIT_CODE``), never from its class; an error
about one input (``field``) gets the option that gives it as a hint (``--reason``), since the
domain's messages name no option.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from gardien.errors import GardienError, Kind, RegistryError
from gardien.registry.findings import Finding, Severity

# Exit codes, the same for every command.
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran and found errors (legal findings, failed verification…)
EXIT_UNUSABLE = 2  # unusable input or usage: nothing was done

EXIT_CODE: dict[Kind, int] = {
    Kind.INVALID_INPUT: EXIT_UNUSABLE,
    Kind.INVALID_CONFIGURATION: EXIT_UNUSABLE,  # the registry, the keys: fix them and re-run
    Kind.REFUSED: EXIT_FINDINGS,  # checked, and the answer is no (a wrong code)
    Kind.NOT_FOUND: EXIT_FINDINGS,  # looked up, and nothing has that id
    Kind.CONFLICT: EXIT_FINDINGS,
    Kind.FORBIDDEN: EXIT_FINDINGS,
    Kind.UNAUTHENTICATED: EXIT_FINDINGS,
    Kind.RATE_LIMITED: EXIT_FINDINGS,
    Kind.UNAVAILABLE: EXIT_FINDINGS,
    Kind.INTERNAL: EXIT_FINDINGS,
}

# The option that gives an input, where it is not ``--`` and the field's name in kebab case.
OPTIONS = {
    "fields": "--field NAME=VALUE",
    "trusted_party": "--trusted-party NAME",
    "attestation": "--attest",
    "keys": "--where-key",
    "directive_action": "--directive-action keep|erase|communicate",
}

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


def option_of(field: str) -> str:
    return OPTIONS.get(field, "--" + field.replace("_", "-"))


def message(exc: GardienError) -> str:
    """The error's message, with the option to correct when it is about one input."""
    text = str(exc)
    if exc.field and exc.kind is Kind.INVALID_INPUT:
        option = option_of(exc.field)
        if option.split()[0] not in text:
            text = f"{text} ({option})"
    return text


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
        except GardienError as exc:
            # The stable code last, for scripts: the same as the API's error.code.
            err.print(f"[red]error:[/red] {escape(message(exc))} [dim]\\[{exc.code}][/dim]")
            raise typer.Exit(EXIT_CODE[exc.kind]) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            sys.exit(130)

    return wrapper
