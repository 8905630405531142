"""``gardien law …``: the legal calculators, from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import typer

from gardien.cli.console import handle_errors, out
from gardien.errors import UsageError
from gardien.law.deadlines import DEFAULT_COUNTRY, request_deadline

app = typer.Typer(
    help="Legal calculators: deadlines of rights requests (Art. 12(3) GDPR).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _parse_received(value: str) -> date:
    """A receipt date ``YYYY-MM-DD`` (an ISO date-time is accepted; its date is used)."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise UsageError(
            f"--received: {value!r} is not a date; expected YYYY-MM-DD (e.g. 2025-01-31)"
        ) from None


@app.command("deadline")
@handle_errors
def deadline(
    received: Annotated[
        str,
        typer.Option(
            "--received",
            metavar="DATE",
            help="Day the request was received, YYYY-MM-DD (not counted, Reg. 1182/71 art. 3(1)).",
        ),
    ],
    extended: Annotated[
        bool,
        typer.Option(
            "--extended", help="Also give the due date extended by two months (Art. 12(3))."
        ),
    ] = False,
    country: Annotated[
        str,
        typer.Option(
            "--country",
            help="Controller's country (ISO 3166-1 code) whose public holidays apply.",
        ),
    ] = DEFAULT_COUNTRY,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print received, due, extended_due and country as JSON."),
    ] = False,
) -> None:
    """Print when a rights request must be answered (Art. 12(3) GDPR, Reg. 1182/71)."""
    result = request_deadline(_parse_received(received), country)
    if as_json:
        document = {
            "received": result.received.isoformat(),
            "due": result.due.isoformat(),
            "extended_due": result.extended_due.isoformat() if extended else None,
            "country": result.country,
        }
        print(json.dumps(document))
        return
    out.print(f"received:  {result.received.isoformat()} ({result.country} public holidays)")
    out.print(f"due:       {_day(result.due)}  (Art. 12(3): one month from receipt)")
    if extended:
        out.print(
            f"notify by: {_day(result.extension_notice_by)}  "
            "(reasoned notice of the extension, within the first month)"
        )
        out.print(f"extended:  {_day(result.extended_due)}  (two further months, Art. 12(3))")


def _day(day: date) -> str:
    return f"{day.isoformat()} {day.strftime('%a')}"
