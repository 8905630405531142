"""The executor without a database: batching, the journal, and resuming where a run stopped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from gardien.connectors.memory import InMemoryConnector
from gardien.registry.loader import load_registry
from gardien.retention.executor import RunMoment, StepState, execute_plan
from gardien.retention.policy import plan_retention

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime(2026, 11, 22, tzinfo=UTC)


class MemoryJournal:
    def __init__(self, run_id: str = "run-1") -> None:
        self.run_id = run_id
        self.states: dict[int, StepState] = {}
        self.writes = 0
        self.batch_rows: list[int] = []

    def steps(self) -> list[StepState]:
        return list(self.states.values())

    def start_step(self, position: int, held: int, effects: tuple[int, ...] = ()) -> None:
        self.states[position] = StepState(position, "running", held=held, effects=effects)
        self.writes += 1

    def record_batch(self, position: int, cursor: Any, rows: int) -> None:
        state = self.states[position]
        state.cursor, state.rows_done, state.batches = (
            cursor,
            state.rows_done + rows,
            state.batches + 1,
        )
        self.writes += 1
        self.batch_rows.append(rows)

    def finish_step(self, position: int) -> None:
        self.states[position].status = "done"

    def reconcile_step(self, position: int, cursor: Any, rows_done: int, batches: int) -> None:
        state = self.states[position]
        state.cursor, state.rows_done, state.batches = cursor, rows_done, batches


def clients(n: int) -> dict[str, dict[Any, dict[str, Any]]]:
    rows = {
        i: {
            "id": i,
            "email": f"c{i}@example.fr",
            "contract_ended_on": None if i % 3 == 0 else date(2019 + i % 7, 6, 1),
        }
        for i in range(1, n + 1)
    }
    return {
        "client": rows,
        "site": {},
        "alarm_event": {},
        "prospect": {},
        "trusted_person": {},
        "other_contact": {},
    }


def crm_only_plan() -> Any:
    registry = load_registry(EXAMPLE, environ={})
    plan = plan_retention(registry, NOW)
    return plan.__class__(plan.now, tuple(a for a in plan.actions if a.system == "crm"))


def test_batches_are_bounded_and_everything_is_reached() -> None:
    connector = InMemoryConnector(clients(100))
    journal = MemoryJournal()
    report = execute_plan(crm_only_plan(), {"crm": connector}, journal, at=NOW, batch_size=7)
    remaining = connector.tables["client"]
    assert all(r["contract_ended_on"] is None for r in remaining.values())  # running contracts
    archived = connector.archives["client"]
    assert all(r["contract_ended_on"] > date(2021, 11, 22) for r in archived.values())
    assert report.total_rows == 100 - len(remaining)  # deleted or archived, each once
    assert max(journal.batch_rows) <= 7
    first = next(r for r in report.results if r.action.table == "client")
    assert first.batches >= 100 // 7


def test_a_resumed_run_continues_from_the_journal_and_ends_in_the_same_state() -> None:
    plan = crm_only_plan()
    whole = InMemoryConnector(clients(60))
    execute_plan(plan, {"crm": whole}, MemoryJournal(), at=NOW, batch_size=5)

    interrupted = InMemoryConnector(clients(60))
    journal = MemoryJournal()

    class Crash(Exception):
        pass

    def crash_after_four_batches(action: Any, rows: int, done: bool) -> None:
        if interrupted.batches == 4:
            raise Crash

    with pytest.raises(Crash):
        execute_plan(
            plan,
            {"crm": interrupted},
            journal,
            at=NOW,
            batch_size=5,
            progress=crash_after_four_batches,
        )
    batches_before = interrupted.batches
    execute_plan(plan, {"crm": interrupted}, journal, at=NOW, batch_size=5)
    assert interrupted.tables == whole.tables
    assert interrupted.archives == whole.archives
    # The resumed run did not start the interrupted step again from its first batch.
    first_step = journal.states[0]
    assert first_step.status == "done" and interrupted.batches - batches_before < whole.batches


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        execute_plan(
            crm_only_plan(),
            {"crm": InMemoryConnector(clients(1))},
            MemoryJournal(),
            at=NOW,
            batch_size=0,
        )


class Crash(Exception):
    pass


def crash_at(moment: RunMoment, n: int) -> Any:
    seen: list[RunMoment] = []

    def checkpoint(reached: RunMoment) -> None:
        seen.append(reached)
        if reached is moment and seen.count(moment) == n:
            raise Crash

    return checkpoint


@pytest.mark.parametrize(
    "moment", [RunMoment.BATCH_COMMITTING, RunMoment.BATCH_COMMITTED, RunMoment.BATCH_JOURNALED]
)
def test_counts_after_a_crash_at_any_moment_of_a_batch_equal_an_uninterrupted_run(
    moment: RunMoment,
) -> None:
    plan = crm_only_plan()
    whole = InMemoryConnector(clients(60))
    reference = execute_plan(plan, {"crm": whole}, MemoryJournal(), at=NOW, batch_size=5)

    for n in range(1, 12):
        interrupted = InMemoryConnector(clients(60))
        journal = MemoryJournal()
        with pytest.raises(Crash):
            execute_plan(
                plan,
                {"crm": interrupted},
                journal,
                at=NOW,
                batch_size=5,
                checkpoint=crash_at(moment, n),
            )
        resumed = execute_plan(plan, {"crm": interrupted}, journal, at=NOW, batch_size=5)
        assert interrupted.tables == whole.tables and interrupted.archives == whole.archives
        # The batch committed just before the crash is counted once: from its marker.
        assert [r.rows for r in resumed.results] == [r.rows for r in reference.results], n
        assert interrupted.markers == {}  # forgotten once the journal holds every count
