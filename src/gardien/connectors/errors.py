"""Errors a connector raises: each names the system, table and column concerned.

GardienError
└── ConnectorError
    ├── SystemUnreachable     the database cannot be reached (URL shown without password)
    ├── SchemaMismatch        tables/columns the registry names are missing
    └── StatementFailed       the database refused a statement (constraint, lock, type)
"""

from __future__ import annotations

from gardien.errors import GardienError


class ConnectorError(GardienError):
    def __init__(self, system: str, message: str) -> None:
        self.system = system
        super().__init__(f"system {system}: {message}")


class SystemUnreachable(ConnectorError):
    pass


class SchemaMismatch(ConnectorError):
    def __init__(self, system: str, problems: list[str]) -> None:
        self.problems = problems
        listing = "; ".join(problems)
        super().__init__(system, f"the database does not match the registry: {listing}")


class StatementFailed(ConnectorError):
    pass
