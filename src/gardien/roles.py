"""The roles of staff accounts (what each may do is ``gardien.server.permissions.MATRIX``)."""

from __future__ import annotations

from enum import StrEnum

from gardien.errors import UsageError


class Role(StrEnum):
    DPO = "dpo"
    AGENT = "agent"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text)
        except ValueError:
            raise UsageError(
                f"role {text!r}: use one of {', '.join(r.value for r in cls)}", field="role"
            ) from None
