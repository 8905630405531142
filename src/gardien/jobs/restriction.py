"""Marking (or unmarking) one request's person as restricted in every system, audited.

The audit event announcing the marks is written before any system is changed, and a second
one closes it; setting a flag is idempotent, so an interrupted run is simply run again. Each
event is journaled once with the request (``rights_journal.once``), the first with the
outcome, so a resumed run announces nothing twice and answers as the first did (issue 9 §4).
Lifting requires the notice given to the person beforehand (Art. 18(3)); placing the person on,
and taking them off, gardien's restriction list is ``gardien.consent``'s part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent, digest
from gardien.clock import Clock
from gardien.errors import GardienError, UsageError
from gardien.registry.model import Registry
from gardien.rights.erasure import LocatedRow
from gardien.rights.erasure_execution import RowWriter, RunOnlyJournal, execute_steps
from gardien.rights.outcome import RestrictionOutcome
from gardien.rights.restriction import RestrictionRefused, plan_restriction
from gardien.store import audit, rights_journal


def restrict(
    registry: Registry,
    store: Engine,
    clock: Clock,
    request_id: str,
    rows: Sequence[LocatedRow],
    writers: Mapping[str, RowWriter],
    *,
    actor: str,
    lift: bool = False,
    notice: str | None = None,
) -> RestrictionOutcome:
    """Set the restriction flag on the person's rows, or clear it when ``lift`` (with notice)."""
    if lift and not (notice or "").strip():
        raise RestrictionRefused(
            "a restriction is lifted only after the person has been told (Art. 18(3)): "
            "give the notice sent (date, channel, wording or reference)"
        )
    plan = plan_restriction(registry, request_id, rows, lift=lift)
    missing = sorted({s.system for s in plan.steps} - set(writers))
    if missing:
        raise UsageError(f"no connection to system(s) {', '.join(missing)}: nothing was changed")
    action = "rights.restriction." + ("lift" if lift else "mark")
    details = plan.outcome.to_dict()
    if lift:  # the notice may quote the person: the trail keeps its digest (issue 4)
        details["notice_digest"] = digest(notice)
    target = f"request:{request_id}"
    name = "lift" if lift else "restrict"  # journal kinds: "restrict:start", "lift:done"…
    announced = rights_journal.audit_once(
        store,
        clock,
        request_id=request_id,
        kind=f"{name}:start",
        event=NewEvent(actor, f"{action}.started", target, details),
        outcome=plan.outcome.to_dict(),
    )
    outcome = RestrictionOutcome.from_dict(announced)
    try:
        execute_steps(plan.steps, writers, RunOnlyJournal())
    except GardienError as exc:
        audit.record(store, clock, NewEvent(actor, f"{action}.failed", target, {"error": str(exc)}))
        raise
    closing = NewEvent(
        actor, f"{action}.completed", target, {"marked": sum(t.marked for t in outcome.tables)}
    )
    rights_journal.audit_once(
        store, clock, request_id=request_id, kind=f"{name}:done", event=closing
    )
    return outcome
