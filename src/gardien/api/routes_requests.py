"""``/api/v1/requests``: the rights-request workflow (issue 4) over HTTP; thin over jobs.*."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool

from gardien.api.deps import context, require
from gardien.api.models import (
    CodeDeliveryOut,
    FulfilmentOut,
    Reason,
    RequestCreate,
    RequestCreated,
    RequestOut,
    RunOptions,
    Verify,
)
from gardien.errors import UsageError
from gardien.jobs import filing
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.jobs.fulfil import run_requests
from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.states import RequestState
from gardien.requests.verification import CodesLocked
from gardien.server.auth import Principal
from gardien.server.context import Context
from gardien.server.permissions import Permission as P
from gardien.server.permissions import view_for
from gardien.store import packages

router = APIRouter(prefix="/requests", tags=["requests"])
Ctx = Annotated[Context, Depends(context)]


def _out(
    ctx: Context, request: RightsRequest, who: Principal, *, timeline: bool = True
) -> RequestOut:
    """The request as ``who``'s role may read it (an auditor's masked: ``view_for``)."""
    shown = view_for(who.role, request)
    return RequestOut.model_validate(jobs.as_json(shown, ctx.clock.now(), timeline=timeline))


def _delivery(delivery: proof.CodeDelivery) -> CodeDeliveryOut:
    return CodeDeliveryOut(
        channel=delivery.channel,
        to=delivery.to,
        expires_at=delivery.expires_at,
        where=delivery.where,
    )


@router.post("", status_code=201, response_model=RequestCreated)
def create(
    body: RequestCreate, ctx: Ctx, who: Annotated[Principal, Depends(require(P.REQUESTS_CREATE))]
) -> RequestCreated:
    """Record a request, set its Art. 12(3) due dates and (by default) send a one-time code."""
    details = RequestDetails(
        fields=body.fields,
        activity=body.activity,
        purpose=body.purpose,
        directive=body.directive,
        trusted_third_party=body.trusted_party,
        directive_action=(
            DirectiveAction.parse(body.directive_action) if body.directive_action else None
        ),
    )
    filed = filing.file_request(
        ctx.engine,
        ctx.clock,
        ctx.registry,
        actor=who.actor,
        kind=RequestKind.parse(body.kind),
        identity=body.identity,
        notifier=ctx.notifier if body.send_code else None,
        received_at=body.received_at,
        channel=body.channel,
        text=body.text,
        details=details,
        systems=ctx.connectors() if details.fields else None,
    )
    request = filed.request
    problem = None
    if isinstance(filed.code_error, CodesLocked):
        problem = (
            f'{filed.code_error}: POST /api/v1/requests/{request.id}/verify with an "attestation"'
        )
    elif filed.code_error is not None:
        problem = f"{filed.code_error}; retry with POST /api/v1/requests/{request.id}/send-code"
    return RequestCreated(
        request=_out(ctx, request, who),
        code=_delivery(filed.code) if filed.code else None,
        code_error=problem,
    )


@router.post("/{request_id}/send-code", response_model=CodeDeliveryOut)
def send_code(
    request_id: str, ctx: Ctx, who: Annotated[Principal, Depends(require(P.REQUESTS_VERIFY))]
) -> CodeDeliveryOut:
    """Send a new one-time code (the previous one stops working)."""
    return _delivery(
        proof.send_code(
            ctx.engine,
            ctx.clock,
            request_id,
            actor=who.actor,
            notifier=ctx.notifier,
            controller=ctx.registry.controller.name,
        )
    )


@router.post("/{request_id}/verify", response_model=RequestOut)
def verify(
    request_id: str,
    body: Verify,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.REQUESTS_VERIFY))],
) -> RequestOut:
    """Verify the identity (R-RGT-11) by the person's code or an agent's attestation.

    The code proves the identifier it went to; an attestation the ``identifiers`` it names
    (all by default), also on a request already verified by its code. Only proven identifiers
    are searched."""
    if (body.code is None) == (body.attestation is None):
        raise UsageError(
            'give either "code" or "attestation" ("passport checked by NAME")', field="code"
        )
    if body.code is not None:
        if body.identifiers is not None:
            raise UsageError(
                "a code proves the identifier it was sent to; identifiers are named with an "
                "attestation",
                field="identifiers",
            )
        request = proof.verify_code(ctx.engine, ctx.clock, request_id, body.code, actor=who.actor)
    else:
        request = proof.attest(
            ctx.engine, ctx.clock, request_id, actor=who.actor,
            attestation=body.attestation or "", identifiers=body.identifiers,
        )  # fmt: skip
    return _out(ctx, request, who)


@router.get("", response_model=list[RequestOut])
def list_requests(
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.REQUESTS_READ))],
    state: Annotated[RequestState | None, Query()] = None,
    kind: Annotated[RequestKind | None, Query()] = None,
    overdue: Annotated[bool, Query(description="Only open requests past their deadline.")] = False,
    due_before: Annotated[date | None, Query(description="Deadline in force before this.")] = None,
) -> list[RequestOut]:
    """Requests by deadline in force (extended ones by their extended date), without timelines."""
    now = ctx.clock.now()
    found = jobs.list_requests(
        ctx.engine,
        state=state,
        kind=kind,
        overdue_at=now if overdue else None,
        due_before=due_before,
    )
    return [_out(ctx, r, who, timeline=False) for r in found]


@router.get("/{request_id}", response_model=RequestOut)
def show(
    request_id: str, ctx: Ctx, who: Annotated[Principal, Depends(require(P.REQUESTS_READ))]
) -> RequestOut:
    """One request, its deadlines and its timeline (masked for a role that does not handle
    people: ``server.permissions.view_for``)."""
    return _out(ctx, jobs.show(ctx.engine, request_id), who)


@router.post("/{request_id}/run", response_model=FulfilmentOut)
async def run(
    request_id: str,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.REQUESTS_RUN))],
    body: RunOptions | None = None,
) -> FulfilmentOut:
    """Carry out a verified request in every declared system (see ``gardien request run``)."""
    options = body or RunOptions()
    outcomes = await run_in_threadpool(
        run_requests,
        ctx.registry,
        ctx.engine,
        ctx.clock,
        [request_id],
        actor=who.actor,
        lang=options.lang,
        pdf=options.pdf,
        connectors=ctx.connectors(),
    )
    outcome = outcomes[0]
    if outcome.error and outcome.state == "?":
        jobs.show(ctx.engine, request_id)  # raises RequestNotFound: a 404, not a 200 with an error
    return FulfilmentOut.model_validate(asdict(outcome))


@router.post("/{request_id}/extend", response_model=RequestOut)
def extend(
    request_id: str,
    body: Reason,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.REQUESTS_DECIDE))],
) -> RequestOut:
    """Extend by two months (Art. 12(3)): once, with a reason, before the first due date."""
    return _out(
        ctx,
        jobs.extend(ctx.engine, ctx.clock, request_id, actor=who.actor, reason=body.reason),
        who,
    )


@router.post("/{request_id}/refuse", response_model=RequestOut)
def refuse(
    request_id: str,
    body: Reason,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(P.REQUESTS_DECIDE))],
) -> RequestOut:
    """Refuse a manifestly unfounded or excessive request, with a reason (Art. 12(5))."""
    return _out(
        ctx,
        jobs.refuse(ctx.engine, ctx.clock, request_id, actor=who.actor, reason=body.reason),
        who,
    )


@router.get(
    "/{request_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The package (zip)."}},
)
def export(
    request_id: str, ctx: Ctx, who: Annotated[Principal, Depends(require(P.REQUESTS_EXPORT))]
) -> Response:
    """The request's response package (access, portability) as a zip; the read is audited."""
    package = packages.export(ctx.engine, ctx.clock, request_id, actor=who.actor)
    return Response(
        package.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="gardien-{request_id}.zip"',
            "X-Content-SHA256": package.sha256,
        },
    )
