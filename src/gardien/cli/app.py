"""Assembles the ``gardien`` command from its groups."""

from __future__ import annotations

import typer

from gardien import __version__
from gardien.cli import (
    audit,
    check,
    consent,
    demo,
    fulfil,  # noqa: F401  (adds 'request run' and 'request export')
    holds,
    law,
    publish,
    requests,
    retention,
    serve,
    synthetic,
)

app = typer.Typer(
    name="gardien",
    help="gardien — privacy commitments as running software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("check")(check.check)
app.command("schema")(check.schema)
app.command("demo")(demo.demo)
app.command("notice")(publish.notice)
app.command("register")(publish.register)
app.add_typer(law.app, name="law")
app.add_typer(retention.app, name="retention")
app.add_typer(retention.systems_app, name="systems")
app.add_typer(holds.app, name="hold")
app.add_typer(consent.app, name="consent")
app.add_typer(requests.app, name="request")
app.add_typer(audit.app, name="audit")
app.add_typer(audit.archive_app, name="archive")
app.command("generate")(synthetic.generate)
app.command("serve")(serve.serve)
app.add_typer(serve.user_app, name="user")


@app.command("version")
def version() -> None:
    """Print gardien's version."""
    print(__version__)


def main() -> None:
    app()
