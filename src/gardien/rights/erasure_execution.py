"""Carrying out a request's writes: set-based statements by key, in chunks, journaled.

An erasure, a rectification or a restriction ends as a list of :class:`WriteStep` — delete
these rows, or set these columns on these rows — ordered so that children come before their
parents. Each step runs as ``DELETE … WHERE key IN (…)`` or ``UPDATE … SET … WHERE key IN (…)``
over chunks of keys, never a loop over rows (ARCHITECTURE: push work down).

As for retention runs, the steps are written to the journal *before* anything is changed, and
every chunk is recorded once it has committed. Every statement is idempotent — deleting a
deleted row changes nothing, setting a column to the value it already has changes nothing,
and keyed hashes are computed once, when the steps are planned, and stored with them — so a
run killed at any point is resumed from the journal and reaches the same end state as one
that was never interrupted (issue 4 §3). The journal counts a chunk's rows from its keys, not
from what its statement reported: a chunk that committed just before a kill and is applied
again changes nothing the second time, and its rows are counted all the same (issue 9 §4).

A system that fails under a step stops the execution with the step's ``system.table``
(``RequestSystemFailed``): what was done stays journaled, and the next run resumes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from gardien.errors import Unavailable
from gardien.requests.moments import Observer, RequestMoment
from gardien.requests.run_errors import RequestSystemFailed

DEFAULT_CHUNK = 500  # keys per statement: well under every driver's bound-parameter limit


class WriteAction(StrEnum):
    DELETE = "delete"
    UPDATE = "update"


@dataclass(frozen=True)
class WriteStep:
    """One statement shape on one table (or its restricted archive), over some keys."""

    system: str
    table: str
    archived: bool
    key: str  # the key column
    action: WriteAction
    keys: tuple[Any, ...]
    constants: Mapping[str, Any] = field(default_factory=dict)  # column → value for every row
    per_key: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)  # column → key → value

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}" + (" (archive)" if self.archived else "")

    def chunks(self, size: int) -> list[WriteStep]:
        """The step cut into steps of at most ``size`` keys (the same cut on every resume)."""
        out: list[WriteStep] = []
        for start in range(0, len(self.keys), size):
            keys = self.keys[start : start + size]
            per_key = {
                column: {k: values[k] for k in keys if k in values}
                for column, values in self.per_key.items()
            }
            out.append(
                WriteStep(
                    self.system,
                    self.table,
                    self.archived,
                    self.key,
                    self.action,
                    keys,
                    dict(self.constants),
                    per_key,
                )
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "table": self.table,
            "archived": self.archived,
            "key": self.key,
            "action": self.action.value,
            "keys": list(self.keys),
            "constants": dict(self.constants),
            # JSON objects only have text keys: the row keys keep their type as pairs.
            "per_key": {
                c: [[k, v] for k, v in values.items()] for c, values in self.per_key.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WriteStep:
        return cls(
            system=data["system"],
            table=data["table"],
            archived=bool(data["archived"]),
            key=data["key"],
            action=WriteAction(data["action"]),
            keys=tuple(data["keys"]),
            constants=dict(data.get("constants", {})),
            per_key={c: {k: v for k, v in pairs} for c, pairs in data.get("per_key", {}).items()},
        )


class RowWriter(Protocol):
    """What executing needs from a system: delete or update rows named by their keys."""

    def delete_keys(
        self, table_name: str, key: str, keys: Sequence[Any], *, archived: bool = False
    ) -> int: ...

    def update_keys(
        self,
        table_name: str,
        key: str,
        keys: Sequence[Any],
        constants: Mapping[str, Any],
        per_key: Mapping[str, Mapping[Any, Any]],
        *,
        archived: bool = False,
    ) -> int: ...


class StepJournal(Protocol):
    """Where an execution records what it has done, chunk by chunk."""

    def chunks_done(self) -> dict[int, int]:
        """Per step position, how many chunks have committed."""
        ...

    def record_chunk(self, position: int, chunks_done: int, rows: int) -> None: ...


def apply(writer: RowWriter, step: WriteStep) -> int:
    if step.action is WriteAction.DELETE:
        return writer.delete_keys(step.table, step.key, step.keys, archived=step.archived)
    return writer.update_keys(
        step.table, step.key, step.keys, step.constants, step.per_key, archived=step.archived
    )


def execute_steps(
    steps: Sequence[WriteStep],
    writers: Mapping[str, RowWriter],
    journal: StepJournal,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    observe: Observer | None = None,
) -> list[int]:
    """Run every step not yet done, chunk by chunk; rows changed per step (this run only).

    ``observe`` is told when the execution moves to another system and around each chunk.
    """
    if chunk_size < 1:
        raise ValueError("the chunk size must be at least 1")
    done = journal.chunks_done()
    changed: list[int] = []
    system: str | None = None
    for position, step in enumerate(steps):
        rows = 0
        for index, chunk in enumerate(step.chunks(chunk_size)):
            if index < done.get(position, 0):
                continue  # committed before an interruption
            if observe is not None and step.system != system:
                observe(RequestMoment.SYSTEM_STARTING)
            system = step.system
            try:
                count = apply(writers[step.system], chunk)
            except Unavailable as exc:
                raise RequestSystemFailed(step.where, exc) from exc
            if observe is not None:
                observe(RequestMoment.CHUNK_APPLIED)
            rows += count
            journal.record_chunk(position, index + 1, len(chunk.keys))
            if observe is not None:
                observe(RequestMoment.CHUNK_JOURNALED)
        changed.append(rows)
    return changed


class RunOnlyJournal:
    """A journal kept only for the length of one run.

    For writes whose steps must not be stored — a rectification's steps hold the new values
    in clear — and that are idempotent as a whole: re-running the same request sets the same
    values, so an interrupted run is simply run again.
    """

    def __init__(self) -> None:
        self._done: dict[int, int] = {}

    def chunks_done(self) -> dict[int, int]:
        return dict(self._done)

    def record_chunk(self, position: int, chunks_done: int, rows: int) -> None:
        self._done[position] = chunks_done
