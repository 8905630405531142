"""What the retention executor needs from the outside, as protocols (no framework here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gardien.retention.conditions import Condition
from gardien.retention.constraints import Effect
from gardien.retention.policy import TableAction


@dataclass(frozen=True)
class Batch:
    """Which batch of which run a connector is asked to carry out."""

    run_id: str
    step: int  # the action's position in the run's plan
    number: int  # 1, 2, … within the step
    at: datetime  # when rows are archived, as the archive records it
    before_commit: Callable[[], None] | None = None  # inside the transaction, last thing


@dataclass(frozen=True)
class BatchOutcome:
    rows: int  # rows changed in this batch
    last_key: Any  # upper bound reached (inclusive); None when the table is exhausted
    done: bool


@dataclass(frozen=True)
class CommittedBatch:
    """A batch's marker, as the target database holds it: committed with the batch itself."""

    number: int
    cursor: Any
    rows: int
    done: bool


class RetentionConnector(Protocol):
    """One data store, able to run a TableAction in bounded, atomic batches.

    The target database and gardien's store are different databases: a batch commits in the
    target, then the journal in the store records it, and a process killed between the two
    would lose the batch's count. So each batch also writes its *marker* (run, step, number,
    cursor, rows changed) in the target, in the batch's own transaction: what the target
    committed, the marker says, and a resumed run reads it back (``committed_batches``).
    """

    def count(self, action: TableAction, condition: Condition) -> int: ...

    def count_referencing(self, action: TableAction, effect: Effect) -> int:
        """Rows of the constraint's table (those ``effect.remaining``) referencing the rows
        ``action`` targets now: what an ON DELETE CASCADE / SET NULL changes beside it."""
        ...

    def prepare(self, action: TableAction) -> None:
        """Create what the action needs (the archive table, the markers' table), idempotently."""
        ...

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, batch: Batch
    ) -> BatchOutcome:
        """Apply the action to target rows with ``after_key < key <= next bound``, and write
        the batch's marker, in one transaction (retried whole after a deadlock)."""
        ...

    def committed_batches(self, run_id: str, step: int) -> list[CommittedBatch]:
        """The markers of a step's committed batches, in order (empty when none)."""
        ...

    def forget_batches(self, run_id: str) -> None:
        """Delete a run's markers once the journal holds everything they say."""
        ...
