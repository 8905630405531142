"""Filing a rights request, once for every edge: checked against the registry, recorded with
its Art. 12(3) deadlines, and, when asked, given its portal status link and its one-time code.

``gardien request submit``, ``POST /api/v1/requests``, the portal's form and the back office's
"record a request" page all call :func:`file_request`; nothing is looked up in any system when
a request is filed (R-RGT-11), so the answer is the same whether the person is known or not.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.errors import UsageError
from gardien.jobs.identity import CodeDelivery, send_code
from gardien.notify import NotificationError, Notifier
from gardien.registry.model import Registry
from gardien.requests import workflow as wf
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.verification import CodesLocked
from gardien.store import portal_links
from gardien.store import requests as book


def declared_columns(registry: Registry) -> set[str]:
    """Every column a table of the registry declares (what a rectification may name)."""
    return {c for s in registry.systems.values() for t in s.tables.values() for c in t.columns}


def declared_identity_kinds(registry: Registry) -> list[str]:
    return sorted(
        {k for s in registry.systems.values() for t in s.tables.values() for k in t.identity}
    )


def check_against_registry(
    registry: Registry, identity: Mapping[str, str], details: RequestDetails
) -> None:
    """Refuse what no declared system can act on: unknown identifier kinds, activities, fields."""
    kinds = declared_identity_kinds(registry)
    for kind in identity:
        if kind not in kinds:
            raise UsageError(
                f"identifier {kind!r}: no table of the registry declares it "
                f"(declared: {', '.join(kinds) or 'none'})",
                field="identity",
            )
    if details.activity is not None and details.activity not in registry.activities:
        raise UsageError(
            f"activity {details.activity!r} is not in the registry "
            f"(activities: {', '.join(sorted(registry.activities))})",
            field="activity",
        )
    columns = declared_columns(registry)
    for name in details.fields:
        if name not in columns:
            raise UsageError(
                f"field {name!r}: no table of the registry declares that column "
                f"(columns: {', '.join(sorted(columns))})",
                field="fields",
            )


def submit(
    engine: Engine,
    clock: Clock,
    *,
    actor: str,
    kind: RequestKind,
    identity: Mapping[str, str],
    registry: Registry | None = None,
    country: str | None = None,
    received_at: datetime | None = None,
    channel: str | None = None,
    text: str | None = None,
    details: RequestDetails | None = None,
) -> RightsRequest:
    """Record a request received at ``received_at`` (default: now) and set its deadlines.

    With a ``registry``, identifiers, activity and fields are checked against it and the
    controller's country gives the public holidays; ``country`` overrides it (default FR).
    """
    now = clock.now()
    request = wf.new_request(
        request_id=str(uuid.uuid4()),
        kind=kind,
        identity=identity,
        received_at=received_at or now,
        now=now,
        actor=actor,
        country=country or (registry.controller.country if registry else "FR"),
        channel=channel,
        text=text,
        details=details,
    )
    if registry is not None:
        check_against_registry(registry, request.identity, request.details)
    return book.create(engine, clock, request)


@dataclass(frozen=True)
class Filed:
    """A request just filed, and what was done for its identity to be proven."""

    request: RightsRequest
    """As stored after the code was sent (``awaiting_identity``), else as filed."""
    code: CodeDelivery | None
    """Where the one-time code went, if one was sent."""
    code_error: NotificationError | CodesLocked | None
    """Why the code could not be sent (the request is recorded all the same): the notifier
    failed, or too many wrong codes were given for this identifier today (an attestation is
    needed)."""
    status_link: str | None
    """The secret of the portal's status page, when one was asked for (shown once)."""


def file_request(
    engine: Engine,
    clock: Clock,
    registry: Registry,
    *,
    actor: str,
    kind: RequestKind,
    identity: Mapping[str, str],
    notifier: Notifier | None,
    received_at: datetime | None = None,
    channel: str | None = None,
    text: str | None = None,
    details: RequestDetails | None = None,
    status_link: bool = False,
) -> Filed:
    """Record the request; make its status link when asked (the portal); send a one-time code
    to its channel when a ``notifier`` is given and the request has a channel (R-RGT-11).

    A code that cannot be sent leaves the request recorded, waiting for a new code or an
    agent's attestation: ``code_error`` says why.
    """
    filed = submit(
        engine,
        clock,
        actor=actor,
        kind=kind,
        identity=identity,
        registry=registry,
        received_at=received_at,
        channel=channel,
        text=text,
        details=details,
    )
    secret = None
    if status_link:
        with engine.begin() as conn:
            secret = portal_links.create(conn, clock, filed.id)
    delivery: CodeDelivery | None = None
    problem: NotificationError | CodesLocked | None = None
    if notifier is not None and filed.channel is not None:
        try:
            delivery = send_code(
                engine,
                clock,
                filed.id,
                actor=actor,
                notifier=notifier,
                controller=registry.controller.name,
            )
        except (NotificationError, CodesLocked) as exc:
            problem = exc
        else:
            filed = book.get(engine, filed.id)
    return Filed(filed, delivery, problem, secret)
