"""Rules about legal bases (Art. 6, 7, 9, 21)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.model import LegalBasis


@rule(
    "GD201",
    "legitimate-interest-unstated",
    Severity.ERROR,
    article="GDPR Art. 13(1)(d), 14(2)(b)",
    hint="add legitimate_interest: {fr: …, en: …} stating the interest pursued",
)
def legitimate_interest_unstated(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        if act.legal_basis is LegalBasis.LEGITIMATE_INTEREST and not act.legitimate_interest:
            yield Issue(
                f"activity {aid} relies on legitimate interest without stating the interest",
                ("activities", aid, "legal_basis"),
            )
