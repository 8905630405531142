"""``/office/requests/{id}``: one request, its timeline, its results and the actions on it;
thin over ``gardien.jobs`` like the API's routes (the queue is ``office.queue``).

Each action is a plain form posted with its CSRF token; success redirects (303) to the
request's page with a message, and a refusal (a gardien error: wrong state, missing reason…)
shows the page again with the message, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.errors import GardienError
from gardien.jobs import audit as trail
from gardien.jobs import identity as proof
from gardien.jobs import requests as jobs
from gardien.jobs.fulfil import run_requests
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RightsRequest
from gardien.requests.proofs import ProofMethod, UnknownIdentifier
from gardien.requests.states import RequestState
from gardien.server.context import Context
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.server.permissions import sees_people, view_for
from gardien.store import packages
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.queue import urgency
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import STATES, TEXTS, kind_label

router = APIRouter(prefix="/office", route_class=OfficeRoute)

# Audit events about a request besides its transitions (which are its timeline already).
OTHER_EVENTS = ("request.package.exported", "request.code_rejected")
# In progress: left by a run that was killed or met a system error; running it resumes it.
_RUNNABLE = (RequestState.VERIFIED, RequestState.IN_PROGRESS)


# --- one request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Step:
    at: datetime
    actor: str
    what: str
    note: str


@dataclass(frozen=True)
class SystemResult:
    system: str
    table: str
    facts: str


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_short(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) or "—"
    if isinstance(value, bool):
        return TEXTS["yes"] if value else TEXTS["no"]
    return str(value)


def result_tables(result: Mapping[str, Any] | None) -> list[SystemResult]:
    """Per system and table, what the last run found and did, from the stored result.

    The shapes differ by kind (``{"tables": {"crm.client": {...}}}`` for access, a list of
    per-table results for erasure, under ``"erasure"`` for an objection…); all are read here.
    """
    if not result:
        return []
    found: list[SystemResult] = []
    for part in (result, result.get("erasure")):
        if not isinstance(part, Mapping):
            continue
        tables = part.get("tables")
        if isinstance(tables, Mapping):
            for name, facts in tables.items():
                system, _, table = str(name).partition(".")
                found.append(SystemResult(system, table or "—", _short(facts)))
        elif isinstance(tables, list):
            for item in tables:
                if not isinstance(item, Mapping):
                    continue
                rest = {k: v for k, v in item.items() if k not in ("system", "table") and v}
                found.append(
                    SystemResult(
                        str(item.get("system", "?")), str(item.get("table", "?")), _short(rest)
                    )
                )
    return found


def result_summary(result: Mapping[str, Any] | None) -> list[Fact]:
    if not result:
        return []
    return [
        Fact(key.replace("_", " "), _short(value))
        for key, value in result.items()
        if key != "tables" and not (isinstance(value, Mapping) and "tables" in value)
    ]


def identity_facts(request: RightsRequest, staff: Staff) -> tuple[list[Fact], bool]:
    """The identifiers as the role may read them (``view_for``: in clear for who handles the
    request, masked for a role that only reads the queue), and whether they are masked."""
    shown = view_for(staff.role, request)
    return [
        Fact(kind, f"{value} ({_proof_text(shown, kind)})")
        for kind, value in sorted(shown.identity.items())
    ], not sees_people(staff.role)


def _proof_text(request: RightsRequest, kind: str) -> str:
    """How the identifier was proven, or that it is not searched (R-RGT-11)."""
    proof_of = request.proofs.get(kind)
    if proof_of is None:
        return TEXTS["not_proven"]
    if proof_of.method is ProofMethod.CODE:
        return TEXTS["proven_code"]
    return TEXTS["proven_attestation"].format(by=proof_of.by)


def _facts(request: RightsRequest, now: datetime) -> list[Fact]:
    facts = [
        Fact(TEXTS["reference"], request.id),
        Fact(TEXTS["kind"], kind_label(request.kind)),
        Fact(TEXTS["article"], request.kind.article),
        Fact(TEXTS["state"], STATES[request.state]),
        Fact(TEXTS["received"], f"{request.received_at:%Y-%m-%d %H:%M} UTC"),
        Fact(TEXTS["due"], request.due.isoformat() if request.due else "—"),
    ]
    if request.extension is not None:
        facts.append(Fact(TEXTS["extended_due"], str(request.extended_due)))
        facts.append(Fact(TEXTS["extension_reason"], request.extension.reason))
    facts.append(Fact(TEXTS["answer_by"], str(request.answer_by or "—")))
    waited = jobs.identity_wait_seconds(request, now)
    if waited is not None:
        facts.append(Fact(TEXTS["identity_wait"], _duration(waited)))
    if request.text:
        facts.append(Fact(TEXTS["text"], request.text))
    details = {k: v for k, v in request.details.as_json().items() if v}
    if details:
        facts.append(Fact(TEXTS["details"], _short(details)))
    if request.death is not None:
        facts.append(Fact(TEXTS["death"], request.death.died_on.isoformat()))
    return facts


def _duration(seconds: int) -> str:
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def timeline(request: Request, item: RightsRequest) -> list[Step]:
    """The request's transitions and the other audited acts on it (exports, wrong codes)."""
    steps = [
        Step(
            e.at,
            e.actor,
            f"{e.action.value}: {e.from_state.value if e.from_state else '—'} → {e.to_state.value}",
            "; ".join(
                part
                for part in (
                    e.reason or "",
                    _short({k: v for k, v in e.details.items() if k != "identity_wait_seconds"})
                    if e.details
                    else "",
                )
                if part and part != "—"
            ),
        )
        for e in item.timeline
    ]
    for event in trail.about(context(request).engine, f"request:{item.id}", OTHER_EVENTS):
        steps.append(Step(event.at, event.actor, event.action, _short(event.details)))
    steps.sort(key=lambda s: s.at)
    return steps


