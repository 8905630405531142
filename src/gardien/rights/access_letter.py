"""The reply to an access request, as a worded document (Art. 15(1)–(3), R-RGT-01).

It confirms whether data is held and, when it is, gives for the activities whose tables hold
the person's rows what Art. 15(1)(a)–(h) lists: purposes and legal bases, categories of data,
recipients (and transfers, Art. 15(2)), retention, the rights the person has over them, the
complaint to the authority, the source of data not collected from them, automated decisions.
Those parts are the notice's own sections (gardien.publish.notice) built on the registry
narrowed to those activities, so the letter and the notice never disagree; what is proper to
one reply (the identifiers searched, where data was found, the files attached) is added here.
A person found nowhere gets a short letter saying no data is held, with their rights to
complain and to ask again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gardien.publish.document import (
    Block,
    Bullets,
    Cell,
    Definitions,
    Paragraph,
    Section,
    Subsection,
    Table,
    Term,
)
from gardien.publish.notice import _NoticeWriter
from gardien.publish.wording import Wording, pick, wording_for
from gardien.registry.model import Registry
from gardien.rights.access import RequestReference, TableCopy
from gardien.rights.access_wording import identifier_kind, letter_words
from gardien.rights.locate import PersonLocation


@dataclass(frozen=True)
class AccessLetter:
    lang: str
    controller: str
    title: str
    reference_line: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    signature: str
    found: bool
    colon: str = ":"


def concerned_activities(registry: Registry, location: PersonLocation) -> list[str]:
    """Activities using a table that holds the person's rows, in the registry's order.

    An archived row is still used only by the activities whose rule for its subject has an
    archive phase: the others ended with the active phase, and Art. 15(1)(a) asks for the
    purposes the data is processed for, not those it once was.
    """
    used: set[str] = set()
    for row in location.all_rows():
        activities = registry.table_activities(row.system, row.table)
        if row.archived:
            subject = registry.table_subject(row.system, row.table)
            activities = [
                aid
                for aid in activities
                if subject is not None
                and (rule := registry.activities[aid].retention.get(subject)) is not None
                and rule.archive is not None
            ]
        used.update(activities)
    return [aid for aid in registry.activities if aid in used]


def concerned_subjects(registry: Registry, location: PersonLocation) -> list[str]:
    """The person's subject categories: those of the tables their rows were found in."""
    found = {registry.table_subject(row.system, row.table) for row in location.all_rows()}
    return [sid for sid in registry.subjects if sid in found]


class _NoticeSections:
    """The notice's sections for one set of activities, each built once and then reused.

    A batch of a thousand access requests concerns a handful of activity sets: the sections
    that depend only on the registry are built once per set, not once per person.
    """

    def __init__(self, writer: _NoticeWriter) -> None:
        self._writer = writer
        self._built: dict[str, Section] = {}

    def _section(self, name: str) -> Section:
        if name not in self._built:
            self._built[name] = getattr(self._writer, name)()
        return self._built[name]

    def recipients(self) -> Section:
        return self._section("recipients")

    def transfers(self) -> Section:
        return self._section("transfers")

    def automated(self) -> Section:
        return self._section("automated")

    def rights(self) -> Section:
        return self._section("rights")

    def exercise(self) -> Section:
        return self._section("exercise")

    def complaint(self) -> Section:
        return self._section("complaint")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)  # anything else the letter asks of the notice


_SECTIONS: dict[tuple[int, str, tuple[str, ...]], tuple[Registry, _NoticeSections]] = {}


def _notice_sections(
    registry: Registry, lang: str, activities: tuple[str, ...], wording: Wording
) -> _NoticeSections:
    key = (id(registry), lang, activities)
    cached = _SECTIONS.get(key)
    if cached is not None and cached[0] is registry:  # the id of a living object, not a reused one
        return cached[1]
    narrowed = registry.model_copy(
        update={"activities": {a: registry.activities[a] for a in activities}}
    )
    sections = _NoticeSections(_NoticeWriter(narrowed, wording))
    if len(_SECTIONS) > 256:
        _SECTIONS.clear()
    _SECTIONS[key] = (registry, sections)
    return sections


