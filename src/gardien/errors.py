"""gardien's one exception hierarchy.

    GardienError                 anything gardien refuses, with a message for people
    ├── RegistryError            the registry cannot be used; carries *every* finding
    └── UsageError               a command was called with arguments that cannot work

The CLI maps these to exit codes and the API to HTTP statuses, once, at the edge.
Library code never prints and never exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gardien.registry.findings import Finding


class GardienError(Exception):
    """Base of every error gardien raises on purpose."""


class UsageError(GardienError):
    """The request cannot work as asked (bad option, missing file…)."""


class RegistryError(GardienError):
    """The registry cannot be loaded; ``findings`` holds every problem found, not the first."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        count = len(self.findings)
        first = self.findings[0].render() if self.findings else "no details"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"the registry has {count} problem(s): {first}{more}")
