"""Rules about recipients and transfers outside the EEA (Art. 13(1)(e)–(f), 44–49)."""

from __future__ import annotations

from collections.abc import Iterator

from gardien.law.adequacy import TransferStatus, adequacy_list, transfer_status
from gardien.registry.checker import CheckContext, Issue, rule
from gardien.registry.findings import Severity
from gardien.registry.model import Recipient, Safeguard


def _status(recipient: Recipient) -> TransferStatus:
    # A country the notice does not name cannot be shown to be adequate (R-XFR-02).
    if recipient.third_country_unnamed:
        return TransferStatus.NEEDS_SAFEGUARD
    return transfer_status(recipient.country)


def _country(recipient: Recipient) -> str:
    return (
        "an unnamed country outside the EEA"
        if recipient.third_country_unnamed
        else recipient.country
    )


def _is_transfer(recipient: Recipient) -> bool:
    return _status(recipient) is not TransferStatus.INSIDE_EEA


@rule(
    "GD401",
    "transfer-without-safeguard",
    Severity.ERROR,
    article="GDPR Art. 44, 46, 49; R-XFR-01",
    hint="add safeguard: scc (or bcr, derogation…) and safeguard_detail saying where to get a copy",
)
def transfer_without_safeguard(ctx: CheckContext) -> Iterator[Issue]:
    reviewed = adequacy_list().reviewed.isoformat()
    for rid, recipient in ctx.registry.recipients.items():
        status = _status(recipient)
        if recipient.safeguard is not None:
            continue
        where = "third_country_unnamed" if recipient.third_country_unnamed else "country"
        if status is TransferStatus.NEEDS_SAFEGUARD:
            yield Issue(
                f"recipient {rid} receives data in {_country(recipient)}, which has no "
                f"adequacy decision (list reviewed {reviewed}), and no safeguard is declared",
                ("recipients", rid, where),
            )
        elif status is TransferStatus.ADEQUATE_IF_CERTIFIED:
            yield Issue(
                f"recipient {rid} is in {recipient.country}: the adequacy decision covers only "
                "certified organisations, and the recipient declares no safeguard",
                ("recipients", rid, where),
                hint="if the recipient is certified (e.g. EU-US Data Privacy Framework), "
                "write safeguard: adequacy; otherwise declare scc or bcr",
            )


@rule(
    "GD402",
    "adequacy-claimed-without-decision",
    Severity.ERROR,
    article="GDPR Art. 45",
    hint="declare the safeguard actually in place (scc, bcr, derogation…)",
)
def adequacy_claimed_without_decision(ctx: CheckContext) -> Iterator[Issue]:
    for rid, recipient in ctx.registry.recipients.items():
        if (
            recipient.safeguard is Safeguard.ADEQUACY
            and _status(recipient) is TransferStatus.NEEDS_SAFEGUARD
        ):
            yield Issue(
                f"recipient {rid} claims adequacy, but {_country(recipient)} has no "
                "adequacy decision",
                ("recipients", rid, "safeguard"),
            )


@rule(
    "GD403",
    "recipient-unused",
    Severity.WARNING,
    article="GDPR Art. 13(1)(e), 30(1)(d)",
    hint="list the recipient in the activities that send it data, or remove it",
)
def recipient_unused(ctx: CheckContext) -> Iterator[Issue]:
    used = {rid for act in ctx.registry.activities.values() for rid in act.recipients}
    for rid in ctx.registry.recipients:
        if rid not in used:
            yield Issue(
                f"recipient {rid} is declared but no activity sends it data", ("recipients", rid)
            )


@rule(
    "GD404",
    "safeguard-copy-missing",
    Severity.WARNING,
    article="GDPR Art. 13(1)(f), 14(1)(f)",
    hint="add safeguard_detail saying how to obtain a copy of the safeguard",
)
def safeguard_copy_missing(ctx: CheckContext) -> Iterator[Issue]:
    for rid, recipient in ctx.registry.recipients.items():
        if (
            _is_transfer(recipient)
            and recipient.safeguard not in (None, Safeguard.ADEQUACY, Safeguard.DEROGATION)
            and recipient.safeguard_detail is None
        ):
            yield Issue(
                f"recipient {rid} relies on {recipient.safeguard} but the notice cannot say "
                "how to obtain a copy of it",
                ("recipients", rid, "safeguard"),
            )


@rule(
    "GD405",
    "third-country-unnamed",
    Severity.WARNING,
    article="GDPR Art. 13(1)(f), 14(1)(f); WP260 rev.01 (transparency guidelines)",
    hint="name the country in recipients.<id>.country and drop third_country_unnamed",
)
def third_country_unnamed(ctx: CheckContext) -> Iterator[Issue]:
    for rid, recipient in ctx.registry.recipients.items():
        if recipient.third_country_unnamed:
            yield Issue(
                f"recipient {rid} receives data outside the EEA, but the country is not named",
                ("recipients", rid, "third_country_unnamed"),
            )
