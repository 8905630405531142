"""``gardien request show|list``: a request, its deadlines and its timeline; the queue."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from gardien.cli.console import handle_errors
from gardien.cli.options import JsonOption, NowOption, StoreOption, command_context
from gardien.cli.requests.common import KINDS, IdArgument, dump, duration, say, verify_hint
from gardien.jobs import requests as jobs
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.states import RequestState


def _print_request(request: RightsRequest, now: datetime) -> None:
    data = jobs.as_json(request, now)
    lines = [
        f"request {request.id}",
        f"  kind        {request.kind.value} ({request.kind.article})",
        f"  state       {request.state.value}" + ("  OVERDUE" if data["overdue"] else ""),
        f"  identity    {', '.join(f'{k}={v}' for k, v in request.identity.items())}",
        f"  received    {request.received_at.isoformat()}",
        f"  due         {data['due'] or 'when a death is declared'}",
    ]
    if request.extension:
        lines.append(f"  extended to {data['extended_due']} — {request.extension.reason}")
    if data["identity_wait_seconds"] is not None:
        lines.append(
            f"  waited      {duration(data['identity_wait_seconds'])} for proof of identity"
        )
    if request.state in (RequestState.RECEIVED, RequestState.AWAITING_IDENTITY):
        lines.append(f"  to do       {verify_hint(request.id)}")
    if request.death:
        lines.append(f"  death       {request.death.died_on.isoformat()} (directive actionable)")
    if request.details.directive_action:
        action = request.details.directive_action
        lines.append(f"  carry out   {action.value} ({action.law_term}, Loi 78-17 art. 85)")
    if request.text:
        lines.append(f"  text        {request.text}")
    for name, value in request.details.as_json().items():
        if value and name != "directive_action":
            lines.append(f"  {name:<11} {value}")
    lines.append("  timeline")
    for entry in request.timeline:
        reason = f" — {entry.reason}" if entry.reason else ""
        lines.append(
            f"    {entry.at:%Y-%m-%d %H:%M} {entry.action.value:<17} → {entry.to_state.value:<17}"
            f" by {entry.actor}{reason}"
        )
    if request.result is not None:
        lines.append(f"  result      {json.dumps(dict(request.result), ensure_ascii=False)}")
    for line in lines:
        say(line)


@handle_errors
def show(
    request_id: IdArgument,
    store: StoreOption = None,
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """One request, its deadlines and its timeline.

    With --json, prints {"id", "kind", "article", "state", "identity", "channel",
    "received_at", "country", "due", "extended_due", "extended", "extension_reason",
    "answer_by", "overdue", "identity_wait_seconds", "text", "details", "death",
    "actionable", "result", "timeline": [{"at", "actor", "action", "from", "to", "reason",
    "details"}]}.
    """
    c = command_context(store=store, now=now)
    request = jobs.show(c.engine, request_id)
    moment = c.clock.now()
    if as_json:
        dump(jobs.as_json(request, moment))
    else:
        _print_request(request, moment)


@handle_errors
def list_requests(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open requests past their deadline.")
    ] = False,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help=f"Only this state: {', '.join(s.value for s in RequestState)}."
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=f"Only this kind: {KINDS}.")] = None,
    store: StoreOption = None,
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Requests by deadline in force (extended ones by their extended date).

    With --json, prints a list of requests shaped as 'show --json' without "timeline".
    """
    wanted_state = RequestState.parse(state) if state else None
    wanted_kind = RequestKind.parse(kind) if kind else None
    c = command_context(store=store, now=now)
    moment = c.clock.now()
    found = jobs.list_requests(
        c.engine,
        state=wanted_state,
        kind=wanted_kind,
        overdue_at=moment if overdue else None,
    )
    if as_json:
        dump([jobs.as_json(r, moment, timeline=False) for r in found])
        return
    if not found:
        say("no request")
        return
    # One line per request, id in full: it is copied into the other commands.
    for r in found:
        flag = "OVERDUE" if r.overdue(moment.date()) else ("extended" if r.extended else "")
        answer_by = r.answer_by.isoformat() if r.answer_by else "—"
        say(
            f"{answer_by:<10}  {r.id}  {r.kind.value:<21} {r.state.value:<17} "
            f"received {r.received_at:%Y-%m-%d}  {flag}".rstrip()
        )
