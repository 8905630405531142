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


@rule(
    "GD202",
    "consent-withdrawal-missing",
    Severity.ERROR,
    article="GDPR Art. 7(3), 13(2)(c), 14(2)(d); R-RGT-10",
    hint="add consent: {withdrawal: {fr: …, en: …}} saying how to withdraw consent",
)
def consent_withdrawal_missing(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        if act.legal_basis is LegalBasis.CONSENT and (
            act.consent is None or act.consent.withdrawal is None
        ):
            where = "consent" if act.consent else "legal_basis"
            yield Issue(
                f"activity {aid} relies on consent but says nowhere how to withdraw it",
                ("activities", aid, where),
            )


@rule(
    "GD203",
    "special-category-without-condition",
    Severity.ERROR,
    article="GDPR Art. 9(1)-(2)",
    hint="add special_category_condition (explicit_consent, employment, health_care…)",
)
def special_category_without_condition(ctx: CheckContext) -> Iterator[Issue]:
    data = ctx.registry.data
    for aid, act in ctx.registry.activities.items():
        if act.special_category_condition is not None:
            continue
        for index, did in enumerate(act.data):
            if did in data and data[did].sensitive:
                yield Issue(
                    f"activity {aid} processes special-category data '{did}' "
                    "without an Art. 9(2) condition",
                    ("activities", aid, "data", index),
                )


@rule(
    "GD204",
    "criminal-data-without-legal-ground",
    Severity.WARNING,
    article="GDPR Art. 10; Loi 78-17 art. 46",
    hint="offence data needs a legal basis in law: legal_obligation or public_task, "
    "with legal_obligation naming the text",
)
def criminal_data_without_legal_ground(ctx: CheckContext) -> Iterator[Issue]:
    data = ctx.registry.data
    for aid, act in ctx.registry.activities.items():
        if act.legal_basis in (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK):
            continue
        for index, did in enumerate(act.data):
            if did in data and data[did].criminal:
                yield Issue(
                    f"activity {aid} processes offence data '{did}' on the basis "
                    f"{act.legal_basis.value}; Art. 10 requires authorisation by law",
                    ("activities", aid, "data", index),
                )


@rule(
    "GD205",
    "direct-marketing-basis",
    Severity.ERROR,
    article="GDPR Art. 6(1)(a)/(f), Recital 47, Art. 21(2); CPCE art. L34-5",
    hint="base prospecting on consent or legitimate_interest",
)
def direct_marketing_basis(ctx: CheckContext) -> Iterator[Issue]:
    allowed = (LegalBasis.CONSENT, LegalBasis.LEGITIMATE_INTEREST)
    for aid, act in ctx.registry.activities.items():
        if act.direct_marketing and act.legal_basis not in allowed:
            yield Issue(
                f"activity {aid} is direct marketing but relies on {act.legal_basis.value}",
                ("activities", aid, "legal_basis"),
            )


@rule(
    "GD206",
    "legal-obligation-unstated",
    Severity.WARNING,
    article="GDPR Art. 6(3), 13(1)(c)",
    hint="add legal_obligation: {fr: …, en: …} naming the text that imposes the processing",
)
def legal_obligation_unstated(ctx: CheckContext) -> Iterator[Issue]:
    for aid, act in ctx.registry.activities.items():
        if act.legal_basis is LegalBasis.LEGAL_OBLIGATION and act.legal_obligation is None:
            yield Issue(
                f"activity {aid} relies on a legal obligation without naming it",
                ("activities", aid, "legal_basis"),
            )
