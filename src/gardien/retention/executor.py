"""Carrying out a retention plan: batch by batch, journaled before and after each batch.

The journal records, for every action of a run, the last primary key of the last batch that
committed. A run killed at any moment (kill -9) is resumed from there; since every batch is
one atomic statement (or one transaction) on rows selected by condition, re-running a batch
that did not commit changes exactly what it would have, and re-running one that did commit
changes nothing: no row is archived twice, none is lost between the active and archive
tables, none is deleted that a rule or a hold still keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from gardien.retention.conditions import FALSE, all_of
from gardien.retention.policy import RetentionPlan, TableAction
from gardien.retention.ports import RetentionConnector

DEFAULT_BATCH_SIZE = 50_000


@dataclass
class StepState:
    position: int
    status: str  # pending | running | done
    cursor: Any = None
    rows_done: int = 0
    batches: int = 0
    held: int = 0


class RunJournal(Protocol):
    """Where a run writes down what it is about to do and what it has done."""

    run_id: str

    def steps(self) -> list[StepState]: ...

    def start_step(self, position: int, held: int) -> None: ...

    def record_batch(self, position: int, cursor: Any, rows: int) -> None: ...

    def finish_step(self, position: int) -> None: ...


@dataclass(frozen=True)
class ActionResult:
    action: TableAction
    rows: int
    held: int
    batches: int


@dataclass
class RunReport:
    run_id: str
    now: datetime
    results: list[ActionResult] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(r.rows for r in self.results)


Progress = Callable[[TableAction, int, bool], None]  # action, rows so far, finished


def held_count(action: TableAction, connector: RetentionConnector) -> int:
    if action.held == FALSE:
        return 0
    # A child's ``held`` already names the rows of held parents that the rule would reach.
    condition = action.held if action.parent else all_of([action.eligible, action.held])
    return connector.count(action, condition)


def execute_plan(
    plan: RetentionPlan,
    connectors: Mapping[str, RetentionConnector],
    journal: RunJournal,
    *,
    at: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> RunReport:
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    states = {s.position: s for s in journal.steps()}
    report = RunReport(journal.run_id, plan.now)
    for position, action in enumerate(plan.actions):
        state = states.get(position) or StepState(position, "pending")
        connector = connectors[action.system]
        if state.status != "done":
            connector.prepare(action)
            if state.status == "pending":
                state.held = held_count(action, connector)
                journal.start_step(position, state.held)
                state.status = "running"
            cursor, rows, batches = state.cursor, state.rows_done, state.batches
            while True:
                outcome = connector.run_batch(action, cursor, batch_size, journal.run_id, at)
                cursor, rows, batches = outcome.last_key, rows + outcome.rows, batches + 1
                journal.record_batch(position, cursor, outcome.rows)
                if progress:
                    progress(action, rows, outcome.done)
                if outcome.done:
                    break
            journal.finish_step(position)
            state = StepState(position, "done", cursor, rows, batches, state.held)
        elif progress:
            progress(action, state.rows_done, True)
        report.results.append(ActionResult(action, state.rows_done, state.held, state.batches))
    return report


def plan_counts(
    plan: RetentionPlan, connectors: Mapping[str, RetentionConnector]
) -> Sequence[tuple[TableAction, int, int]]:
    """For each action: rows it would change now, and rows a legal hold keeps out of it."""
    return [
        (
            action,
            connectors[action.system].count(action, action.target),
            held_count(action, connectors[action.system]),
        )
        for action in plan.actions
    ]
