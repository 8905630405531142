"""Erasing one request's person across every system: decide, journal, act, audit.

The use case the request workflow calls for an erasure request (``gardien request run``):

1. the rows found for the person (``gardien.rights.locate``) are decided — erased, or kept
   with the activity, the Art. 17(3) ground and the date (``gardien.rights.erasure``);
2. the steps and the outcome are written to the store's journal, with an audit event, before
   any system is touched;
3. the steps run by key, children first, chunk by chunk, each chunk recorded;
4. the end is recorded with an audit event carrying the outcome (counts and grounds only).

Running the same request again never erases twice: a completed execution is answered from the
journal; an interrupted one (killed, or a system that failed) is resumed from its recorded
steps, not decided again on half-erased data, and ends in the state an uninterrupted run would
have reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.consent.keys import SubjectKey
from gardien.errors import GardienError, UsageError
from gardien.holds.model import LegalHold
from gardien.registry.model import Registry
from gardien.requests.moments import Observer, RequestMoment
from gardien.rights.erasure import LocatedRow, decide_erasure
from gardien.rights.erasure_execution import DEFAULT_CHUNK, RowWriter, execute_steps
from gardien.rights.outcome import ErasureOutcome
from gardien.store import holds as hold_book
from gardien.store import rights_journal
from gardien.store.keys import keys_of

KIND = "erasure"


@dataclass(frozen=True)
class ErasureRun:
    outcome: ErasureOutcome
    execution_id: str
    resumed: bool  # an interrupted execution of this request was carried to its end
    replayed: bool  # the request had already been executed: nothing was touched again


def _summary(outcome: ErasureOutcome) -> dict[str, Any]:
    """What the audit trail records: tables, counts and grounds, never a value."""
    data = outcome.to_dict()
    return {
        key: data[key] for key in ("found", "erased", "kept", "complete", "tables", "recipients")
    }


def erase(
    registry: Registry,
    store: Engine,
    clock: Clock,
    request_id: str,
    rows: Iterable[LocatedRow],
    writers: Mapping[str, RowWriter],
    *,
    actor: str,
    key: SubjectKey | None = None,
    holds: Sequence[LegalHold] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    language: str = "en",
    observe: Observer | None = None,
) -> ErasureRun:
    """Erase what no activity still needs of the rows found for ``request_id``'s person.

    ``rows``: ``gardien.rights.erasure.located_rows(location)`` for the request's location.
    ``key``: the keyed-hash secret (default: the store's subject key, ``gardien.store.keys``).
    ``holds``: the legal holds (default: every hold in the store).
    ``observe``: told the moments of the execution (``RequestMoment``), for crash tests.
    """
    existing = rights_journal.find(store, request_id, KIND)
    if existing is not None and existing.status == "completed":
        return ErasureRun(ErasureOutcome.from_dict(existing.outcome), existing.id, False, True)
    if existing is None:
        plan = decide_erasure(
            registry,
            request_id,
            rows,
            clock.now(),
            key=key or keys_of(store).subject,
            holds=hold_book.all_holds(store) if holds is None else holds,
            language=language,
        )
        missing = sorted({s.system for s in plan.steps} - set(writers))
        if missing:
            raise UsageError(f"no connection to system(s) {', '.join(missing)}: nothing was erased")
        execution = rights_journal.open_execution(
            store,
            clock,
            request_id=request_id,
            kind=KIND,
            steps=plan.steps,
            chunk_size=chunk_size,
            outcome=plan.outcome.to_dict(),
            actor=actor,
            details=_summary(plan.outcome),
        )
        if observe is not None:
            observe(RequestMoment.EXECUTION_OPENED)
        resumed = False
    else:
        execution, resumed = existing, True
    outcome = ErasureOutcome.from_dict(execution.outcome)
    journal = rights_journal.StoreStepJournal(store, execution.id)
    try:
        execute_steps(
            execution.steps, writers, journal, chunk_size=execution.chunk_size, observe=observe
        )
    except GardienError as exc:
        rights_journal.close(store, clock, execution, actor=actor, details={}, error=str(exc))
        raise
    rights_journal.close(
        store, clock, execution, actor=actor, details={**_summary(outcome), "resumed": resumed}
    )
    return ErasureRun(outcome, execution.id, resumed, False)