@dataclass(frozen=True)
class Actions:
    attest: bool
    send_code: bool
    run: bool
    extend: bool
    refuse: bool
    export: datetime | None  # the package's end of availability, when it can be downloaded
    codes_locked: bool = False
    """Too many wrong codes (issue 9 §3): no new code; only an attestation verifies."""

    @property
    def any(self) -> bool:
        return (
            self.attest
            or self.send_code
            or self.run
            or self.extend
            or self.refuse
            or self.export is not None
        )


def actions(request: Request, item: RightsRequest, staff: Staff) -> Actions:
    """What the role may do and the state allows (the workflow still decides on submission)."""
    now = context(request).clock.now()
    state = item.state
    package = None
    if staff.can(P.REQUESTS_EXPORT) and item.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
        package = packages.available_until(context(request).engine, item.id, now)
    awaiting = state in (RequestState.RECEIVED, RequestState.AWAITING_IDENTITY)
    # A verified request may still have identifiers to attest (its code proved its channel).
    unproven = state is RequestState.VERIFIED and bool(item.scope.not_searched)
    may_verify = staff.can(P.REQUESTS_VERIFY) and awaiting
    locked = may_verify and proof.codes_locked(
        context(request).engine, context(request).clock, item
    )
    return Actions(
        attest=staff.can(P.REQUESTS_VERIFY) and (awaiting or unproven),
        send_code=may_verify and item.channel is not None and not locked,
        codes_locked=locked,
        run=staff.can(P.REQUESTS_RUN) and state in _RUNNABLE and item.actionable,
        extend=staff.can(P.REQUESTS_DECIDE)
        and state.is_open
        and item.extension is None
        and item.due is not None
        and now.date() <= item.due,
        refuse=staff.can(P.REQUESTS_DECIDE) and state.is_open,
        export=package,
    )


def _detail(
    request: Request,
    staff: Staff,
    request_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    form: Mapping[str, str] | None = None,
) -> Response:
    ctx = context(request)
    # What the page shows of the person is the API's masking for the same role (one place).
    item = view_for(staff.role, jobs.show(ctx.engine, request_id))
    now = ctx.clock.now()
    identity, masked = identity_facts(item, staff)
    _, badge = urgency(item, now.date())
    return page(
        request,
        staff,
        "office/request.html",
        {
            "item": item,
            "ref": item.id[:8],
            "facts": _facts(item, now),
            "badge": badge,
            "identity": identity,
            "identity_masked": masked,
            "steps": timeline(request, item),
            "results": result_tables(item.result),
            "summary": result_summary(item.result),
            "result_json": json.dumps(item.result, indent=2, ensure_ascii=False)
            if item.result is not None
            else "",
            "actions": actions(request, item, staff),
            "unproven": sorted(item.scope.not_searched),
            "form": {"attestation": "", "extend_reason": "", "refuse_reason": "", **(form or {})},
        },
        title=TEXTS["request_title"].format(ref=item.id[:8]),
        error=error,
        status_code=status_code,
    )


