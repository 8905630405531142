"""Errors a connector raises: each names the system, table and column concerned.

GardienError
└── Unavailable
    └── ConnectorError
        ├── SystemUnreachable     the database cannot be reached (URL shown without password)
        ├── SchemaMismatch        tables/columns the registry names are missing
        └── StatementFailed       the database refused a statement (constraint, lock, type)
"""

from __future__ import annotations

from typing import Any

from gardien.errors import Unavailable


class ConnectorError(Unavailable):
    code = "connector_error"

    def __init__(self, system: str, message: str) -> None:
        self.system = system
        super().__init__(f"system {system}: {message}")

    def details(self) -> dict[str, Any]:
        return {"system": self.system}


class SystemUnreachable(ConnectorError):
    code = "system_unreachable"


class SchemaMismatch(ConnectorError):
    code = "schema_mismatch"

    def __init__(self, system: str, problems: list[str]) -> None:
        self.problems = problems
        listing = "; ".join(problems)
        super().__init__(system, f"the database does not match the registry: {listing}")

    def details(self) -> dict[str, Any]:
        return {"system": self.system, "problems": self.problems}


class StatementFailed(ConnectorError):
    code = "statement_failed"
