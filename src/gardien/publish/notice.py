"""The Art. 13/14 privacy notice, built from the registry as a worded document.

Each section answers one item of Art. 13(1)–(2) / 14(1)–(2). What the registry does not say is
stated as not provided, never invented, and recorded as a gap (``NoticeDocument.gaps``, the
registry key that would fill it): a notice with a gap is a draft, never published
(``gardien.publish.publication``, issue 11 §1).
"""

from __future__ import annotations

from collections.abc import Iterable

from gardien.law.adequacy import TransferStatus, transfer_status
from gardien.law.rights import Right, activity_rights
from gardien.publish.document import (
    Block,
    Bullets,
    Cell,
    Definitions,
    NoticeDocument,
    Paragraph,
    Section,
    Subsection,
    Table,
    Term,
)
from gardien.publish.wording import Wording, pick, wording_for
from gardien.registry.model import (
    Contact,
    LegalBasis,
    ProcessingActivity,
    Recipient,
    Registry,
    SourceKind,
)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """'Coordonnées' → 'coordonnées' inside a list, but 'CNIL' or 'RSSI' stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[:1].lower() + text[1:]
    return text


class _NoticeWriter:
    def __init__(self, registry: Registry, w: Wording) -> None:
        self.registry = registry
        self.w = w
        self.lang = w.lang
        self.gaps: list[str] = []  # registry keys the notice needed and did not find

    def gap(self, key: str, placeholder: str | None = None) -> str:
        """Record that ``key`` is missing; the text the draft shows in its place."""
        if key not in self.gaps:
            self.gaps.append(key)
        return placeholder if placeholder is not None else self.w.not_provided

    def contact(self, key: str, contact: Contact | None) -> tuple[str, ...]:
        if contact is None or contact.is_empty():
            self.gap(key)
        return self.w.contact_lines(contact)

    def t(self, text: dict[str, str] | None) -> str | None:
        return pick(text, self.lang)

    def listing(self, ids: Iterable[str], table: str) -> str:
        """Labels in a definition's value: 'Données d'identification, coordonnées, …'."""
        return _capitalise(", ".join(_lower_first(n) for n in self.names(ids, table)))

    def in_sentence(self, ids: Iterable[str], table: str) -> str:
        """Labels inside a sentence: 'gestion du contrat et prospection commerciale'."""
        return self.w.join([_lower_first(n) for n in self.names(ids, table)])

    def names(self, ids: Iterable[str], table: str) -> list[str]:
        labels = {
            "subjects": {k: v.label for k, v in self.registry.subjects.items()},
            "data": {k: v.label for k, v in self.registry.data.items()},
            "activities": {k: v.name for k, v in self.registry.activities.items()},
        }[table]
        return [self.t(labels[i]) or i if i in labels else i for i in ids]

    # --- Art. 13(1)(a)–(b) ------------------------------------------------------------------

    def controller(self) -> Section:
        w, c = self.w, self.registry.controller
        blocks: list[Block] = []
        if description := self.t(c.description):
            blocks.append(Paragraph(description))
        blocks.append(Paragraph(w["controller_intro"].format(name=c.name)))
        terms = [
            Term(w["l_address"], (c.address or self.gap("controller.address"),)),
            Term(w["l_contact"], self.contact("controller.contact", c.contact)),
            Term(w["l_dpo"], self.contact("controller.dpo", c.dpo)),
        ]
        if c.representative is not None:
            terms.append(
                Term(
                    w["l_representative"],
                    self.contact("controller.representative", c.representative),
                )
            )
        blocks.append(Definitions(tuple(terms)))
        return Section("controller", w["h_controller"], tuple(blocks))

    def subjects(self) -> Section:
        w = self.w
        terms = tuple(
            Term(self.t(s.label) or sid, (self.t(s.description) or "",) if s.description else ())
            for sid, s in self.registry.subjects.items()
        )
        return Section(
            "subjects", w["h_subjects"], (Paragraph(w["subjects_intro"]), Definitions(terms))
        )

    def data(self) -> Section:
        w = self.w
        terms = []
        for did, d in self.registry.data.items():
            lines = [self.t(d.description) or ""] if d.description else []
            if d.sensitive:
                lines.append(w["sensitive"])
            if d.criminal:
                lines.append(w["criminal"])
            terms.append(Term(self.t(d.label) or did, tuple(lines)))
        return Section("data", w["h_data"], (Paragraph(w["data_intro"]), Definitions(tuple(terms))))

    # --- Art. 13(1)(c)–(d), 13(2)(e), 14(1)(d), 14(2)(f) -------------------------------------

    def purpose(self, aid: str, activity: ProcessingActivity) -> Subsection:
        w = self.w
        key = f"activities.{aid}"
        blocks: list[Block] = [Paragraph(self.t(activity.purpose) or self.gap(f"{key}.purpose"))]
        if activity.sub_purposes:
            blocks.append(Paragraph(w["sub_purposes_intro"]))
            blocks.append(Bullets(tuple(self.t(s) or "" for s in activity.sub_purposes)))
        terms = [Term(w["l_legal_basis"], (_capitalise(w.legal_basis(activity.legal_basis)),))]
        if activity.legal_basis is LegalBasis.LEGITIMATE_INTEREST:
            interest = self.t(activity.legitimate_interest)
            terms.append(
                Term(
                    w["l_legitimate_interest"],
                    (
                        _capitalise(interest)
                        if interest
                        else self.gap(f"{key}.legitimate_interest"),
                    ),
                )
            )
        if activity.legal_basis is LegalBasis.LEGAL_OBLIGATION:
            obligation = self.t(activity.legal_obligation)
            terms.append(
                Term(
                    w["l_legal_obligation"],
                    (
                        _capitalise(obligation)
                        if obligation
                        else self.gap(f"{key}.legal_obligation"),
                    ),
                )
            )
        if activity.legal_basis is LegalBasis.CONSENT:
            withdrawal = self.t(activity.consent.withdrawal) if activity.consent else None
            terms.append(
                Term(
                    w["l_consent_withdrawal"],
                    (withdrawal or self.gap(f"{key}.consent.withdrawal"),),
                )
            )
        terms.append(Term(w["l_subjects"], (self.listing(activity.subjects, "subjects"),)))
        terms.append(Term(w["l_data"], (self.listing(activity.data, "data"),)))
        terms.append(Term(w["l_source"], self.sources(aid, activity)))
        if activity.mandatory is not None:
            mandatory = self.listing(activity.mandatory.data, "data")
            if reason := self.t(activity.mandatory.reason):
                mandatory += f" ({reason})"
            consequence = self.t(activity.mandatory.consequence) or self.gap(
                f"{key}.mandatory.consequence"
            )
            terms.append(Term(w["l_mandatory"], (mandatory + ".", consequence)))
        blocks.append(Definitions(tuple(terms)))
        return Subsection(self.t(activity.name) or "", tuple(blocks))

    def sources(self, aid: str, activity: ProcessingActivity) -> tuple[str, ...]:
        w = self.w
        lines = []
        for subject in activity.subjects:
            source = activity.source.get(subject)
            key = f"activities.{aid}.source.{subject}"
            if source is None:
                text = self.gap(key)
            else:
                description = self.t(source.description)
                if source.kind is not SourceKind.DIRECT and not description:
                    self.gap(f"{key}.description")  # Art. 14(2)(f): from which source
                text = w.source(source.kind, description, source.public)
            if len(activity.subjects) > 1:
                text = f"{self.names([subject], 'subjects')[0]}{w.colon} {text}"
            lines.append(text)
        return tuple(lines)

    def purposes(self) -> Section:
        w = self.w
        blocks: list[Block] = [Paragraph(w["purposes_intro"])]
        blocks.extend(self.purpose(aid, a) for aid, a in self.registry.activities.items())
        return Section("purposes", w["h_purposes"], tuple(blocks))

    # --- Art. 13(1)(e)–(f) -------------------------------------------------------------------

    def used_recipients(self) -> list[tuple[str, Recipient, list[str]]]:
        used = []
        for rid, recipient in self.registry.recipients.items():
            purposes = [aid for aid, a in self.registry.activities.items() if rid in a.recipients]
            if purposes:
                used.append((rid, recipient, purposes))
        return used

    def recipients(self) -> Section:
        w = self.w
        used = self.used_recipients()
        if not used:
            return Section("recipients", w["h_recipients"], (Paragraph(w["recipients_none"]),))
        rows = tuple(
            (
                Cell((self.t(r.label) or rid,)),
                Cell((w.recipient_kind(r.kind),)),
                Cell(tuple(self.names(purposes, "activities"))),
            )
            for rid, r, purposes in used
        )
        table = Table(
            "", (w["th_recipient"], w["th_kind"], w["th_purposes"]), rows, style="recipients"
        )
        return Section("recipients", w["h_recipients"], (Paragraph(w["recipients_intro"]), table))

    def transfers(self) -> Section:
        w = self.w
        rows = []
        has_safeguard = False
        for rid, r, _purposes in self.used_recipients():
            if (
                not r.third_country_unnamed
                and transfer_status(r.country) is TransferStatus.INSIDE_EEA
            ):
                continue
            country = [w["country_unnamed"] if r.third_country_unnamed else w.country(r.country)]
            if r.access_only:
                country.append(_capitalise(w["access_only"]) + ".")
            if r.safeguard is not None:
                has_safeguard = True
                safeguard = [w.safeguard(r.safeguard)]
            elif (
                not r.third_country_unnamed
                and transfer_status(r.country) is TransferStatus.ADEQUATE
            ):
                safeguard = [w["adequate_country"]]
            else:
                safeguard = [self.gap(f"recipients.{rid}.safeguard", w["safeguard_missing"])]
            if detail := self.t(r.safeguard_detail):
                safeguard.append(detail)
            rows.append(
                (Cell((self.t(r.label) or rid,)), Cell(tuple(country)), Cell(tuple(safeguard)))
            )
        if not rows:
            return Section("transfers", w["h_transfers"], (Paragraph(w["transfers_none"]),))
        blocks: list[Block] = [
            Paragraph(w["transfers_intro"]),
            Table(
                "",
                (w["th_recipient"], w["th_country"], w["th_safeguard"]),
                tuple(rows),
                style="transfers",
            ),
        ]
        if has_safeguard:
            blocks.append(Paragraph(w["safeguard_copy"]))
        return Section("transfers", w["h_transfers"], tuple(blocks))

    # --- Art. 13(2)(a), R-RET-09: one table per subject category ------------------------------

    def retention(self) -> Section:
        w = self.w
        blocks: list[Block] = [Paragraph(w["retention_intro"])]
        tables = [
            (sid, subject, [a for a in self.registry.activities.values() if sid in a.subjects])
            for sid, subject in self.registry.subjects.items()
        ]
        declared = [
            rule
            for sid, _s, activities in tables
            for a in activities
            if (rule := a.retention.get(sid)) is not None
        ]
        # R-RET-05: say once that litigation suspends the periods when it suspends them all;
        # mark the rows concerned when only some rules yield to a legal hold.
        held_everywhere = bool(declared) and all(rule.legal_holds for rule in declared)
        for sid, subject, activities in tables:
            if activities:
                blocks.append(self.retention_table(sid, subject.label, activities, held_everywhere))
        if held_everywhere:
            blocks.append(Paragraph(w["legal_hold"]))
        if any(a.direct_marketing for a in self.registry.activities.values()):
            # The suppression list's own period (issue 10 §6): an objection is kept to be
            # honoured, for a stated time, not for ever.
            period = w.duration(self.registry.suppression_list.for_)
            blocks.append(Paragraph(w["objection_proof"].format(duration=period)))
        for did, data in self.registry.data.items():
            # Categories that expire before their row (issue 10 §6): said per category.
            if data.retention is not None:
                label = self.t(data.label) or did
                period = self.t(data.retention.note) or w.active_phase(data.retention)
                blocks.append(
                    Paragraph(w["category_retention"].format(category=label, period=period))
                )
        if any(rule.archive is not None for rule in declared):
            blocks.append(Paragraph(w["retention_archive"]))
        return Section("retention", w["h_retention"], tuple(blocks))

    def retention_table(
        self,
        sid: str,
        label: dict[str, str],
        activities: list[ProcessingActivity],
        held_everywhere: bool,
    ) -> Table:
        w = self.w
        rows = []
        marked = False
        ids = {id(a): aid for aid, a in self.registry.activities.items()}
        for activity in activities:
            activity_id = ids[id(activity)]
            name = Cell((self.t(activity.name) or "",))
            rule = activity.retention.get(sid)
            if rule is None:
                missing = self.gap(
                    f"activities.{activity_id}.retention.{sid}", w["retention_missing"]
                )
                rows.append((name, Cell((missing,)), Cell(("",))))
                continue
            mark = rule.legal_holds and not held_everywhere
            marked = marked or mark
            period = [w.retention(rule) + (" (*)" if mark else "")]
            if rule.archive is not None and (reason := self.t(rule.archive.reason)):
                period.append(w.archive_reason(reason))
            if note := self.t(rule.note):
                period.append(note)
            rows.append((name, Cell(tuple(period)), Cell((w.end_action(rule.then),))))
        return Table(
            self.t(label) or sid,
            (w["th_purpose"], w["th_retention"], w["th_end"]),
            tuple(rows),
            ("(*) " + w["legal_hold"],) if marked else (),
            style="retention",
        )

    # --- Art. 13(2)(f), Art. 22 --------------------------------------------------------------

    def automated(self) -> Section:
        w = self.w
        blocks: list[Block] = []
        for aid, activity in self.registry.activities.items():
            auto = activity.automated
            if auto is None or not (auto.profiling or auto.decision):
                continue
            key = f"activities.{aid}.automated"
            terms = [
                Term(w["l_profiling"], (w.yes if auto.profiling else w.no,)),
                Term(w["l_decision"], (w.yes if auto.decision else w.no,)),
                Term(w["l_logic"], (self.t(auto.logic) or self.gap(f"{key}.logic"),)),
                Term(
                    w["l_consequences"],
                    (self.t(auto.consequences) or self.gap(f"{key}.consequences"),),
                ),
            ]
            if auto.decision or auto.safeguards:
                terms.append(
                    Term(
                        w["l_safeguards"],
                        (self.t(auto.safeguards) or self.gap(f"{key}.safeguards"),),
                    )
                )
            blocks.append(Subsection(self.t(activity.name) or "", (Definitions(tuple(terms)),)))
        if not blocks:
            blocks.append(Paragraph(w["automated_none"]))
        return Section("automated", w["h_automated"], tuple(blocks))

    def security(self) -> Section | None:
        measures = [self.t(m) or "" for m in self.registry.controller.security_measures]
        if not measures:
            return None
        return Section(
            "security",
            self.w["h_security"],
            (Paragraph(self.w["security_intro"]), Bullets(tuple(measures))),
        )

    # --- Art. 13(2)(b)–(d), R-RGT-01…13 ------------------------------------------------------

    def rights(self) -> Section:
        w, country = self.w, self.registry.controller.country
        per_activity = {
            aid: activity_rights(a, country) for aid, a in self.registry.activities.items()
        }
        present = [r for r in Right if any(r in rights for rights in per_activity.values())]
        terms = []
        for right in present:
            name, citation, what = w.right(right)
            applies = [aid for aid, rights in per_activity.items() if right in rights]
            excluded = [aid for aid in per_activity if aid not in applies]
            lines = [what]
            if scope := w.right_scope(
                right,
                [_lower_first(n) for n in self.names(applies, "activities")],
                [_lower_first(n) for n in self.names(excluded, "activities")],
            ):
                lines.append(scope)
            terms.append(Term(f"{name} ({citation})", tuple(lines)))
        return Section(
            "rights", w["h_rights"], (Paragraph(w["rights_intro"]), Definitions(tuple(terms)))
        )

    def exercise(self) -> Section:
        w, c = self.w, self.registry.controller
        channel = c.channel()
        blocks: list[Block] = []
        if channel is None or channel.is_empty():
            if channel is not None and channel.name:
                blocks.append(Paragraph(channel.name))
            blocks.append(Paragraph(self.gap("controller.rights_channel", w["channel_missing"])))
        else:
            who = w["channel_dpo"] if c.rights_channel is None else w["channel_other"]
            blocks.append(Paragraph(w["exercise_intro"].format(channel=who)))
            ways = [
                Term(w[key], (value,))
                for key, value in (
                    ("l_channel", channel.name),
                    ("l_email", channel.email),
                    ("l_post", channel.address),
                    ("l_phone", channel.phone),
                    ("l_online", channel.url),
                )
                if value
            ]
            blocks.append(Definitions(tuple(ways)))
        blocks.append(Paragraph(w["identity_proof"] if c.identity_proof else w["identity_doubt"]))
        blocks.append(Paragraph(w["deadline"]))
        return Section("exercise", w["h_exercise"], tuple(blocks))

    def complaint(self) -> Section:
        w, authority = self.w, self.registry.controller.authority
        if authority is None:
            missing = self.gap("controller.authority", w["complaint_missing"])
            return Section("complaint", w["h_complaint"], (Paragraph(missing),))
        full = self.t(authority.full_name)
        if not full or authority.name in full:
            name = full or authority.name
        elif full.endswith(")"):
            name = f"{authority.name}, {full}"  # avoid '(…) (CNIL)'
        else:
            name = f"{full} ({authority.name})"
        blocks: list[Block] = [Paragraph(w["complaint"].format(authority=name))]
        terms = []
        if authority.url:
            terms.append(Term(w["l_website"], (authority.url,)))
        if authority.address:
            terms.append(Term(w["l_address"], (authority.address,)))
        if terms:
            blocks.append(Definitions(tuple(terms)))
        return Section("complaint", w["h_complaint"], tuple(blocks))

    def document(self) -> NoticeDocument:
        c, w = self.registry.controller, self.w
        sections = [
            self.controller(),
            self.subjects(),
            self.data(),
            self.purposes(),
            self.recipients(),
            self.transfers(),
            self.retention(),
            self.automated(),
            self.security(),
            self.rights(),
            self.exercise(),
            self.complaint(),
        ]
        if c.notice.date is None:
            self.gap("controller.notice.date")
        return NoticeDocument(
            lang=self.lang,
            controller=c.name,
            title=w.title_of(c.name),
            version_line=w.version_line(c.notice.version, c.notice.date),
            intro=(Paragraph(w["intro"]),),
            sections=tuple(s for s in sections if s is not None),
            contents_label=w["toc"],
            colon=w.colon,
            gaps=tuple(self.gaps),
        )


def build_notice(registry: Registry, lang: str) -> NoticeDocument:
    """The notice of ``registry`` in ``lang`` (which the registry must declare)."""
    return _NoticeWriter(registry, wording_for(lang)).document()
