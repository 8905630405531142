"""An in-memory connector: the retention executor's test double (as httpx's MockTransport).

Tables are dicts of rows keyed by primary key; conditions are evaluated with the reference
evaluator of ``gardien.retention.conditions``, the semantics the SQL connector is tested
against. Batches are ranges of keys, like the SQL connector's keyset batches, and are atomic
like a transaction: the changes and the batch's marker are computed on copies and applied
only after ``before_commit`` returns (a test that raises there sees nothing applied).
"""

from __future__ import annotations

import copy
from typing import Any

from gardien.retention.conditions import Condition, evaluate
from gardien.retention.constraints import Effect
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import Batch, BatchOutcome, CommittedBatch

Rows = dict[Any, dict[str, Any]]


class InMemoryConnector:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables
        self.archives: dict[str, Rows] = {}
        self.markers: dict[tuple[str, int], list[CommittedBatch]] = {}
        self.batches = 0  # how many batches ran, for tests of resumption

    def _rows(self, table: str, stage: Stage) -> Rows:
        if stage is Stage.ARCHIVE:
            return self.archives.setdefault(table, {})
        return self.tables[table]

    def _matches(self, action: TableAction, condition: Condition, row: dict[str, Any]) -> bool:
        # A child's condition names its parent table: archived parents for the archive stage.
        parents = self.archives if action.stage is Stage.ARCHIVE else self.tables
        return evaluate(condition, row, parents, active=self.tables, archived=self.archives)

    def count(self, action: TableAction, condition: Condition) -> int:
        rows = self._rows(action.table, action.stage)
        return sum(1 for row in rows.values() if self._matches(action, condition, row))

    def count_referencing(self, action: TableAction, effect: Effect) -> int:
        constraint = effect.constraint
        keys = {
            row.get(constraint.referred_columns[0])
            for row in self._rows(action.table, action.stage).values()
            if self._matches(action, action.target, row)
        }
        rows = self.tables.get(constraint.table, {}).values()
        return sum(
            1
            for row in rows
            if row.get(constraint.columns[0]) in keys - {None}
            and evaluate(
                effect.remaining, row, self.tables, active=self.tables, archived=self.archives
            )
        )

    def prepare(self, action: TableAction) -> None:
        self.archives.setdefault(action.table, {})

    def run_batch(
        self, action: TableAction, after_key: Any, batch_size: int, batch: Batch
    ) -> BatchOutcome:
        self.batches += 1
        rows = copy.deepcopy(self._rows(action.table, action.stage))
        archive = copy.deepcopy(self.archives.get(action.table, {}))
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
                archived.update(gardien_archived_at=batch.at, gardien_run_id=batch.run_id)
                archive[key] = archived
        outcome = BatchOutcome(rows=changed, last_key=upper, done=upper is None)
        if batch.before_commit is not None:
            batch.before_commit()
        # "commit": the changes and the marker together
        if action.stage is Stage.ARCHIVE:
            self.archives[action.table] = rows
        else:
            self.tables[action.table] = rows
            if action.kind is ActionKind.ARCHIVE:
                self.archives[action.table] = archive
        self.markers.setdefault((batch.run_id, batch.step), []).append(
            CommittedBatch(batch.number, upper, changed, outcome.done)
        )
        return outcome

    def committed_batches(self, run_id: str, step: int) -> list[CommittedBatch]:
        return list(self.markers.get((run_id, step), []))

    def forget_batches(self, run_id: str) -> None:
        for key in [k for k in self.markers if k[0] == run_id]:
            del self.markers[key]
