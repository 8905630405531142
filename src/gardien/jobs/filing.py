"""Filing a rights request, once for every edge: checked against the registry, recorded with
its Art. 12(3) deadlines, and, when asked, given its portal status link and its one-time code.

``gardien request submit``, ``POST /api/v1/requests``, the portal's form and the back office's
"record a request" page all call :func:`file_request`; nothing is looked up in any system when
a request is filed (R-RGT-11), so the answer is the same whether the person is known or not.

A rectified value that cannot fit is refused here, before the request exists, the same way on
every edge (``FieldTooLong``, 422 naming the field): longer than ``RECTIFIED_VALUE_MAX``, or
than the column it goes to, whose length is read from the system's schema (never its rows)
when the edge hands its connections. Filed, it would have failed at execution, leaving the
request in progress for ever (issue 9 §4: a person could cause it from the portal).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.errors import GardienError, UsageError
from gardien.jobs.identity import CodeDelivery, send_code
from gardien.notify import NotificationError, Notifier
from gardien.registry.model import Registry
from gardien.requests import workflow as wf
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails, RightsRequest
from gardien.requests.verification import CodesLocked
from gardien.store import portal_links
from gardien.store import requests as book

RECTIFIED_VALUE_MAX = 500  # characters: what the portal's form takes; no declared field is longer


class FieldTooLong(UsageError):
    """A rectified value longer than its column (or than any field gardien takes) can hold."""

    code = "field_too_long"

    def __init__(self, name: str, given: int, length: int, where: str | None = None) -> None:
        self.name, self.given, self.length = name, given, length
        bound = (
            f"but {where} holds at most {length}"
            if where
            else f"more than the {length} a rectified value may have"
        )
        super().__init__(f"field {name!r}: {given} characters, {bound}", field="fields")


class ColumnLengths(Protocol):
    """What filing needs from a system: the length a text column holds (None: unbounded)."""

    def text_length(self, table_name: str, column: str) -> int | None: ...


def check_field_lengths(
    registry: Registry,
    fields: Mapping[str, str],
    systems: Mapping[str, ColumnLengths] | None = None,
) -> None:
    """Refuse a rectified value that no column it goes to can hold (Art. 16 asks the value
    to be recorded as given: it is refused, never cut)."""
    for name, value in fields.items():
        if len(value) > RECTIFIED_VALUE_MAX:
            raise FieldTooLong(name, len(value), RECTIFIED_VALUE_MAX)
        for system_id, system in sorted(registry.systems.items()):
            reader = (systems or {}).get(system_id)
            if reader is None:
                continue
            for table_name, table in sorted(system.tables.items()):
                if name not in table.columns:
                    continue
                try:
                    length = reader.text_length(table_name, name)
                except GardienError:
                    continue  # unreachable now: the execution checks it again, and refuses
                if length is not None and len(value) > length:
                    raise FieldTooLong(name, len(value), length, f"{system_id}.{table_name}.{name}")


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
    systems: Mapping[str, ColumnLengths] | None = None,
) -> RightsRequest:
    """Record a request received at ``received_at`` (default: now) and set its deadlines.

    With a ``registry``, identifiers, activity and fields are checked against it and the
    controller's country gives the public holidays; ``country`` overrides it (default FR).
    ``systems``: the connections whose schemas bound a rectified value's length.
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
        check_field_lengths(registry, request.details.fields, systems)
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
    systems: Mapping[str, ColumnLengths] | None = None,
) -> Filed:
    """Record the request; make its status link when asked (the portal); send a one-time code
    to its channel when a ``notifier`` is given and the request has a channel (R-RGT-11).

    A code that cannot be sent leaves the request recorded, waiting for a new code or an
    agent's attestation: ``code_error`` says why. ``systems``: as for :func:`submit`.
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
        systems=systems,
    )
    secret = None
    if status_link:
        with engine.begin() as conn:
            secret = portal_links.create(conn, clock, filed.id, registry.controller.zone)
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
