"""What the ``gardien request`` commands share: arguments, parsing, output."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from gardien.cli.console import out
from gardien.errors import UsageError
from gardien.requests.kinds import RequestKind

IdArgument = Annotated[str, typer.Argument(help="The request's id (see 'gardien request list').")]
ReasonOption = Annotated[str, typer.Option("--reason", help="The reason, in writing.")]
KINDS = ", ".join(k.value for k in RequestKind)


def verify_hint(request_id: str) -> str:
    """How to verify an identity from the command line (R-RGT-11)."""
    return (
        f"verify the identity first: gardien request verify {request_id} --code CODE "
        f'(the code sent to the person) or --attest "passport checked by NAME"'
    )


def parse_instant(option: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not an ISO date or datetime (e.g. 2026-03-05 or "
            "2026-03-05T09:30+01:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_fields(values: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--field {item!r}: write NAME=VALUE, e.g. --field last_name=Martin")
        if name.strip() in fields:
            raise UsageError(f"--field {name.strip()} is given twice")
        fields[name.strip()] = value
    return fields


def dump(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def say(text: str) -> None:
    out.print(escape(text))


def duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"
