"""``gardien request submit|send-code|verify|show|list|extend|refuse|cancel|declare-death``.

The rights-request workflow from the command line (issue 4 §2, §4). ``run`` and ``export``,
which execute a request across the systems, are wired elsewhere around ``jobs.requests.start``
and ``jobs.requests.complete``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from gardien.cli.console import handle_errors, out
from gardien.cli.options import (
    ActorOption,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    actor_name,
    clock_for,
    registry_path,
)
from gardien.errors import GardienError, UsageError
from gardien.identity import parse_identity
from gardien.jobs import requests as jobs
from gardien.notify import NotificationError, notifier_from_env
from gardien.registry.loader import load_registry
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import RequestState
from gardien.store.database import open_store

app = typer.Typer(
    help="Rights requests (GDPR Art. 12, 15–22): submit, verify identity, follow deadlines.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(help="The request's id (see 'gardien request list').")]
KINDS = ", ".join(k.value for k in RequestKind)


def verify_hint(request_id: str) -> str:
    """How to verify an identity from the command line (R-RGT-11)."""
    return (
        f"verify the identity first: gardien request verify {request_id} --code CODE "
        f'(the code sent to the person) or --attest "passport checked by NAME"'
    )


def _parse_instant(option: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not an ISO date or datetime (e.g. 2026-03-05 or "
            "2026-03-05T09:30+01:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_fields(values: list[str] | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--field {item!r}: write NAME=VALUE, e.g. --field last_name=Martin")
        if name.strip() in fields:
            raise UsageError(f"--field {name.strip()} is given twice")
        fields[name.strip()] = value
    return fields


def _dump(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _say(text: str) -> None:
    out.print(escape(text))


@app.command("submit")
@handle_errors
def submit(
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"One of: {KINDS}.")],
    identity: Annotated[
        str,
        typer.Option(
            "--identity",
            "-i",
            help="Who asks, as KIND=VALUE[,KIND=VALUE]: email=…,phone=…,customer_number=…",
        ),
    ],
    received_at: Annotated[
        str | None,
        typer.Option(
            "--received-at",
            help="When the request was received (ISO; default now). Art. 12(3) counts from it.",
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel", help="Where the one-time code goes: email or phone (default email)."
        ),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="The request in the person's words.")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="Rectification: NAME=ACCURATE_VALUE; repeat for several."),
    ] = None,
    activity: Annotated[
        str | None,
        typer.Option("--activity", help="Objection or consent withdrawal: the activity's id."),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Objection or consent withdrawal: the purpose, in words."),
    ] = None,
    directive: Annotated[
        str | None,
        typer.Option("--directive", help="Post-mortem directive: the person's words."),
    ] = None,
    trusted_party: Annotated[
        str | None,
        typer.Option("--trusted-party", help="Post-mortem directive: the designated third party."),
    ] = None,
    directive_action: Annotated[
        str | None,
        typer.Option(
            "--directive-action",
            help=(
                "Post-mortem directive (required): keep, erase or communicate (to the trusted "
                "party), carried out once the death is declared (Loi 78-17 art. 85)."
            ),
        ),
    ] = None,
    no_code: Annotated[
        bool, typer.Option("--no-code", help="Do not send a one-time code (attest instead).")
    ] = False,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a request, set its Art. 12(3) due dates and send a one-time code to the person.

    The code goes to the outbox folder ($GARDIEN_OUTBOX, ./outbox) or by SMTP when
    $GARDIEN_SMTP_URL is set. With --json, prints
    {"id", "kind", "article", "state", "received_at", "due", "extended_due",
    "code": {"channel", "to" (masked), "expires_at", "where"} | null}.
    """
    request_kind = RequestKind.parse(kind)
    people = parse_identity(identity)
    reg = load_registry(registry_path(registry))
    clock = clock_for(now)
    engine = open_store(store)
    details = RequestDetails(
        fields=_parse_fields(field),
        activity=activity,
        purpose=purpose,
        directive=directive,
        trusted_third_party=trusted_party,
        directive_action=DirectiveAction.parse(directive_action) if directive_action else None,
    )
    request = jobs.submit(
        engine,
        clock,
        actor=actor_name(actor),
        kind=request_kind,
        identity=people,
        registry=reg,
        received_at=_parse_instant("--received-at", received_at) if received_at else None,
        channel=channel,
        text=text,
        details=details,
    )
    delivery: jobs.CodeDelivery | None = None
    problem: str | None = None
    if not no_code and request.channel is not None:
        try:
            delivery = jobs.send_code(
                engine,
                clock,
                request.id,
                actor=actor_name(actor),
                notifier=notifier_from_env(),
                controller=reg.controller.name,
            )
        except NotificationError as exc:
            problem = str(exc)
        else:
            request = jobs.show(engine, request.id)
    if as_json:
        _dump(
            {
                "id": request.id,
                "kind": request.kind.value,
                "article": request.kind.article,
                "state": request.state.value,
                "received_at": request.received_at.isoformat(),
                "due": request.due.isoformat() if request.due else None,
                "extended_due": request.extended_due.isoformat() if request.extended_due else None,
                "code": (
                    {
                        "channel": delivery.channel,
                        "to": delivery.to,
                        "expires_at": delivery.expires_at.isoformat(),
                        "where": delivery.where,
                    }
                    if delivery
                    else None
                ),
            }
        )
    else:
        due = request.due.isoformat() if request.due else "when a death is declared"
        _say(f"request {request.id} ({request.kind.value}, {request.kind.article}) due {due}")
        if delivery is not None:
            _say(
                f"one-time code sent by {delivery.channel} to {delivery.to} ({delivery.where}), "
                f"valid until {delivery.expires_at:%Y-%m-%d %H:%M} UTC"
            )
        elif problem is None:
            _say(
                f"no code sent: verify the identity with gardien request verify {request.id} "
                '--attest "passport checked by NAME"'
            )
    if problem is not None:
        raise GardienError(
            f"request {request.id} is recorded but its code was not sent: {problem}; "
            f"retry with 'gardien request send-code {request.id}'"
        )


