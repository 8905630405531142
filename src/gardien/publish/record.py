"""The record of processing activities (Art. 30(1)), one entry per activity, from the registry.

Columns follow the CNIL register template French DPOs use: controller and DPO, activity,
purpose and sub-purposes, legal basis, subject and data categories, sensitive data, recipients,
transfers outside the EU with their safeguard, time limits for erasure, security measures, and
the date of creation/update (the notice's date: nothing here reads the clock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gardien.law.adequacy import TransferStatus, transfer_status
from gardien.publish.wording import Wording, pick, wording_for
from gardien.registry.model import LegalBasis, ProcessingActivity, Registry


@dataclass(frozen=True)
class Labelled:
    """A registry identifier and its label in the record's language."""

    id: str
    label: str


@dataclass(frozen=True)
class DataLine:
    id: str
    label: str
    description: str | None
    sensitive: bool
    criminal: bool


@dataclass(frozen=True)
class RecipientLine:
    id: str
    label: str
    kind: str
    kind_label: str
    country: str | None


@dataclass(frozen=True)
class TransferLine:
    recipient: str
    recipient_label: str
    country: str | None  # None: outside the EEA, country not named (R-XFR-02)
    country_label: str
    safeguard: str | None
    safeguard_label: str
    access_only: bool


@dataclass(frozen=True)
class RetentionLine:
    subject: str
    subject_label: str
    period: str | None  # in words; None when the registry gives no rule
    active: dict[str, str] | None  # {"until": …} or {"for": "P2Y", "from": …}
    archive: str | None  # ISO 8601 duration of the restricted archive
    end_action: str | None
    end_action_label: str | None
    legal_holds: bool | None


@dataclass(frozen=True)
class RecordEntry:
    id: str
    name: str
    purpose: str
    sub_purposes: tuple[str, ...]
    legal_basis: str
    legal_basis_label: str
    legal_basis_detail: str | None  # the legitimate interest, or the legal obligation
    subjects: tuple[Labelled, ...]
    data: tuple[DataLine, ...]
    recipients: tuple[RecipientLine, ...]
    transfers: tuple[TransferLine, ...]
    retention: tuple[RetentionLine, ...]

    @property
    def sensitive(self) -> tuple[DataLine, ...]:
        return tuple(d for d in self.data if d.sensitive or d.criminal)


@dataclass(frozen=True)
class ProcessingRecord:
    lang: str
    controller: str
    controller_address: str | None
    controller_contact: tuple[str, ...]
    dpo: tuple[str, ...] | None
    representative: tuple[str, ...] | None
    security_measures: tuple[str, ...]
    notice_version: str
    updated: dt.date | None
    entries: tuple[RecordEntry, ...]


