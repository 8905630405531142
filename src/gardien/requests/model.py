"""A rights request as a value: who asks, for what, by when, and everything that happened to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gardien.requests.directive import DirectiveAction
from gardien.requests.kinds import RequestKind
from gardien.requests.proofs import IdentifierProof, SearchScope, search_scope
from gardien.requests.states import Action, RequestState


@dataclass(frozen=True)
class RequestDetails:
    """What a request says beyond its kind; which parts apply depends on the kind."""

    fields: Mapping[str, str] = field(default_factory=dict)
    """Rectification (Art. 16): column → the value the person says is accurate."""
    activity: str | None = None
    """Objection or consent withdrawal: the processing activity it is aimed at (registry id)."""
    purpose: str | None = None
    """Objection or consent withdrawal: the purpose, when the person names one rather than an activity."""
    directive: str | None = None
    """Post-mortem directive (Loi 78-17 art. 85): keep, erase or communicate, in the person's words."""
    trusted_third_party: str | None = None
    """Post-mortem directive: who the person designated to have it carried out."""
    directive_action: DirectiveAction | None = None
    """Post-mortem directive: what gardien carries out once the death is declared."""

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": dict(self.fields),
            "activity": self.activity,
            "purpose": self.purpose,
            "directive": self.directive,
            "trusted_third_party": self.trusted_third_party,
            "directive_action": self.directive_action.value if self.directive_action else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RequestDetails:
        return cls(
            fields=dict(data.get("fields") or {}),
            activity=data.get("activity"),
            purpose=data.get("purpose"),
            directive=data.get("directive"),
            trusted_third_party=data.get("trusted_third_party"),
            directive_action=(
                DirectiveAction(data["directive_action"]) if data.get("directive_action") else None
            ),
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One transition, as the audit trail and the person's file show it."""

    at: datetime
    actor: str
    action: Action
    from_state: RequestState | None
    to_state: RequestState
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    """Facts about the step (verification method, identity wait, outcome…); never identifiers."""

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action.value,
            "from": self.from_state.value if self.from_state else None,
            "to": self.to_state.value,
            "reason": self.reason,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Extension:
    """Art. 12(3): the period extended by two months, with the reasons told to the person."""

    reason: str
    decided_at: datetime
    decided_by: str


@dataclass(frozen=True)
class Death:
    """Loi 78-17 art. 85: the person's death, declared to the controller, makes a directive actionable."""

    died_on: date
    declared_at: datetime
    declared_by: str


@dataclass(frozen=True)
class RightsRequest:
    id: str
    kind: RequestKind
    identity: Mapping[str, str]
    """Normalised identifiers, ``{kind: value}`` (gardien.identity)."""
    channel: str | None
    """The declared channel the one-time code goes to: an identity kind, ``email`` or ``phone``."""
    received_at: datetime
    country: str
    """The controller's country, whose public holidays the deadlines skip."""
    due: date | None
    """Art. 12(3): last day to answer; ``None`` for a directive while the person lives."""
    extended_due: date | None
    """Last day if the period is extended by two months (Art. 12(3))."""
    state: RequestState
    text: str | None = None
    details: RequestDetails = field(default_factory=RequestDetails)
    extension: Extension | None = None
    death: Death | None = None
    result: Mapping[str, Any] | None = None
    """What execution found and did, per system and table (set by ``complete``)."""
    timeline: tuple[TimelineEntry, ...] = ()
    proofs: Mapping[str, IdentifierProof] = field(default_factory=dict)
    """Identifier kind → how it was proven (R-RGT-11); an identifier absent is not searched."""

    @property
    def scope(self) -> SearchScope:
        """The identifiers every right may search, and those it may not (``requests.proofs``)."""
        return search_scope(self.identity, self.proofs)

    @property
    def extended(self) -> bool:
        return self.extension is not None

    @property
    def answer_by(self) -> date | None:
        """The deadline in force: the extended one once the period is extended."""
        return self.extended_due if self.extended else self.due

    def overdue(self, today: date) -> bool:
        """Open and past its deadline (the period ends with the last hour of ``answer_by``)."""
        return self.state.is_open and self.answer_by is not None and today > self.answer_by

    @property
    def actionable(self) -> bool:
        """A directive waits for a declared death; every other kind can be executed once verified."""
        return self.kind is not RequestKind.POST_MORTEM_DIRECTIVE or self.death is not None
