"""``gardien consent …``: the consent/objection ledger, the suppression and restriction lists.

Exit codes: 0 done (for ``status``: allowed; for ``suppressed``: not suppressed), 1 the answer is
"no" (``status`` not allowed, ``suppressed`` on the list) or the store refused, 2 unusable input
or an event the law does not allow — nothing was recorded.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gardien.cli.console import EXIT_FINDINGS, handle_errors, out
from gardien.cli.options import (
    ActorOption,
    CommandContext,
    JsonOption,
    NowOption,
    RegistryOption,
    StoreOption,
    command_context,
    parse_now,
)
from gardien.clock import SystemClock
from gardien.consent.restriction import RestrictionEvent
from gardien.consent.subject import Subject
from gardien.errors import UsageError
from gardien.jobs import consent as desk
from gardien.registry.model import Registry

app = typer.Typer(
    help="Consent and objections (Art. 7, 21), the suppression list (R-RGT-05) and the "
    "restriction list (Art. 18): record, withdraw, and ask 'may we use X for purpose Y now?'.",
    no_args_is_help=True,
)

IdentityOption = Annotated[
    str,
    typer.Option(
        "--identity", help="The person: KIND=VALUE[,KIND=VALUE], e.g. email=jeanne@example.fr."
    ),
]
ActivityOption = Annotated[
    str, typer.Option("--activity", help="The processing activity (purpose) in the registry.")
]
ChannelOption = Annotated[
    str,
    typer.Option("--channel", help="How it was expressed: portal, email, phone, paper, api, cli."),
]
ProofOption = Annotated[
    str | None,
    typer.Option(
        "--proof",
        help="Proof or its reference (form id, letter, call id); for objection-lifted: "
        "the compelling legitimate grounds (Art. 21(1)).",
    ),
]
RequestOption = Annotated[
    str | None, typer.Option("--request", help="The rights request this answers, if any.")
]


def _person(c: CommandContext, identity: str) -> tuple[Registry, Subject]:
    """The registry and the person, digested with the settings' subject key."""
    return c.registry, desk.subject_for(c.registry, identity, c.settings.keys.subject)


def _recorded(result: desk.Recorded, as_json: bool) -> None:
    e = result.event
    if as_json:
        print(
            json.dumps(
                {
                    "event": e.seq,
                    "kind": e.kind.value,
                    "activity": e.activity,
                    "at": e.at.isoformat(),
                    "channel": e.channel.value,
                    "notice_version": e.notice_version,
                    "suppressed": result.suppressed,
                },
                indent=2,
            )
        )
        return
    out.print(
        f"recorded {e.kind.value} for activity '{e.activity}' (event #{e.seq}, "
        f"{e.at:%Y-%m-%d %H:%M} UTC, notice {e.notice_version})"
    )
    if e.prospecting and e.kind.value == "objection":
        out.print("the person's identifiers are on the suppression list (Art. 21(3), R-RGT-05)")


@app.command("record")
@handle_errors
def record(
    identity: IdentityOption,
    activity: ActivityOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="given | withdrawn | objection | objection-prospecting | objection-lifted.",
        ),
    ],
    channel: ChannelOption = "cli",
    proof: ProofOption = None,
    request: RequestOption = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Append an event to the ledger; events the law does not allow are refused (exit 2)."""
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    reg, subject = _person(c, identity)
    result = desk.record(
        c.engine,
        c.clock,
        reg,
        subject,
        activity,
        kind,
        channel=channel,
        actor=c.actor,
        proof=proof,
        request_id=request,
    )
    _recorded(result, as_json)


@app.command("withdraw")
@handle_errors
def withdraw(
    identity: IdentityOption,
    activity: ActivityOption,
    channel: ChannelOption = "cli",
    proof: ProofOption = None,
    request: RequestOption = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw consent, for the future only (Art. 7(3), R-RGT-10)."""
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    reg, subject = _person(c, identity)
    result = desk.record(
        c.engine,
        c.clock,
        reg,
        subject,
        activity,
        "withdrawn",
        channel=channel,
        actor=c.actor,
        proof=proof,
        request_id=request,
    )
    _recorded(result, as_json)


@app.command("status")
@handle_errors
def status(
    identity: IdentityOption,
    activity: ActivityOption,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Ask about this ISO instant (default: now), e.g. 2026-03-01T09:00."
        ),
    ] = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """May we use this person's data for this activity now (or --at)? Exit 0 yes, 1 no."""
    c = command_context(store=store, registry=registry)
    reg, subject = _person(c, identity)
    moment = _parse_at(at) or SystemClock().now()
    decision = desk.status(c.engine, reg, subject, activity, moment)
    if as_json:
        print(json.dumps(decision.as_json(), indent=2, ensure_ascii=False))
    else:
        word = "[green]yes[/green]" if decision.allowed else "[red]no[/red]"
        out.print(f"allowed: {word} — {decision.reason}", markup=True)
    if not decision.allowed:
        raise typer.Exit(EXIT_FINDINGS)


def _parse_at(text: str | None) -> datetime | None:
    try:
        return parse_now(text)
    except UsageError:
        raise UsageError(
            f"--at {text!r} is not an ISO date or datetime (e.g. 2026-11-22T10:00)"
        ) from None


