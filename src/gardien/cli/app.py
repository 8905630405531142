"""Assembles the ``gardien`` command from its groups."""

from __future__ import annotations

import typer

from gardien import __version__
from gardien.cli import check, law

app = typer.Typer(
    name="gardien",
    help="gardien — privacy commitments as running software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("check")(check.check)
app.command("schema")(check.schema)
app.add_typer(law.app, name="law")


@app.command("version")
def version() -> None:
    """Print gardien's version."""
    print(__version__)


def main() -> None:
    app()
