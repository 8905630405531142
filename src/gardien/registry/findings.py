"""A finding: one problem in a registry, with where it is, why it matters and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    article: str | None = None
    hint: str | None = None

    def where(self) -> str:
        if self.file is None:
            return "registry"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def render(self) -> str:
        return f"{self.where()}: {self.severity.value} {self.code}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @staticmethod
    def at(
        code: str,
        severity: Severity,
        message: str,
        position: Position | None,
        *,
        article: str | None = None,
        hint: str | None = None,
    ) -> Finding:
        return Finding(
            code=code,
            severity=severity,
            message=message,
            file=position.file if position else None,
            line=position.line if position else None,
            column=position.column if position else None,
            article=article,
            hint=hint,
        )
