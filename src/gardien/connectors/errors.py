"""Errors a connector raises: each names the system, table and column concerned.

GardienError
├── Unavailable
│   └── ConnectorError
│       ├── SystemUnreachable     the database cannot be reached (URL shown without password)
│       ├── SchemaMismatch        tables/columns the registry names are missing
│       └── StatementFailed       the database refused a statement (constraint, lock, type)
└── UsageError
    └── ValueDoesNotFit           a value to write cannot be held by its column (too long, not
                                  of its type): trying again cannot help, so the request
                                  carrying it is refused with the reason, never left waiting
"""

from __future__ import annotations

from typing import Any

from gardien.errors import Unavailable, UsageError


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


class ValueDoesNotFit(UsageError):
    code = "value_does_not_fit"

    def __init__(self, system: str, problem: str) -> None:
        self.system = system
        super().__init__(f"system {system}: {problem}", field="fields")
