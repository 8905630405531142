"""An in-memory connector: the retention executor's test double (as httpx's MockTransport).

Tables are dicts of rows keyed by primary key; conditions are evaluated with the reference
evaluator of ``gardien.retention.conditions``, the semantics the SQL connector is tested
against. Batches are ranges of keys, like the SQL connector's keyset batches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gardien.retention.conditions import Condition, evaluate
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import BatchOutcome

Rows = dict[Any, dict[str, Any]]


class InMemoryConnector:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables
        self.archives: dict[str, Rows] = {}
        self.batches = 0  # how many batches ran, for tests of resumption

    def _rows(self, table: str, stage: Stage) -> Rows:
        if stage is Stage.ARCHIVE:
            return self.archives.setdefault(table, {})
        return self.tables[table]

    def _matches(self, action: TableAction, condition: Condition, row: dict[str, Any]) -> bool:
        # A child's condition names its parent table: archived parents for the archive stage.
        parents = self.archives if action.stage is Stage.ARCHIVE else self.tables
        return evaluate(condition, row, parents)

    def count(self, action: TableAction, condition: Condition) -> int:
        rows = self._rows(action.table, action.stage)
        return sum(1 for row in rows.values() if self._matches(action, condition, row))

    def prepare(self, action: TableAction) -> None:
        self.archives.setdefault(action.table, {})

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, run_id: str, at: datetime
    ) -> BatchOutcome:
        self.batches += 1
        rows = self._rows(action.table, action.stage)
        keys = sorted(k for k in rows if after_key is None or k > after_key)
        window = keys[:batch_size]
        upper = window[-1] if len(keys) > batch_size else None
        changed = 0
        for key in window:
            row = rows[key]
            if not self._matches(action, action.target, row):
                continue
            changed += 1
            if action.kind is ActionKind.DELETE:
                del rows[key]
            elif action.kind is ActionKind.ANONYMISE:
                row.update({c: None for c in action.personal_columns})
            else:
                archived = dict(rows.pop(key))
                archived.update(gardien_archived_at=at, gardien_run_id=run_id)
                self.archives.setdefault(action.table, {})[key] = archived
        return BatchOutcome(rows=changed, last_key=upper, done=upper is None)
