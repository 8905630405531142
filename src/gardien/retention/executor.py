"""Carrying out a retention plan: batch by batch, journaled before and after each batch.

The journal records, for every action of a run, the cursor of the last batch that committed.
A run killed at any moment (kill -9) is resumed from there; since every batch is one atomic
statement (or one transaction) on rows selected by condition, re-running a batch that did not
commit changes exactly what it would have, and re-running one that did commit changes
nothing: no row is archived twice, none is lost between the active and archive tables, none
is deleted that a rule or a hold still keeps.

The journal is in gardien's store, the rows in the target database: a process killed after a
batch committed in the target and before the journal recorded it would leave the journal one
batch behind. Each batch therefore leaves a marker in the target, committed with it
(``ports.RetentionConnector``); resuming a step, the executor reads the markers and catches
the journal up, so a resumed run reports exactly the rows an uninterrupted run reports.

``checkpoint`` is told each moment of the run as it is reached (``RunMoment``): it observes,
it never steers. gardien's crash tests use it to kill a run at an exact moment (the CLI's
test hook, ``gardien.cli.test_hook``); the jobs use it to confirm the run's lock before each
batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from gardien.retention.conditions import FALSE, all_of
from gardien.retention.constraints import Effect
from gardien.retention.policy import ActionKind, RetentionPlan, TableAction
from gardien.retention.ports import Batch, RetentionConnector

DEFAULT_BATCH_SIZE = 50_000


class RunMoment(StrEnum):
    """The moments of a run, in order, as ``checkpoint`` is told of them."""

    WAITING = "run.waiting"  # another run holds the lock; this one waits for it (jobs.retention)
    LOCKED = "run.locked"  # the run's lock is held (jobs.retention)
    OPENED = "run.opened"  # the journal has the run, new or resumed (jobs.retention)
    STEP_STARTED = "step.started"  # the journal says the step runs, with its held count
    BATCH_STARTING = "batch.starting"  # before a batch's transaction begins
    BATCH_COMMITTING = "batch.committing"  # inside it, changes and marker written, not committed
    BATCH_COMMITTED = "batch.committed"  # committed in the target; the journal does not know yet
    BATCH_JOURNALED = "batch.journaled"  # the journal has the batch
    STEP_FINISHED = "step.finished"  # the journal says the step is done
    EXECUTED = "run.executed"  # every step done, markers forgotten (jobs.retention)
    CLOSING = "run.closing"  # gardien's own purges done, the run not closed yet (jobs.retention)


Checkpoint = Callable[[RunMoment], None]


@dataclass
class StepState:
    position: int
    status: str  # pending | running | done
    cursor: Any = None
    rows_done: int = 0
    batches: int = 0
    held: int = 0
    # per foreign key of the action (``TableAction.effects``, in order): the rows it blocks or
    # changes, counted once when the step starts and journaled with it, so that a resumed run
    # reports what an uninterrupted one does (the counts change as batches commit)
    effects: tuple[int, ...] = ()


class RunJournal(Protocol):
    """Where a run writes down what it is about to do and what it has done."""

    run_id: str

    def steps(self) -> list[StepState]: ...

    def start_step(self, position: int, held: int, effects: tuple[int, ...] = ()) -> None: ...

    def record_batch(self, position: int, cursor: Any, rows: int) -> None: ...

    def finish_step(self, position: int) -> None: ...

    def reconcile_step(self, position: int, cursor: Any, rows_done: int, batches: int) -> None:
        """Catch up with batches the target committed but the journal missed (a crash)."""
        ...


@dataclass(frozen=True)
class ActionResult:
    action: TableAction
    rows: int
    held: int
    batches: int
    # per foreign key acting on the action: rows it blocks, or referencing rows it changes,
    # as counted when the step started (constraints.py)
    effects: tuple[tuple[Effect, int], ...] = ()


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
    # A column rule's ``held`` names held rows only, its own or through parents (issue 10 §6).
    through_parent = action.parent is not None and action.kind is not ActionKind.CLEAR
    condition = action.held if through_parent else all_of([action.eligible, action.held])
    return connector.count(action, condition)


def effect_counts(
    action: TableAction, connector: RetentionConnector
) -> tuple[tuple[Effect, int], ...]:
    """What each foreign key does to the action now: the rows a RESTRICT keeps out of it, the
    referencing rows a CASCADE or SET NULL changes beside it."""
    out: list[tuple[Effect, int]] = []
    for effect in action.effects:
        if effect.blocks:
            condition = all_of([action.reached, effect.referenced])
            out.append((effect, connector.count(action, condition)))
        else:
            out.append((effect, connector.count_referencing(action, effect)))
    return tuple(out)


def _catch_up(
    state: StepState, connector: RetentionConnector, journal: RunJournal
) -> tuple[StepState, bool]:
    """A running step's state from the markers its committed batches left in the target:
    the journal may be behind by the batches committed just before a crash. Returns the
    state and whether the step's last batch has committed."""
    committed = connector.committed_batches(journal.run_id, state.position)
    if not committed or committed[-1].number < state.batches:
        return state, False  # nothing the journal does not know (or markers were cleared)
    last = committed[-1]
    if last.number > state.batches:
        state.cursor, state.batches = last.cursor, last.number
        state.rows_done = sum(c.rows for c in committed)
        journal.reconcile_step(state.position, state.cursor, state.rows_done, state.batches)
    return state, last.done


def execute_plan(
    plan: RetentionPlan,
    connectors: Mapping[str, RetentionConnector],
    journal: RunJournal,
    *,
    at: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
) -> RunReport:
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")

    def reached(moment: RunMoment) -> None:
        if checkpoint is not None:
            checkpoint(moment)

    def committing() -> None:
        reached(RunMoment.BATCH_COMMITTING)

    states = {s.position: replace(s) for s in journal.steps()}  # ours to update
    report = RunReport(journal.run_id, plan.now)
    for position, action in enumerate(plan.actions):
        state = states.get(position) or StepState(position, "pending")
        connector = connectors[action.system]
        if state.status != "done":
            connector.prepare(action)
            finished = False
            if state.status == "pending":
                state.held = held_count(action, connector)
                state.effects = tuple(n for _, n in effect_counts(action, connector))
                journal.start_step(position, state.held, state.effects)
                state.status = "running"
                reached(RunMoment.STEP_STARTED)
            else:
                state, finished = _catch_up(state, connector, journal)
            while not finished:
                reached(RunMoment.BATCH_STARTING)
                batch = Batch(journal.run_id, position, state.batches + 1, at, committing)
                outcome = connector.run_batch(action, state.cursor, batch_size, batch)
                reached(RunMoment.BATCH_COMMITTED)
                journal.record_batch(position, outcome.last_key, outcome.rows)
                state.cursor, state.batches = outcome.last_key, batch.number
                state.rows_done += outcome.rows
                reached(RunMoment.BATCH_JOURNALED)
                if progress:
                    progress(action, state.rows_done, outcome.done)
                finished = outcome.done
            journal.finish_step(position)
            state.status = "done"
            reached(RunMoment.STEP_FINISHED)
        elif progress:
            progress(action, state.rows_done, True)
        # a journal from before effects were journaled has none: nothing to pair (zip stops)
        effects = tuple(zip(action.effects, state.effects, strict=False))
        report.results.append(
            ActionResult(action, state.rows_done, state.held, state.batches, effects)
        )
    # Every count is in the journal now: the markers have said what they had to say (also
    # when an earlier process finished every step and was killed before getting here).
    for system in sorted({a.system for a in plan.actions}):
        connectors[system].forget_batches(journal.run_id)
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
