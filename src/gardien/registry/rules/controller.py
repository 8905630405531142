"""Rules about who the controller is and how people reach them (Art. 13(1)(a)–(b), 13(2)(d))."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity


@rule(
    "GD101",
    "dpo-contact-missing",
    Severity.ERROR,
    article="GDPR Art. 13(1)(b), 14(1)(b), 37(7)",
    hint="add controller.dpo with an email or a postal address",
)
def dpo_contact_missing(ctx: CheckContext) -> Iterator[Issue]:
    dpo = ctx.registry.controller.dpo
    if dpo is None or dpo.is_empty():
        yield Issue(
            "the notice must give the contact details of the data protection officer",
            ("controller", "dpo") if dpo else ("controller",),
        )


@rule(
    "GD102",
    "authority-missing",
    Severity.ERROR,
    article="GDPR Art. 13(2)(d), 14(2)(e), 77",
    hint="add controller.authority, e.g. {name: CNIL, url: https://www.cnil.fr}",
)
def authority_missing(ctx: CheckContext) -> Iterator[Issue]:
    if ctx.registry.controller.authority is None:
        yield Issue("no supervisory authority is declared for complaints", ("controller",))
