"""What every language's wording provides to the notice and the record.

Each language owns its sentences whole (``fr.py``, ``en.py``): a French notice is written the way
a French DPO writes one, not translated word for word from the English. This base only holds
what is shared: choosing a localized text, and describing a retention rule from its parts.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from gardien.law.rights import Right
from gardien.registry.duration import Duration
from gardien.registry.events import Combination, EventExpression
from gardien.registry.model import (
    ActivePhase,
    Contact,
    EndAction,
    LegalBasis,
    RecipientKind,
    RetentionRule,
    Safeguard,
    SourceKind,
)


@dataclass(frozen=True)
class EventWords:
    """How a business event reads: as a moment ("la fin du contrat") and, when it ends a
    state, as a period ("pendant toute la durée du contrat")."""

    moment: str
    period: str | None = None


def pick(text: Mapping[str, str] | None, lang: str) -> str | None:
    """The text in ``lang``; else the first declared translation (the checker flags the gap)."""
    if not text:
        return None
    if lang in text:
        return text[lang]
    return next(iter(text.values()))


class Wording(ABC):
    """The sentences of one language."""

    lang: str
    colon: str  # "\u00a0:" in French typography, ":" in English
    not_provided: str
    yes: str
    no: str
    #: Fixed texts: headings and sentences that hold no registry value.
    text: ClassVar[Mapping[str, str]]

    def __getitem__(self, key: str) -> str:
        return self.text[key]

    # --- small pieces -----------------------------------------------------------------------

    @abstractmethod
    def join(self, items: Sequence[str]) -> str:
        """'a, b et c' / 'a, b and c'."""

    @abstractmethod
    def date(self, day: dt.date) -> str:
        """'28 mars 2024' / '28 March 2024'."""

    @abstractmethod
    def duration(self, duration: Duration) -> str:
        """'5 ans', '2 ans et 6 mois' / '5 years'."""

    @abstractmethod
    def event(self, name: str) -> EventWords:
        """Words for a business event; unknown events are named, never guessed."""

    @abstractmethod
    def legal_basis(self, basis: LegalBasis) -> str:
        """The legal basis with its article."""

    @abstractmethod
    def recipient_kind(self, kind: RecipientKind) -> str: ...

    @abstractmethod
    def safeguard(self, safeguard: Safeguard) -> str: ...

    @abstractmethod
    def country(self, code: str) -> str: ...

    @abstractmethod
    def end_action(self, action: EndAction) -> str: ...

    # --- sentences --------------------------------------------------------------------------

    @abstractmethod
    def active_phase(self, phase: ActivePhase) -> str:
        """The active phase in words, lower-case, e.g. 'pendant toute la durée du contrat'."""

    @abstractmethod
    def with_archive(self, active: str, archive: Duration) -> str:
        """'…, puis 5 ans en archive intermédiaire à accès restreint' (R-RET-08)."""

    @abstractmethod
    def archive_reason(self, reason: str) -> str: ...

    @abstractmethod
    def source(self, kind: SourceKind, description: str | None, public: bool) -> str:
        """Where the data comes from (Art. 14(2)(f))."""

    @abstractmethod
    def right(self, right: Right) -> tuple[str, str, str]:
        """(name, citation, what it lets the person do)."""

    @abstractmethod
    def right_scope(self, right: Right, applies_to: Sequence[str], excluded: Sequence[str]) -> str:
        """Which purposes a limited right covers, or which ones erasure does not; '' if all."""

    @abstractmethod
    def title_of(self, controller: str) -> str:
        """The notice's title with the controller's name."""

    @abstractmethod
    def version_line(self, version: str, date: dt.date | None) -> str: ...

    # --- shared -----------------------------------------------------------------------------

    def retention(self, rule: RetentionRule) -> str:
        """The whole retention period of one rule, capitalised, as a table cell reads it."""
        words = self.active_phase(rule.active)
        if rule.archive is not None:
            words = self.with_archive(words, rule.archive.for_)
        return words[:1].upper() + words[1:]

    def contact_lines(self, contact: Contact | None) -> tuple[str, ...]:
        """A contact as lines (name, e-mail, telephone, address, web); honest when absent."""
        if contact is None:
            return (self.not_provided,)
        lines = [
            value
            for value in (contact.name, contact.email, contact.phone, contact.address, contact.url)
            if value
        ]
        if contact.is_empty():
            lines.append(self["contact_details_missing"])
        return tuple(lines)

    def combine(self, phase_events: EventExpression) -> tuple[Combination, list[EventWords]]:
        return phase_events.combination, [self.event(name) for name in phase_events.events]