class _RecordWriter:
    def __init__(self, registry: Registry, w: Wording) -> None:
        self.registry, self.w, self.lang = registry, w, w.lang

    def t(self, text: dict[str, str] | None) -> str | None:
        return pick(text, self.lang)

    def entry(self, aid: str, a: ProcessingActivity) -> RecordEntry:
        w, reg = self.w, self.registry
        detail = None
        if a.legal_basis is LegalBasis.LEGITIMATE_INTEREST:
            interest = self.t(a.legitimate_interest) or w.not_provided
            detail = f"{w['l_legitimate_interest']}{w.colon} {interest}"
        elif a.legal_basis is LegalBasis.LEGAL_OBLIGATION:
            obligation = self.t(a.legal_obligation) or w.not_provided
            detail = f"{w['l_legal_obligation']}{w.colon} {obligation}"
        basis = w.legal_basis(a.legal_basis)
        return RecordEntry(
            id=aid,
            name=self.t(a.name) or aid,
            purpose=self.t(a.purpose) or w.not_provided,
            sub_purposes=tuple(self.t(s) or "" for s in a.sub_purposes),
            legal_basis=a.legal_basis.value,
            legal_basis_label=basis[:1].upper() + basis[1:],
            legal_basis_detail=detail,
            subjects=tuple(
                Labelled(s, self.t(reg.subjects[s].label) or s if s in reg.subjects else s)
                for s in a.subjects
            ),
            data=tuple(self.data_line(d) for d in a.data),
            recipients=tuple(self.recipient_line(r) for r in a.recipients),
            transfers=tuple(t for r in a.recipients if (t := self.transfer_line(r))),
            retention=tuple(self.retention_line(a, s) for s in a.subjects),
        )

    def data_line(self, did: str) -> DataLine:
        d = self.registry.data.get(did)
        if d is None:
            return DataLine(did, did, None, False, False)
        return DataLine(did, self.t(d.label) or did, self.t(d.description), d.sensitive, d.criminal)

    def recipient_line(self, rid: str) -> RecipientLine:
        r = self.registry.recipients.get(rid)
        if r is None:
            return RecipientLine(rid, rid, "", "", None)
        return RecipientLine(
            rid,
            self.t(r.label) or rid,
            r.kind.value,
            self.w.recipient_kind(r.kind),
            None if r.third_country_unnamed else r.country,
        )

    def transfer_line(self, rid: str) -> TransferLine | None:
        w, r = self.w, self.registry.recipients.get(rid)
        if r is None:
            return None
        status = None if r.third_country_unnamed else transfer_status(r.country)
        if status is TransferStatus.INSIDE_EEA:
            return None
        if r.safeguard is not None:
            safeguard = w.safeguard(r.safeguard)
        elif status is TransferStatus.ADEQUATE:
            safeguard = w["adequate_country"]
        else:
            safeguard = w["safeguard_missing"]
        if detail := self.t(r.safeguard_detail):
            safeguard += f" {detail}"
        return TransferLine(
            recipient=rid,
            recipient_label=self.t(r.label) or rid,
            country=None if r.third_country_unnamed else r.country,
            country_label=w["country_unnamed"] if r.third_country_unnamed else w.country(r.country),
            safeguard=r.safeguard.value if r.safeguard else None,
            safeguard_label=safeguard,
            access_only=r.access_only,
        )

    def retention_line(self, a: ProcessingActivity, sid: str) -> RetentionLine:
        subject = self.registry.subjects.get(sid)
        label = (self.t(subject.label) if subject else None) or sid
        rule = a.retention.get(sid)
        if rule is None:
            return RetentionLine(sid, label, None, None, None, None, None, None)
        active = (
            {"until": str(rule.active.until)}
            if rule.active.until is not None
            else {"for": str(rule.active.for_), "from": str(rule.active.from_)}
        )
        period = self.w.retention(rule)
        if a.direct_marketing:  # the suppression list's period, issue 10 §6 (Art. 30(1)(f))
            proof = self.w.duration(self.registry.suppression_list.for_)
            period += f"; {self.w['objection_proof_short'].format(duration=proof)}"
        for did in a.data:
            # A category with its own, shorter period (issue 10 §6, Art. 30(1)(f)).
            data = self.registry.data.get(did)
            if data is not None and data.retention is not None:
                category = self.t(data.label) or did
                words = self.t(data.retention.note) or self.w.active_phase(data.retention)
                short = self.w["category_retention_short"]
                period += f"; {short.format(category=category, period=words)}"
        return RetentionLine(
            subject=sid,
            subject_label=label,
            period=period,
            active=active,
            archive=rule.archive.for_.iso() if rule.archive else None,
            end_action=rule.then.value,
            end_action_label=self.w.end_action(rule.then),
            legal_holds=rule.legal_holds,
        )

    def record(self) -> ProcessingRecord:
        c, w = self.registry.controller, self.w
        return ProcessingRecord(
            lang=self.lang,
            controller=c.name,
            controller_address=c.address,
            controller_contact=w.contact_lines(c.contact),
            dpo=w.contact_lines(c.dpo) if c.dpo is not None else None,
            representative=(
                w.contact_lines(c.representative) if c.representative is not None else None
            ),
            security_measures=tuple(self.t(m) or "" for m in c.security_measures),
            notice_version=c.notice.version,
            updated=c.notice.date,
            entries=tuple(self.entry(aid, a) for aid, a in self.registry.activities.items()),
        )


def build_record(registry: Registry, lang: str) -> ProcessingRecord:
    """The Art. 30 record of ``registry`` in ``lang`` (which the registry must declare)."""
    return _RecordWriter(registry, wording_for(lang)).record()