@router.get("/requests/{request_id}")
def detail(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_READ))],
) -> Response:
    return _detail(request, staff, request_id)


def _refused(
    request: Request,
    staff: Staff,
    request_id: str,
    exc: GardienError,
    form: Mapping[str, str] | None = None,
) -> Response:
    """The request's page again, with the refusal's message (and what was typed)."""
    return _detail(
        request, staff, request_id, error=str(exc), status_code=status_of(exc), form=form
    )


def _back(request: Request, request_id: str, message: str, kind: str = "ok") -> Response:
    return redirect(request, f"/office/requests/{request_id}", flash=(kind, message))


def _act(
    request: Request,
    staff: Staff,
    request_id: str,
    csrf_token: str,
    act: Callable[[Context], str],
    typed: Mapping[str, str] | None = None,
) -> Response:
    """Check the form, do ``act`` (it returns the message), then back to the request's page;
    a refusal shows the page again with its message and what was typed."""
    check_form(request, csrf_token)
    try:
        message = act(context(request))
    except GardienError as exc:
        return _refused(request, staff, request_id, exc, typed)
    return _back(request, request_id, message)


@router.post("/requests/{request_id}/attest")
def attest(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_VERIFY))],
    attestation: Annotated[str, Form()] = "",
    identifiers: Annotated[list[str] | None, Form()] = None,
    identifiers_listed: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def act(ctx: Context) -> str:
        if identifiers_listed and not identifiers:
            # The form listed the identifiers and none was ticked: never read as "all of them".
            raise UnknownIdentifier(TEXTS["attest_none"], field="identifiers")
        done = proof.attest(
            ctx.engine, ctx.clock, request_id, actor=staff.actor, attestation=attestation,
            identifiers=identifiers or None,
        )  # fmt: skip
        kinds = ", ".join(sorted(identifiers or done.identity))
        return TEXTS["attested"].format(kinds=kinds)

    return _act(request, staff, request_id, csrf_token, act, {"attestation": attestation})


@router.post("/requests/{request_id}/run")
def run(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_RUN))],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    jobs.show(ctx.engine, request_id)  # an unknown request is a 404 page, not a failed run
    try:
        (outcome,) = run_requests(
            ctx.registry,
            ctx.engine,
            ctx.clock,
            [request_id],
            actor=staff.actor,
            pdf=False,
            connectors=ctx.connectors(),
        )
    except GardienError as exc:  # a system down or changed: nothing was run
        return _refused(request, staff, request_id, exc)
    if outcome.error:
        message = TEXTS["run_failed"].format(summary=outcome.summary, error=outcome.error)
        return _back(request, request_id, message, "error")
    return _back(request, request_id, TEXTS["run_done"].format(summary=outcome.summary))


@router.post("/requests/{request_id}/extend")
def extend(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_DECIDE))],
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def act(ctx: Context) -> str:
        item = jobs.extend(ctx.engine, ctx.clock, request_id, actor=staff.actor, reason=reason)
        return TEXTS["extended"].format(date=item.answer_by)

    return _act(request, staff, request_id, csrf_token, act, {"extend_reason": reason})


@router.post("/requests/{request_id}/refuse")
def refuse(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_DECIDE))],
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def act(ctx: Context) -> str:
        jobs.refuse(ctx.engine, ctx.clock, request_id, actor=staff.actor, reason=reason)
        return TEXTS["refused"]

    return _act(request, staff, request_id, csrf_token, act, {"refuse_reason": reason})


@router.post("/requests/{request_id}/export")
def export(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(office_user(P.REQUESTS_EXPORT))],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The package as a download; the read is audited with the office actor (like the API's)."""
    check_form(request, csrf_token)
    ctx = context(request)
    try:
        package = packages.export(ctx.engine, ctx.clock, request_id, actor=staff.actor)
    except GardienError as exc:
        return _refused(request, staff, request_id, exc)
    return Response(
        package.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="gardien-{request_id}.zip"',
            "X-Content-SHA256": package.sha256,
        },
    )
