"""Assembles the ``gardien`` command from its groups, each imported only when it runs.

``gardien --help`` and ``gardien version`` import none of the commands' modules (SQLAlchemy,
FastAPI, WeasyPrint, openpyxl, Faker, Jinja2 stay unloaded): the list of commands below holds
each one's module and its one-line help, and a command's module is imported when that command
is invoked (or its own ``--help`` asked). ``tests/cli/test_startup.py`` holds both: the help
lines match the commands' own, and ``--help`` loads no heavy module.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import typer
from typer import _click as click  # Typer carries its own click; its groups are of that one
from typer.core import TyperCommand, TyperGroup

from gardien import __version__


class Entry(NamedTuple):
    module: str
    attribute: str
    help: str
    group: bool
    """A Typer sub-app (``gardien request …``) rather than one command (``gardien check``)."""


# In the order ``gardien --help`` lists them.
COMMANDS: dict[str, Entry] = {
    "check": Entry("gardien.cli.check", "check", "Check a registry against the GDPR.", False),
    "schema": Entry(
        "gardien.cli.check",
        "schema",
        "Print the registry's JSON Schema (point your editor's YAML plug-in at it).",
        False,
    ),
    "demo": Entry(
        "gardien.cli.demo",
        "demo",
        "Check and publish the examples, then enforce retention on synthetic IMA PROTECT data.",
        False,
    ),
    "notice": Entry(
        "gardien.cli.publish",
        "notice",
        "Publish the privacy notice (GDPR Art. 13/14) from a registry.",
        False,
    ),
    "register": Entry(
        "gardien.cli.publish",
        "register",
        "Publish the record of processing activities (GDPR Art. 30) from a registry.",
        False,
    ),
    "law": Entry(
        "gardien.cli.law",
        "app",
        "Legal calculators: deadlines of rights requests (Art. 12(3) GDPR).",
        True,
    ),
    "retention": Entry(
        "gardien.cli.retention",
        "app",
        "Enforce retention inside the declared systems (R-RET-01…09).",
        True,
    ),
    "systems": Entry(
        "gardien.cli.retention",
        "systems_app",
        "The organisation's data stores declared in the registry.",
        True,
    ),
    "hold": Entry(
        "gardien.cli.holds",
        "app",
        "Legal holds: freeze what litigation or an authority needs (R-RET-05).",
        True,
    ),
    "consent": Entry(
        "gardien.cli.consent",
        "app",
        "Consent and objections (Art. 7, 21), the suppression list (R-RGT-05) and the "
        "restriction list (Art. 18): record, withdraw, and ask 'may we use X for purpose Y now?'.",
        True,
    ),
    "request": Entry(
        "gardien.cli.requests",
        "app",
        "Rights requests (GDPR Art. 12, 15–22): submit, verify identity, follow deadlines.",
        True,
    ),
    "audit": Entry("gardien.cli.audit", "app", "The tamper-evident audit trail.", True),
    "archive": Entry(
        "gardien.cli.archive", "app", "The restricted intermediate archive (R-RET-08).", True
    ),
    "generate": Entry(
        "gardien.cli.synthetic",
        "generate",
        "Create the tables of the declared systems and fill them with synthetic French people.",
        False,
    ),
    "serve": Entry(
        "gardien.cli.serve",
        "serve",
        "Serve the HTTP API (/api/v1, OpenAPI at /api/openapi.json) from $GARDIEN_* settings.",
        False,
    ),
    "user": Entry(
        "gardien.cli.users",
        "app",
        "Staff accounts: API tokens and back-office passwords.",
        True,
    ),
}


def load(name: str) -> click.Command:
    """The real command ``name``: its module imported, turned into a click command."""
    entry = COMMANDS[name]
    target: Any = getattr(importlib.import_module(entry.module), entry.attribute)
    command: click.Command
    if entry.group:
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The top-level group: lists every command from ``COMMANDS`` and imports one only when
    it is resolved to run (or to print its own help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = super().get_command(ctx, cmd_name)
        if known is not None or cmd_name not in COMMANDS:
            return known
        # Listing commands (help): a stand-in that carries the one-line help, nothing imported.
        entry = COMMANDS[cmd_name]
        return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            self.commands[name] = load(name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="gardien",
    help="gardien — privacy commitments as running software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _group() -> None:
    # A callback keeps ``gardien`` a group: with one registered command and no callback,
    # Typer would make that command the whole program.
    pass


@app.command("version")
def version() -> None:
    """Print gardien's version."""
    print(__version__)


def main() -> None:
    app()
