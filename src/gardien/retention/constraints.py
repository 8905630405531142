"""The target databases' own foreign keys, and what they do to a retention action.

gardien's ``belongs_to`` is the registry's word; a real ``FOREIGN KEY`` is the database's, and
it acts whatever the registry says (issue 10 §4):

- ``ON DELETE RESTRICT`` / ``NO ACTION``: a row still referenced cannot be deleted, nor moved
  to the archive (the move deletes it from the active table). Such rows are left out of the
  action and counted as *blocked*, naming the constraint, before anything is changed: one
  referenced client must not make the whole run fail at its first statement, and must not
  stop the other tables' rules.
- ``ON DELETE CASCADE`` / ``SET NULL`` / ``SET DEFAULT``: the database changes rows of the
  referencing table that gardien did not plan; the plan and the run report them per
  constraint (``system.table.constraint``) with the rows concerned.

The work is ordered so that referencing tables are handled first (``policy``): their expired
rows go before the rows they reference, and only what is still referenced is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gardien.retention.conditions import TRUE, Condition, Related


class OnDelete(StrEnum):
    RESTRICT = "RESTRICT"
    NO_ACTION = "NO ACTION"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"

    @classmethod
    def parse(cls, text: str | None) -> OnDelete:
        """As the inspector reports it; nothing said is the SQL default, NO ACTION."""
        if not text:
            return cls.NO_ACTION
        return cls(" ".join(text.upper().split()))


@dataclass(frozen=True)
class ForeignKey:
    """``table(columns) REFERENCES referred_table(referred_columns) ON DELETE on_delete``."""

    system: str
    table: str
    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: OnDelete

    @property
    def label(self) -> str:
        """``system.table.constraint`` (the columns when the database gives it no name)."""
        return f"{self.system}.{self.table}.{self.name or '(' + ', '.join(self.columns) + ')'}"

    @property
    def blocks(self) -> bool:
        return self.on_delete in (OnDelete.RESTRICT, OnDelete.NO_ACTION)

    def referencing(self, inner: Condition = TRUE) -> Condition:
        """On the referred table: rows that some row of ``table`` (matching ``inner``)
        references. Composite keys are matched on their first column: a superset, so a
        block never lets a referenced row through (protective)."""
        return Related(self.referred_columns[0], self.table, self.columns[0], inner, every=False)

    def describe(self) -> str:
        return (
            f"{self.label} ({', '.join(self.columns)} → {self.referred_table}"
            f"({', '.join(self.referred_columns)}) ON DELETE {self.on_delete.value})"
        )


@dataclass(frozen=True)
class Effect:
    """What one constraint does to one action: rows it blocks, or rows it changes."""

    constraint: ForeignKey
    blocks: bool  # True: rows kept out of the action; False: referencing rows changed
    # the referencing rows still there when the action runs: those that the run's earlier
    # actions on the referencing table (a child's delete, before its parent's) leave
    remaining: Condition = TRUE

    @property
    def referenced(self) -> Condition:
        """On the action's table: the rows that a remaining referencing row points at."""
        return self.constraint.referencing(self.remaining)

    @property
    def verb(self) -> str:
        if self.blocks:
            return "blocks"
        return {
            OnDelete.CASCADE: "also deletes",
            OnDelete.SET_NULL: "sets to NULL",
            OnDelete.SET_DEFAULT: "sets to default",
        }.get(self.constraint.on_delete, "changes")
