"""``gardien request extend|refuse|cancel|declare-death``: the decisions on a request
(Art. 12(3)-(5), Loi 78-17 art. 85), thin over ``gardien.jobs.requests``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from gardien.cli.console import handle_errors
from gardien.cli.options import ActorOption, JsonOption, NowOption, StoreOption, command_context
from gardien.cli.requests.common import IdArgument, ReasonOption, dump, say
from gardien.errors import UsageError
from gardien.jobs import requests as jobs
from gardien.requests.model import RightsRequest


def _decision(verb: str, request: RightsRequest, as_json: bool, now: datetime) -> None:
    if as_json:
        dump(jobs.as_json(request, now))
    else:
        say(f"request {request.id} {verb}: {request.state.value}, answer by {request.answer_by}")


@handle_errors
def extend(
    request_id: IdArgument,
    reason: ReasonOption,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Extend the period by two months (Art. 12(3)): once, reasoned, before the first due date.

    With --json, prints the request as 'show --json' does.
    """
    c = command_context(store=store, now=now, actor=actor)
    clock = c.clock
    request = jobs.extend(c.engine, clock, request_id, actor=c.actor, reason=reason)
    _decision("extended", request, as_json, clock.now())


@handle_errors
def refuse(
    request_id: IdArgument,
    reason: ReasonOption,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refuse a manifestly unfounded or excessive request, with a written reason (Art. 12(5)).

    With --json, prints the request as 'show --json' does.
    """
    c = command_context(store=store, now=now, actor=actor)
    clock = c.clock
    request = jobs.refuse(c.engine, clock, request_id, actor=c.actor, reason=reason)
    _decision("refused", request, as_json, clock.now())


@handle_errors
def cancel(
    request_id: IdArgument,
    reason: ReasonOption,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a request withdrawn by the person, before its execution starts.

    With --json, prints the request as 'show --json' does.
    """
    c = command_context(store=store, now=now, actor=actor)
    clock = c.clock
    request = jobs.cancel(c.engine, clock, request_id, actor=c.actor, reason=reason)
    _decision("cancelled", request, as_json, clock.now())


@handle_errors
def declare_death(
    request_id: IdArgument,
    died_on: Annotated[str, typer.Option("--date", help="Date of death (ISO, e.g. 2031-06-01).")],
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a death on a post-mortem directive (Loi 78-17 art. 85): it becomes actionable.

    With --json, prints the request as 'show --json' does.
    """
    try:
        day = date.fromisoformat(died_on)
    except ValueError:
        raise UsageError(f"--date {died_on!r} is not an ISO date such as 2031-06-01") from None
    c = command_context(store=store, now=now, actor=actor)
    clock = c.clock
    request = jobs.declare_death(c.engine, clock, request_id, actor=c.actor, died_on=day)
    _decision("death declared", request, as_json, clock.now())
