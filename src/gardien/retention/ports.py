"""What the retention executor needs from the outside, as protocols (no framework here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gardien.retention.conditions import Condition
from gardien.retention.policy import TableAction


@dataclass(frozen=True)
class BatchOutcome:
    rows: int  # rows changed in this batch
    last_key: Any  # upper bound reached (inclusive); None when the table is exhausted
    done: bool


class RetentionConnector(Protocol):
    """One data store, able to run a TableAction in bounded, atomic batches."""

    def count(self, action: TableAction, condition: Condition) -> int: ...

    def prepare(self, action: TableAction) -> None:
        """Create what the action needs (the archive table), idempotently."""
        ...

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, run_id: str, at: datetime
    ) -> BatchOutcome:
        """Apply the action to target rows with ``after_key < key <= next bound``, atomically."""
        ...
