"""Rectifying one request's fields across systems, with before/after digests in the audit trail.

The audit event that names each field with the keyed digests of its previous and new values is
written *before* any system is changed (the trail is the journal here: the new values must not
be stored in clear, so the steps are not kept); a second event closes the rectification with
the rows changed. The writes are idempotent: an interrupted rectification is run again. Each
event is journaled once with the request (``rights_journal.once``), the first with the
outcome: a resumed rectification announces nothing twice, and answers with the digests taken
before anything was changed, not with the half-rectified values it finds (issue 9 §4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.consent.keys import SubjectKey
from gardien.errors import GardienError, UsageError
from gardien.registry.model import Registry
from gardien.rights.erasure import LocatedRow
from gardien.rights.erasure_execution import RowWriter, RunOnlyJournal, execute_steps
from gardien.rights.outcome import RectificationOutcome
from gardien.rights.rectification import plan_rectification
from gardien.store import audit, rights_journal
from gardien.store.keys import keys_of

STARTED, COMPLETED = "rectify:start", "rectify:done"  # journal kinds (rights_journal.once)


class ColumnWriter(RowWriter, Protocol):
    def columns_of(self, table_name: str) -> list[str]: ...


def rectify(
    registry: Registry,
    store: Engine,
    clock: Clock,
    request_id: str,
    rows: Sequence[LocatedRow],
    fields: Mapping[str, str],
    writers: Mapping[str, ColumnWriter],
    *,
    actor: str,
    key: SubjectKey | None = None,
) -> RectificationOutcome:
    """Set ``fields`` (name → new value) on the person's rows; refuse whole on a bad field."""
    key = key or keys_of(store).subject
    tables = sorted({(r.system, r.table) for r in rows})
    missing = sorted({s for s, _ in tables} - set(writers))
    if missing:
        raise UsageError(f"no connection to system(s) {', '.join(missing)}: nothing was changed")
    existing = {(s, t): set(writers[s].columns_of(t)) for s, t in tables}
    plan = plan_rectification(
        registry, request_id, rows, fields, key=key, existing_columns=existing
    )
    details: dict[str, Any] = plan.outcome.to_dict()
    announced = rights_journal.audit_once(
        store,
        clock,
        request_id=request_id,
        kind=STARTED,
        event=NewEvent(actor, "rights.rectification.started", f"request:{request_id}", details),
        outcome=details,
    )
    outcome = RectificationOutcome.from_dict(announced)
    try:
        changed = execute_steps(plan.steps, writers, RunOnlyJournal())
    except GardienError as exc:
        audit.record(
            store,
            clock,
            NewEvent(
                actor, "rights.rectification.failed", f"request:{request_id}", {"error": str(exc)}
            ),
        )
        raise
    closing = NewEvent(
        actor,
        "rights.rectification.completed",
        f"request:{request_id}",
        {
            "rows": {s.where: n for s, n in zip(plan.steps, changed, strict=True)},
            "recipients": list(outcome.recipients),
        },
    )
    rights_journal.audit_once(store, clock, request_id=request_id, kind=COMPLETED, event=closing)
    return outcome
