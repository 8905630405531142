"""``/api/v1/consent``, ``/api/v1/suppression``, ``/api/v1/restriction``: the ledger and the
lists other systems ask before using a person's data (Art. 7, 18, 21; R-RGT-05)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from gardien.api.deps import context, require
from gardien.api.models import (
    ConsentEvent,
    ConsentRecorded,
    Identity,
    RestrictionCheckOut,
    RestrictionOut,
    StatusOut,
    StatusQuery,
    SubjectQuery,
    SuppressionEntryOut,
    SuppressionOut,
    Withdrawal,
)
from gardien.consent.subject import Subject
from gardien.jobs import consent as desk
from gardien.server.auth import Principal
from gardien.server.context import Context
from gardien.server.permissions import Permission as P
from gardien.store import consent as book

router = APIRouter(tags=["consent"])
Ctx = Annotated[Context, Depends(context)]


def subject(ctx: Context, identity: Identity) -> Subject:
    """Identifiers checked against the registry's kinds, normalised and digested with the key
    derived once at start (``Context.key``)."""
    text = ",".join(f"{kind}={value}" for kind, value in identity.items())
    return desk.subject_for(ctx.registry, text, ctx.key)


def _recorded(result: desk.Recorded) -> ConsentRecorded:
    e = result.event
    return ConsentRecorded(
        event=e.seq,
        kind=e.kind.value,
        activity=e.activity,
        at=e.at,
        channel=e.channel.value,
        notice_version=e.notice_version,
        suppressed=result.suppressed,
    )


@router.post("/consent/events", status_code=201, response_model=ConsentRecorded)
def record(
    body: ConsentEvent, ctx: Ctx, who: Annotated[Principal, Depends(require(P.CONSENT_WRITE))]
) -> ConsentRecorded:
    """Append a consent or objection event; what the law does not allow is refused (422)."""
    result = desk.record(
        ctx.engine, ctx.clock, ctx.registry, subject(ctx, body.identity), body.activity,
        body.kind, channel=body.channel, actor=who.actor, proof=body.proof,
        request_id=body.request_id,
    )  # fmt: skip
    return _recorded(result)


@router.post("/consent/withdraw", status_code=201, response_model=ConsentRecorded)
def withdraw(
    body: Withdrawal, ctx: Ctx, who: Annotated[Principal, Depends(require(P.CONSENT_WRITE))]
) -> ConsentRecorded:
    """Withdraw consent, for the future only (Art. 7(3))."""
    result = desk.record(
        ctx.engine, ctx.clock, ctx.registry, subject(ctx, body.identity), body.activity,
        "withdrawn", channel=body.channel, actor=who.actor, proof=body.proof,
        request_id=body.request_id,
    )  # fmt: skip
    return _recorded(result)


@router.post("/consent/status", response_model=StatusOut)
async def status(
    body: StatusQuery, ctx: Ctx, _: Annotated[Principal, Depends(require(P.CONSENT_CHECK))]
) -> StatusOut:
    """May we use this person's data for this activity now (or at ``at``)?

    The hot path, ``async`` (no thread hop): on PostgreSQL the checks received while a
    statement is out are answered together by the next one (``gardien.server.checks``); on SQLite
    one indexed statement in-process. Always what is committed when the check arrives: nothing
    is cached. Not audited: it reads no personal data (a yes/no and why).
    """
    person = subject(ctx, body.identity)
    at = body.at or ctx.clock.now()
    checks = ctx.checks()
    if checks is not None:
        # PostgreSQL: batched with the checks received meanwhile, awaited on the loop.
        record = await checks.record(person.digests, body.activity)
        decision = book.decision_of(ctx.registry, record, body.activity, at)
    elif ctx.inline_reads:
        # SQLite: an in-process read of some tens of µs; a worker-thread hop costs more.
        decision = desk.status(ctx.reads, ctx.registry, person, body.activity, at)
    else:
        # A network round trip: wait in a worker thread while the loop serves other calls.
        decision = await run_in_threadpool(
            desk.status, ctx.reads, ctx.registry, person, body.activity, at
        )
    return StatusOut(
        allowed=decision.allowed,
        reason=decision.reason,
        basis=decision.basis.value,
        activity=decision.activity,
        at=decision.at,
    )


@router.post("/suppression/check", response_model=SuppressionOut)
def suppression_check(
    body: SubjectQuery, ctx: Ctx, _: Annotated[Principal, Depends(require(P.CONSENT_CHECK))]
) -> SuppressionOut:
    """Is this person on the suppression list (never prospected again, R-RGT-05)?"""
    since = desk.suppressed_since(ctx.reads, subject(ctx, body.identity))
    return SuppressionOut(suppressed=since is not None, since=since)


@router.get("/suppression", response_model=list[SuppressionEntryOut])
def suppression_list(
    ctx: Ctx, _: Annotated[Principal, Depends(require(P.CONSENT_CHECK))]
) -> list[SuppressionEntryOut]:
    """The whole list as keyed digests (HMAC-SHA256 of kind NUL normalised value), for systems
    that hold the same key."""
    return [
        SuppressionEntryOut(kind=e.kind, digest=e.digest, since=e.since)
        for e in desk.suppression_list(ctx.reads)
    ]


@router.post("/restriction/check", response_model=RestrictionCheckOut)
def restriction_check(
    body: SubjectQuery, ctx: Ctx, _: Annotated[Principal, Depends(require(P.CONSENT_CHECK))]
) -> RestrictionCheckOut:
    """Is processing of this person's data restricted (only storage allowed, Art. 18)?"""
    found = desk.restrictions(ctx.reads, subject(ctx, body.identity), body.at)
    return RestrictionCheckOut(
        restricted=bool(found),
        restrictions=[
            RestrictionOut(
                id=r.restriction_id, placed_at=r.at, reason=r.reason, request_id=r.request_id
            )
            for r in found
        ],
    )
