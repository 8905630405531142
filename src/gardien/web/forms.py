"""What the portal's and the back office's request forms share."""

from __future__ import annotations

from gardien.jobs.filing import declared_identity_kinds
from gardien.registry.model import Registry

CODE_CHANNELS = ("email", "phone")


def identity_fields(registry: Registry) -> list[str]:
    """The identifiers the registry declares, the code channels first (they come first on the
    forms because the one-time code goes to one of them, R-RGT-11)."""
    declared = declared_identity_kinds(registry)
    first = [k for k in CODE_CHANNELS if k in declared]
    return first + [k for k in declared if k not in first]
