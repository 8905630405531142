"""Rules about who the controller is and how people reach them (Art. 13(1)(a)–(b), 13(2)(d))."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.law.adequacy import in_eea
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


@rule(
    "GD103",
    "controller-contact-missing",
    Severity.ERROR,
    article="GDPR Art. 13(1)(a), 14(1)(a)",
    hint="add controller.address or controller.contact with an email, phone, address or url",
)
def controller_contact_missing(ctx: CheckContext) -> Iterator[Issue]:
    controller = ctx.registry.controller
    contact = controller.contact
    if not controller.address and (contact is None or contact.is_empty()):
        yield Issue(
            f"the notice must give the identity and contact details of {controller.name}; "
            "the registry has neither an address nor a contact",
            ("controller", "contact") if contact else ("controller", "name"),
        )


@rule(
    "GD104",
    "rights-channel-missing",
    Severity.ERROR,
    article="GDPR Art. 12(2), 13(2)(b); R-RGT-12",
    hint="add controller.rights_channel (or controller.dpo) with an email or postal address",
)
def rights_channel_missing(ctx: CheckContext) -> Iterator[Issue]:
    controller = ctx.registry.controller
    candidates = (controller.rights_channel, controller.dpo, controller.contact)
    if all(c is None or c.is_empty() for c in candidates):
        path = ("controller", "rights_channel") if controller.rights_channel else ("controller",)
        yield Issue("people have no stated channel to exercise their rights", path)


@rule(
    "GD105",
    "notice-undated",
    Severity.WARNING,
    article="R-NOT-01; Art. 12(1), WP260 rev.01 (transparency guidelines)",
    hint="add controller.notice.date: YYYY-MM-DD (the date the notice takes effect)",
)
def notice_undated(ctx: CheckContext) -> Iterator[Issue]:
    # The version is required by the schema; the date is what tells a reader it changed.
    if ctx.registry.controller.notice.date is None:
        yield Issue("the notice has a version but no date", ("controller", "notice", "version"))


@rule(
    "GD106",
    "representative-missing",
    Severity.ERROR,
    article="GDPR Art. 13(1)(a), 14(1)(a), 27",
    hint="add controller.representative with the EU representative's contact details",
)
def representative_missing(ctx: CheckContext) -> Iterator[Issue]:
    controller = ctx.registry.controller
    if not in_eea(controller.country) and controller.representative is None:
        yield Issue(
            f"the controller is established outside the EEA ({controller.country}) "
            "but names no representative in the Union",
            ("controller", "country"),
        )


@rule(
    "GD107",
    "security-measures-missing",
    Severity.WARNING,
    article="GDPR Art. 30(1)(g), 32; R-SEC-01",
    hint="list controller.security_measures (access control, security policy, audits…)",
)
def security_measures_missing(ctx: CheckContext) -> Iterator[Issue]:
    if not ctx.registry.controller.security_measures:
        yield Issue(
            "the record of processing needs a general description of the security measures",
            ("controller", "security_measures")
            if "security_measures" in ctx.registry.controller.model_fields_set
            else ("controller", "name"),
        )