@app.command("send-code")
@handle_errors
def send_code(
    request_id: IdArgument,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send a new one-time code (the previous one stops working).

    With --json, prints {"id", "channel", "to" (masked), "expires_at", "where"}.
    """
    reg = load_registry(registry_path(registry))
    delivery = jobs.send_code(
        open_store(store),
        clock_for(now),
        request_id,
        actor=actor_name(actor),
        notifier=notifier_from_env(),
        controller=reg.controller.name,
    )
    if as_json:
        _dump(
            {
                "id": request_id,
                "channel": delivery.channel,
                "to": delivery.to,
                "expires_at": delivery.expires_at.isoformat(),
                "where": delivery.where,
            }
        )
    else:
        _say(f"code sent by {delivery.channel} to {delivery.to} ({delivery.where})")


@app.command("verify")
@handle_errors
def verify(
    request_id: IdArgument,
    code: Annotated[
        str | None, typer.Option("--code", help="The one-time code the person received.")
    ] = None,
    attest: Annotated[
        str | None,
        typer.Option("--attest", help='An agent\'s attestation: "passport checked by A. Martin".'),
    ] = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the person's identity (R-RGT-11) by code or by an agent's attestation.

    With --json, prints the request as 'show --json' does.
    """
    if (code is None) == (attest is None):
        raise UsageError('give either --code CODE or --attest "document checked by NAME"')
    engine, clock = open_store(store), clock_for(now)
    if code is not None:
        request = jobs.verify_code(engine, clock, request_id, code, actor=actor_name(actor))
    else:
        request = jobs.attest(
            engine, clock, request_id, actor=actor_name(actor), attestation=attest or ""
        )
    if as_json:
        _dump(jobs.as_json(request, clock.now()))
    else:
        wait = jobs.identity_wait_seconds(request, clock.now()) or 0
        _say(f"request {request.id}: identity verified (waited {_duration(wait)})")


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"


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
            f"  waited      {_duration(data['identity_wait_seconds'])} for proof of identity"
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
        _say(line)


@app.command("show")
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
    request = jobs.show(open_store(store), request_id)
    moment = clock_for(now).now()
    if as_json:
        _dump(jobs.as_json(request, moment))
    else:
        _print_request(request, moment)


@app.command("list")
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
    moment = clock_for(now).now()
    found = jobs.list_requests(
        open_store(store),
        state=wanted_state,
        kind=wanted_kind,
        overdue_at=moment if overdue else None,
    )
    if as_json:
        _dump([jobs.as_json(r, moment, timeline=False) for r in found])
        return
    if not found:
        _say("no request")
        return
    # One line per request, id in full: it is copied into the other commands.
    for r in found:
        flag = "OVERDUE" if r.overdue(moment.date()) else ("extended" if r.extended else "")
        answer_by = r.answer_by.isoformat() if r.answer_by else "—"
        _say(
            f"{answer_by:<10}  {r.id}  {r.kind.value:<21} {r.state.value:<17} "
            f"received {r.received_at:%Y-%m-%d}  {flag}".rstrip()
        )


def _decision(verb: str, request: RightsRequest, as_json: bool, now: datetime) -> None:
    if as_json:
        _dump(jobs.as_json(request, now))
    else:
        _say(f"request {request.id} {verb}: {request.state.value}, answer by {request.answer_by}")


ReasonOption = Annotated[str, typer.Option("--reason", help="The reason, in writing.")]


@app.command("extend")
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
    clock = clock_for(now)
    request = jobs.extend(
        open_store(store), clock, request_id, actor=actor_name(actor), reason=reason
    )
    _decision("extended", request, as_json, clock.now())


@app.command("refuse")
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
    clock = clock_for(now)
    request = jobs.refuse(
        open_store(store), clock, request_id, actor=actor_name(actor), reason=reason
    )
    _decision("refused", request, as_json, clock.now())


@app.command("cancel")
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
    clock = clock_for(now)
    request = jobs.cancel(
        open_store(store), clock, request_id, actor=actor_name(actor), reason=reason
    )
    _decision("cancelled", request, as_json, clock.now())


@app.command("declare-death")
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
    clock = clock_for(now)
    request = jobs.declare_death(
        open_store(store), clock, request_id, actor=actor_name(actor), died_on=day
    )
    _decision("death declared", request, as_json, clock.now())
