"""What an erasure, a rectification or a restriction did, table by table, in words a DPO can send.

Every outcome is plain data that ``to_dict()`` turns into JSON-ready values: the request's file,
the response letter and the audit trail all read the same thing. No value of the person's data
appears in an outcome — only tables, counts, activities, legal grounds and dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def _iso(moment: date | datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(text: str | None) -> date | datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


@dataclass(frozen=True)
class KeepReason:
    """Why rows are not erased: which activity (or hold), under which provision, until when.

    ``until`` is None when the end is not yet known: it then depends on ``until_event`` (the
    person's contract has not ended) or on a legal hold being released.
    """

    article: str  # "GDPR Art. 17(3)(b)"
    ground: str  # a sentence for the letter
    activity: str | None = None  # None for a legal hold
    legal_basis: str | None = None
    until: date | datetime | None = None
    until_event: str | None = None
    hold: str | None = None  # the hold's id, for a legal hold

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "legal_basis": self.legal_basis,
            "article": self.article,
            "ground": self.ground,
            "until": _iso(self.until),
            "until_event": self.until_event,
            "hold": self.hold,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeepReason:
        return cls(
            article=data["article"],
            ground=data["ground"],
            activity=data.get("activity"),
            legal_basis=data.get("legal_basis"),
            until=_moment(data.get("until")),
            until_event=data.get("until_event"),
            hold=data.get("hold"),
        )


@dataclass(frozen=True)
class KeptRows:
    reason: KeepReason
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.reason.to_dict(), "rows": self.rows}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeptRows:
        return cls(KeepReason.from_dict(data), int(data["rows"]))


@dataclass(frozen=True)
class TableErasure:
    """One table (or its restricted archive) of one system, for one erasure request."""

    system: str
    table: str
    archived: bool  # the restricted archive table (R-RET-08)
    method: str  # "delete row" or "columns: a=null, b=hash"
    found: int
    erased: int  # rows deleted, or whose erasable columns were all erased
    kept: int
    partly_erased: int = 0  # kept rows whose columns no keeping activity needs were erased
    erased_columns: tuple[str, ...] = ()  # the columns erased in partly erased rows
    already_erased: int = 0  # rows an earlier erasure had already emptied (counted in erased)
    kept_because: tuple[KeptRows, ...] = ()
    no_longer_used_for: tuple[str, ...] = ()  # activities that no longer justify kept rows

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}" + (" (archive)" if self.archived else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "table": self.table,
            "archived": self.archived,
            "method": self.method,
            "found": self.found,
            "erased": self.erased,
            "kept": self.kept,
            "partly_erased": self.partly_erased,
            "erased_columns": list(self.erased_columns),
            "already_erased": self.already_erased,
            "kept_because": [k.to_dict() for k in self.kept_because],
            "no_longer_used_for": list(self.no_longer_used_for),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableErasure:
        return cls(
            system=data["system"],
            table=data["table"],
            archived=bool(data["archived"]),
            method=data["method"],
            found=int(data["found"]),
            erased=int(data["erased"]),
            kept=int(data["kept"]),
            partly_erased=int(data.get("partly_erased", 0)),
            erased_columns=tuple(data.get("erased_columns", ())),
            already_erased=int(data.get("already_erased", 0)),
            kept_because=tuple(KeptRows.from_dict(k) for k in data.get("kept_because", ())),
            no_longer_used_for=tuple(data.get("no_longer_used_for", ())),
        )


@dataclass(frozen=True)
class ErasureOutcome:
    """Art. 17: every table where the person's rows were found, erased or kept, and why."""

    request_id: str
    now: datetime
    tables: tuple[TableErasure, ...]
    recipients: tuple[str, ...] = ()  # Art. 19: to be told of the erasure

    @property
    def found(self) -> int:
        return sum(t.found for t in self.tables)

    @property
    def erased(self) -> int:
        return sum(t.erased for t in self.tables)

    @property
    def kept(self) -> int:
        return sum(t.kept for t in self.tables)

    @property
    def complete(self) -> bool:
        """Everything found was erased: no part of the request is refused."""
        return self.kept == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "now": self.now.isoformat(),
            "found": self.found,
            "erased": self.erased,
            "kept": self.kept,
            "complete": self.complete,
            "tables": [t.to_dict() for t in self.tables],
            "recipients": list(self.recipients),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErasureOutcome:
        """The outcome as ``to_dict`` wrote it (read back from the journal)."""
        return cls(
            request_id=data["request_id"],
            now=datetime.fromisoformat(data["now"]),
            tables=tuple(TableErasure.from_dict(t) for t in data["tables"]),
            recipients=tuple(data.get("recipients", ())),
        )


@dataclass(frozen=True)
class FieldChange:
    """One rectified column of one table, over the person's rows there."""

    system: str
    table: str
    column: str
    rows: int  # rows of the active table now holding the new value
    archived_rows: int = 0  # rows in the restricted archive, left as proof of what was held
    before: tuple[str, ...] = ()  # keyed digests of the previous values (never the values)
    after: str = ""  # keyed digest of the new value

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}.{self.column}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.where,
            "rows": self.rows,
            "archived_rows": self.archived_rows,
            "before": list(self.before),
            "after": self.after,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        system, table, column = str(data["field"]).split(".", 2)
        return cls(
            system, table, column, int(data["rows"]), int(data.get("archived_rows", 0)),
            tuple(data.get("before", ())), str(data.get("after", "")),
        )  # fmt: skip


@dataclass(frozen=True)
class RectificationOutcome:
    """Art. 16: which fields were rectified where; Art. 19: who must be told."""

    request_id: str
    changes: tuple[FieldChange, ...]
    recipients: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "changes": [c.to_dict() for c in self.changes],
            "recipients": list(self.recipients),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RectificationOutcome:
        return cls(
            str(data["request_id"]),
            tuple(FieldChange.from_dict(c) for c in data.get("changes", ())),
            tuple(data.get("recipients", ())),
        )


@dataclass(frozen=True)
class TableRestriction:
    system: str
    table: str
    flag: str | None  # the registry-declared restriction column, if the table has one
    rows: int  # the person's rows in the table (active and archive)
    marked: int  # rows whose flag was set (or cleared when lifting)

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "table": self.table,
            "flag": self.flag,
            "rows": self.rows,
            "marked": self.marked,
            "protected_by": "restriction flag" if self.flag else "gardien restriction list only",
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableRestriction:
        return cls(
            str(data["system"]), str(data["table"]), data.get("flag"), int(data["rows"]),
            int(data["marked"]),
        )  # fmt: skip


@dataclass(frozen=True)
class RestrictionOutcome:
    """Art. 18: rows marked (or unmarked), tables only gardien's list protects; Art. 19."""

    request_id: str
    lifted: bool
    tables: tuple[TableRestriction, ...]
    recipients: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def unflagged(self) -> tuple[str, ...]:
        return tuple(f"{t.system}.{t.table}" for t in self.tables if t.flag is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "lifted": self.lifted,
            "tables": [t.to_dict() for t in self.tables],
            "only_restriction_list": list(self.unflagged),
            "recipients": list(self.recipients),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RestrictionOutcome:
        return cls(
            str(data["request_id"]),
            bool(data["lifted"]),
            tuple(TableRestriction.from_dict(t) for t in data.get("tables", ())),
            tuple(data.get("recipients", ())),
            tuple(data.get("notes", ())),
        )