@app.command("suppressed")
@handle_errors
def suppressed(
    identity: Annotated[
        str | None,
        typer.Option("--identity", help="Check one person (KIND=VALUE[,…]); exit 1 if suppressed."),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write the whole list as CSV (kind, digest, since) for other systems; digests "
            "are HMAC-SHA256(GARDIEN_SECRET_KEY, kind NUL normalised value).",
        ),
    ] = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Is this person on the suppression list (never prospected again, R-RGT-05)? Or export it."""
    if (identity is None) == (export is None):
        raise UsageError("give either --identity (check one person) or --export FILE.csv")
    c = command_context(store=store, registry=registry)
    engine = c.engine
    if export is not None:
        entries = desk.suppression_list(engine)
        with export.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["kind", "digest", "since"])
            for entry in entries:
                writer.writerow([entry.kind, entry.digest, entry.since.isoformat()])
        out.print(f"{len(entries)} suppressed identifier(s) written to {export}")
        return
    assert identity is not None
    _, subject = _person(c, identity)
    since = desk.suppressed_since(engine, subject)
    if as_json:
        print(
            json.dumps(
                {"suppressed": since is not None, "since": since.isoformat() if since else None}
            )
        )
    elif since is not None:
        out.print(
            f"suppressed since {since:%Y-%m-%d %H:%M} UTC: never prospect this person (Art. 21(3))"
        )
    else:
        out.print("not suppressed")
    if since is not None:
        raise typer.Exit(EXIT_FINDINGS)


def _restriction_json(change: desk.RestrictionChange) -> dict[str, object]:
    return {
        "restrictions": [_one(e) for e in change.events],
        "notify": change.notify,
    }


def _one(e: RestrictionEvent) -> dict[str, object]:
    return {
        "id": e.restriction_id,
        "kind": e.kind.value,
        "at": e.at.isoformat(),
        "reason": e.reason,
        "request": e.request_id,
        "notice": e.notice,
    }


def _print_notify(notify: list[str]) -> None:
    if notify:
        out.print(f"tell these recipients (Art. 19): {', '.join(notify)}")
    else:
        out.print("no recipient outside the organisation to tell (Art. 19)")


ActivitiesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--activity",
        help="Activities holding the person's data, to list the recipients to tell (Art. 19); "
        "repeat; default: every activity.",
    ),
]


@app.command("restrict")
@handle_errors
def restrict(
    identity: IdentityOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (Art. 18(1)(a)-(d)).")],
    request: RequestOption = None,
    activity: ActivitiesOption = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Restrict processing of a person's data: from now on it is only stored (Art. 18)."""
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    reg, subject = _person(c, identity)
    change = desk.restrict(
        c.engine,
        c.clock,
        reg,
        subject,
        reason=reason,
        request_id=request,
        actor=c.actor,
        activities=activity,
    )
    if as_json:
        print(json.dumps(_restriction_json(change), indent=2, ensure_ascii=False))
        return
    out.print(f"restriction {change.events[0].restriction_id} placed")
    _print_notify(change.notify)


@app.command("unrestrict")
@handle_errors
def unrestrict(
    identity: IdentityOption,
    notice: Annotated[
        str,
        typer.Option("--notice", help="What the person was told, when and how (Art. 18(3))."),
    ],
    restriction_id: Annotated[
        str | None, typer.Option("--id", help="Lift only this restriction (default: all in force).")
    ] = None,
    activity: ActivitiesOption = None,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lift a restriction, once the person has been told (Art. 18(3))."""
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    reg, subject = _person(c, identity)
    change = desk.unrestrict(
        c.engine,
        c.clock,
        reg,
        subject,
        notice=notice,
        actor=c.actor,
        restriction_id=restriction_id,
        activities=activity,
    )
    if as_json:
        print(json.dumps(_restriction_json(change), indent=2, ensure_ascii=False))
        return
    for e in change.events:
        out.print(f"restriction {e.restriction_id} lifted")
    _print_notify(change.notify)


@app.command("history")
@handle_errors
def history(
    identity: IdentityOption,
    registry: RegistryOption = None,
    store: StoreOption = None,
    now: NowOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every consent, objection and restriction event of a person (the read is audited)."""
    c = command_context(store=store, registry=registry, now=now, actor=actor)
    _, subject = _person(c, identity)
    entries = desk.history(c.engine, c.clock, subject, actor=c.actor)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "at": e.at.isoformat(),
                        "event": e.what,
                        "activity": e.activity,
                        "channel": e.channel,
                        "detail": e.detail,
                        "notice_version": e.notice_version,
                        "actor": e.actor,
                        "identifiers": e.identifiers,
                    }
                    for e in entries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"Consent history ({subject.describe()})")
    for name in ("at (UTC)", "event", "activity", "channel", "detail", "notice", "by"):
        table.add_column(name)
    for e in entries:
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M}",
            e.what,
            e.activity or "",
            e.channel or "",
            e.detail or "",
            e.notice_version or "",
            e.actor,
        )
    out.print(table)