class _LetterWriter:
    def __init__(
        self,
        registry: Registry,
        location: PersonLocation,
        copies: list[TableCopy],
        files: Mapping[str, list[str]],
        reference: RequestReference,
        lang: str,
    ) -> None:
        self.registry = registry
        self.location = location
        self.copies = copies
        self.files = files
        self.reference = reference
        self.w: Wording = wording_for(lang)
        self.words = letter_words(lang)
        self.lang = lang
        self.activities = concerned_activities(registry, location)
        self.subjects = concerned_subjects(registry, location)
        # The notice's sections, on the registry narrowed to what concerns this person.
        self.notice = _notice_sections(registry, lang, tuple(self.activities), self.w)

    def say(self, key: str, **values: str) -> str:
        return self.words[key].format(colon=self.w.colon, **values)

    def intro(self) -> tuple[Block, ...]:
        w = self.w
        identifiers = tuple(
            f"{identifier_kind(self.words, kind)}{w.colon} {value}"
            for kind, value in sorted(self.location.identity.items())
        ) + tuple(
            # Issue 10 §3: an identifier read from the person's own records, and where.
            self.say(
                "searched_with_pivot",
                kind=identifier_kind(self.words, s.kind),
                value=s.value,
                found_in=", ".join(s.found_in),
            )
            for s in self.reference.searched_with
            if s.how == "pivot"
        )
        received = w.date(self.reference.received_at.date())
        blocks: tuple[Block, ...] = (
            Paragraph(self.say("intro", received=received)),
            Bullets(identifiers),
        )
        withheld = [s for s in self.reference.searched_with if s.how == "withheld"]
        if withheld:
            # Art. 15(4): a value the person's records share with somebody else's is not
            # searched further; the letter says so without naming the other record.
            kinds = ", ".join(f"{identifier_kind(self.words, s.kind)} {s.value}" for s in withheld)
            blocks += (Paragraph(self.say("searched_with_withheld", values=kinds)),)
        if self.reference.not_searched:
            # R-RGT-11, Art. 15(4): the person is told what was not searched and how to have
            # it searched; the values are not repeated (they may be somebody else's).
            kinds = ", ".join(identifier_kind(self.words, k) for k in self.reference.not_searched)
            blocks += (Paragraph(self.say("not_searched", kinds=kinds)),)
        return blocks

    def confirmation(self) -> Section:
        w = self.w
        if not self.location.found:
            return Section(
                "confirmation",
                self.words["h_confirmation"],
                (Paragraph(self.say("not_found")), Paragraph(self.say("not_found_more"))),
            )
        rows = []
        for copy in self.copies:
            system = self.registry.systems[copy.system]
            where = [copy.where]
            if system.description:
                where.append(system.description)
            categories = ", ".join(
                pick(self.registry.data[c].label, self.lang) or c
                for c in copy.categories()
                if c in self.registry.data
            )
            records = str(len(copy.rows))
            if copy.archived:
                records += " (" + self.say("records_archived", n=str(copy.archived)) + ")"
            rows.append(
                (
                    Cell(tuple(where)),
                    Cell((categories or w.not_provided,)),
                    Cell((records,)),
                    Cell(tuple(self.files.get(copy.where, ()))),
                )
            )
        headers = (
            self.words["th_where"],
            self.words["th_categories"],
            self.words["th_records"],
            self.words["th_files"],
        )
        blocks: list[Block] = [
            Paragraph(self.say("found")),
            Table("", headers, tuple(rows), style="found"),
        ]
        if any(copy.archived for copy in self.copies):
            blocks.append(Paragraph(self.say("archived_note")))
        return Section("confirmation", self.words["h_confirmation"], tuple(blocks))

    def purposes(self) -> Section:
        """Art. 15(1)(a), (b), (g): each activity's purpose, basis, data and source."""
        blocks: list[Block] = [Paragraph(self.say("purposes_intro"))]
        for aid in self.activities:
            activity = self.registry.activities[aid]
            sub = self.notice.purpose(aid, activity)
            held = self.categories_held(aid)
            if held:
                term = Term(self.words["l_your_data"], (held,))
                last = sub.blocks[-1]  # the notice ends an activity with its definitions
                if isinstance(last, Definitions):
                    sub = Subsection(
                        sub.title, (*sub.blocks[:-1], Definitions((*last.terms, term)))
                    )
                else:
                    sub = Subsection(sub.title, (*sub.blocks, Definitions((term,))))
            blocks.append(sub)
        return Section("purposes", self.words["h_purposes"], tuple(blocks))

    def categories_held(self, aid: str) -> str:
        """The categories of the person's data this activity uses, as found in their rows."""
        activity = self.registry.activities[aid]
        found: list[str] = []
        for copy in self.copies:
            if aid in self.registry.table_activities(copy.system, copy.table):
                found.extend(c for c in copy.categories() if c in activity.data)
        ordered = [c for c in self.registry.data if c in found]  # the registry's order
        return self.notice.listing(ordered, "data") if ordered else ""

    def retention(self) -> Section:
        """Art. 15(1)(d): the periods of the rules that apply to this person's rows."""
        blocks: list[Block] = [Paragraph(self.say("retention_intro"))]
        declared = []
        for sid in self.subjects:
            activities = [
                self.registry.activities[a]
                for a in self.activities
                if sid in self.registry.activities[a].subjects
            ]
            declared += [r for a in activities if (r := a.retention.get(sid)) is not None]
        held_everywhere = bool(declared) and all(rule.legal_holds for rule in declared)
        for sid in self.subjects:
            activities = [
                self.registry.activities[a]
                for a in self.activities
                if sid in self.registry.activities[a].subjects
            ]
            if activities:
                label = self.registry.subjects[sid].label
                blocks.append(self.notice.retention_table(sid, label, activities, held_everywhere))
        if held_everywhere:
            blocks.append(Paragraph(self.w["legal_hold"]))
        if any(rule.archive is not None for rule in declared):
            blocks.append(Paragraph(self.w["retention_archive"]))
        return Section("retention", self.w["h_retention"], tuple(blocks))

    def closing(self) -> Section:
        key = "closing" if self.location.found else "closing_none"
        return Section("closing", self.words["h_closing"], (Paragraph(self.say(key)),))

    def letter(self) -> AccessLetter:
        c, w = self.registry.controller, self.w
        sections: list[Section] = [self.confirmation()]
        if self.location.found:
            sections += [
                self.purposes(),
                self.notice.recipients(),  # Art. 15(1)(c)
                self.notice.transfers(),  # Art. 15(2)
                self.retention(),  # Art. 15(1)(d)
                self.notice.automated(),  # Art. 15(1)(h)
                self.notice.rights(),  # Art. 15(1)(e)
            ]
        sections += [
            self.notice.exercise(),
            self.notice.complaint(),  # Art. 15(1)(f)
            self.closing(),
        ]
        signer = c.dpo.name if c.dpo is not None and c.dpo.name else None
        signature = self.say("signature", controller=c.name)
        if signer:
            signature += f", {signer}"
        reference = self.say(
            "reference",
            id=self.reference.id,
            received=w.date(self.reference.received_at.date()),
            answered=w.date(self.reference.answered_on),
        )
        return AccessLetter(
            lang=self.lang,
            controller=c.name,
            title=self.words["title"],
            reference_line=reference,
            intro=self.intro(),
            sections=tuple(sections),
            signature=signature,
            found=self.location.found,
            colon=w.colon,
        )


def build_access_letter(
    registry: Registry,
    location: PersonLocation,
    copies: list[TableCopy],
    files: Mapping[str, list[str]],
    reference: RequestReference,
    lang: str,
) -> AccessLetter:
    """The letter answering ``reference`` for the person found at ``location``.

    ``copies`` are the data copies the package holds and ``files`` their file names per
    ``system.table``, listed so that the person knows what each attachment is.
    """
    return _LetterWriter(registry, location, copies, files, reference, lang).letter()
