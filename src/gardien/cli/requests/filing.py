"""``gardien request submit|send-code|verify``: filing a request and proving who asks
(R-RGT-11), thin over ``gardien.jobs.filing`` and ``gardien.jobs.identity``."""

from __future__ import annotations

from typing import Annotated

import typer

from gardien.cli.console import handle_errors
from gardien.cli.options import (
    ActorOption,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    command_context,
)
from gardien.cli.requests.common import (
    KINDS,
    IdArgument,
    dump,
    duration,
    parse_fields,
    parse_instant,
    say,
)
from gardien.errors import GardienError, UsageError
from gardien.identity import parse_identity
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.jobs.filing import ColumnLengths
from gardien.registry.model import Registry
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails


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
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    details = RequestDetails(
        fields=parse_fields(field),
        activity=activity,
        purpose=purpose,
        directive=directive,
        trusted_third_party=trusted_party,
        directive_action=DirectiveAction.parse(directive_action) if directive_action else None,
    )
    filed = filing.file_request(
        c.engine,
        c.clock,
        c.registry,
        actor=c.actor,
        kind=request_kind,
        identity=people,
        notifier=None if no_code else c.notifier,
        received_at=parse_instant("--received-at", received_at) if received_at else None,
        channel=channel,
        text=text,
        details=details,
        systems=_systems(c.registry) if details.fields else None,
    )
    request, delivery, problem = filed.request, filed.code, filed.code_error
    if as_json:
        dump(
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
        say(f"request {request.id} ({request.kind.value}, {request.kind.article}) due {due}")
        if delivery is not None:
            say(
                f"one-time code sent by {delivery.channel} to {delivery.to} ({delivery.where}), "
                f"valid until {delivery.expires_at:%Y-%m-%d %H:%M} UTC"
            )
        elif problem is None:
            say(
                f"no code sent: verify the identity with gardien request verify {request.id} "
                '--attest "passport checked by NAME"'
            )
    if problem is not None:
        raise GardienError(
            f"request {request.id} is recorded but its code was not sent: {problem}; "
            f"retry with 'gardien request send-code {request.id}'"
        )


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
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    delivery = proof.send_code(
        c.engine,
        c.clock,
        request_id,
        actor=c.actor,
        notifier=c.notifier,
        controller=c.registry.controller.name,
    )
    if as_json:
        dump(
            {
                "id": request_id,
                "channel": delivery.channel,
                "to": delivery.to,
                "expires_at": delivery.expires_at.isoformat(),
                "where": delivery.where,
            }
        )
    else:
        say(f"code sent by {delivery.channel} to {delivery.to} ({delivery.where})")


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
    identifier: Annotated[
        list[str] | None,
        typer.Option(
            "--identifier",
            help="With --attest: an identifier kind it proves (repeat; default: all of them).",
        ),
    ] = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the person's identity (R-RGT-11) by code or by an agent's attestation.

    The code proves the identifier it was sent to; --attest the --identifier kinds named (all
    by default), also on a request verified by its code. Only proven identifiers are searched.
    With --json, prints the request as 'show --json' does.
    """
    if (code is None) == (attest is None):
        raise UsageError('give either --code CODE or --attest "document checked by NAME"')
    if identifier and code is not None:
        raise UsageError("--identifier goes with --attest: a code proves where it was sent")
    c = command_context(store=store, now=now, actor=actor)
    engine, clock = c.engine, c.clock
    if code is not None:
        request = proof.verify_code(engine, clock, request_id, code, actor=c.actor)
    else:
        request = proof.attest(
            engine, clock, request_id, actor=c.actor, attestation=attest or "",
            identifiers=identifier or None,
        )  # fmt: skip
    if as_json:
        dump(jobs.as_json(request, clock.now()))
    else:
        wait = jobs.identity_wait_seconds(request, clock.now()) or 0
        proven = ", ".join(f"{k} ({p.method.value})" for k, p in sorted(request.proofs.items()))
        say(f"request {request.id}: identity verified (waited {duration(wait)}); proven: {proven}")
        if request.scope.not_searched:
            left = ", ".join(sorted(request.scope.not_searched))
            say(f"  not proven, so not searched: {left} (attest them with --identifier)")


def _systems(registry: Registry) -> dict[str, ColumnLengths]:
    """The declared systems' connections: their schemas bound a rectified value's length."""
    from gardien.connectors.sql import connectors_for  # imported when a rectification is filed

    return dict(connectors_for(registry))
