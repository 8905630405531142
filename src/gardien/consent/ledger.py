"""The append-only consent and objection ledger, and its folding into a current state.

Each event says that, at an instant, through a channel, with some proof, under the notice
version then in force, a person gave or withdrew consent to one processing activity, objected to
it, or the controller lifted a (non-absolute) objection on compelling grounds (Art. 21(1)).
Nothing is ever changed or removed: the state of a (subject, activity) pair is *folded* from its
events, so the answer for any past instant is the fold of the events up to that instant
(R-RGT-10: a withdrawal acts for the future only).

Two independent axes are folded, each to its last event:
- consent: ``consent_given`` / ``consent_withdrawn`` (Art. 7(3));
- objection: ``objection`` / ``objection_lifted`` (Art. 21).
Events the law does not allow are refused before they are written (``check_event``), so every
stored event is effective and the state is simply the last event of each axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gardien.errors import UsageError
from gardien.law.rights import Right, activity_rights
from gardien.registry.model import LegalBasis, ProcessingActivity, Registry


class EventKind(StrEnum):
    CONSENT_GIVEN = "consent_given"  # Art. 6(1)(a), Art. 7(1): the controller must show it
    CONSENT_WITHDRAWN = "consent_withdrawn"  # Art. 7(3), R-RGT-10
    OBJECTION = "objection"  # Art. 21(1) (R-RGT-04, R-RGT-06), Art. 21(2)-(3) (R-RGT-05)
    OBJECTION_LIFTED = "objection_lifted"  # Art. 21(1): compelling legitimate grounds shown

    @property
    def axis(self) -> str:
        return (
            "consent"
            if self in (EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN)
            else "objection"
        )


class Channel(StrEnum):
    """How the person (or the controller) expressed the event; part of the proof."""

    PORTAL = "portal"
    EMAIL = "email"
    PHONE = "phone"
    PAPER = "paper"
    API = "api"
    CLI = "cli"


class EventRefused(UsageError):
    """An event the law does not allow for this activity; nothing was recorded."""

    code = "event_refused"


@dataclass(frozen=True)
class LedgerEvent:
    seq: int  # order of writing: breaks ties between events at the same instant
    at: datetime
    activity: str
    kind: EventKind
    channel: Channel
    proof: str | None = None
    notice_version: str | None = None
    prospecting: bool = False  # the activity was direct marketing when the event was written


@dataclass(frozen=True)
class ActivityState:
    """The last event of each axis for one (subject, activity), as of some instant."""

    consent: LedgerEvent | None = None
    objection: LedgerEvent | None = None

    @property
    def consent_in_force(self) -> bool:
        return self.consent is not None and self.consent.kind is EventKind.CONSENT_GIVEN

    @property
    def objection_in_force(self) -> bool:
        return self.objection is not None and self.objection.kind is EventKind.OBJECTION


def _ordered(events: Iterable[LedgerEvent]) -> list[LedgerEvent]:
    return sorted(events, key=lambda e: (e.at, e.seq))


def fold(events: Iterable[LedgerEvent], *, at: datetime | None = None) -> dict[str, ActivityState]:
    """State per activity from the events known at ``at`` (all of them when ``at`` is None)."""
    states: dict[str, ActivityState] = {}
    for event in _ordered(events):
        if at is not None and event.at > at:
            break
        state = states.get(event.activity, ActivityState())
        if event.kind.axis == "consent":
            state = ActivityState(consent=event, objection=state.objection)
        else:
            state = ActivityState(consent=state.consent, objection=event)
        states[event.activity] = state
    return states


def state_of(
    events: Iterable[LedgerEvent], activity: str, at: datetime | None = None
) -> ActivityState:
    return fold((e for e in events if e.activity == activity), at=at).get(activity, ActivityState())


def activity_of(registry: Registry, activity_id: str) -> ProcessingActivity:
    try:
        return registry.activities[activity_id]
    except KeyError:
        declared = ", ".join(sorted(registry.activities))
        raise UsageError(
            f"activity {activity_id!r} is not declared in the registry (declared: {declared})"
        ) from None


BASIS_ARTICLE = {
    LegalBasis.CONSENT: "Art. 6(1)(a)",
    LegalBasis.CONTRACT: "Art. 6(1)(b)",
    LegalBasis.LEGAL_OBLIGATION: "Art. 6(1)(c)",
    LegalBasis.VITAL_INTERESTS: "Art. 6(1)(d)",
    LegalBasis.PUBLIC_TASK: "Art. 6(1)(e)",
    LegalBasis.LEGITIMATE_INTEREST: "Art. 6(1)(f)",
}


def basis_words(activity: ProcessingActivity) -> str:
    basis = activity.legal_basis
    return f"{basis.value.replace('_', ' ')} ({BASIS_ARTICLE[basis]})"


def check_event(
    registry: Registry,
    activity_id: str,
    kind: EventKind,
    state: ActivityState,
    *,
    suppressed: bool = False,
    prospecting_asserted: bool = False,
    proof: str | None = None,
) -> ProcessingActivity:
    """Refuse, with the legal reason, an event the law does not allow; return the activity.

    ``state`` is the pair's current state; ``suppressed`` whether any of the subject's
    identifiers is on the suppression list; ``prospecting_asserted`` whether the caller said this
    is an objection to prospecting (it must then be a direct-marketing activity).
    """
    activity = activity_of(registry, activity_id)
    rights = activity_rights(activity, registry.controller.country)
    name = f"activity {activity_id!r}"
    if kind.axis == "consent":
        if Right.CONSENT_WITHDRAWAL not in rights:
            alternative = (
                " If the person objects, record an objection."
                if Right.OBJECTION in rights or Right.OBJECTION_DIRECT_MARKETING in rights
                else ""
            )
            raise EventRefused(
                f"{name} is based on {basis_words(activity)}, not on consent: there is no "
                f"consent to give or withdraw.{alternative}"
            )
        if kind is EventKind.CONSENT_GIVEN and activity.direct_marketing and suppressed:
            raise EventRefused(
                f"{name} is direct marketing and the person is on the suppression list after "
                "objecting to prospecting (Art. 21(3), R-RGT-05): gardien does not record a new "
                "consent over an absolute objection"
            )
        return activity
    if prospecting_asserted and not activity.direct_marketing:
        raise EventRefused(
            f"{name} is not direct marketing (direct_marketing is false in the registry): "
            "record a general objection instead",
            field="kind",
        )
    if kind is EventKind.OBJECTION:
        if Right.OBJECTION not in rights and Right.OBJECTION_DIRECT_MARKETING not in rights:
            if activity.legal_basis is LegalBasis.CONSENT:
                raise EventRefused(
                    f"{name} is based on consent ({BASIS_ARTICLE[LegalBasis.CONSENT]}): the person "
                    "withdraws consent instead of objecting (Art. 7(3)); record consent_withdrawn"
                )
            raise EventRefused(
                f"{name} is based on {basis_words(activity)}: the right to object does not apply "
                "(Art. 21(1) covers only processing based on Art. 6(1)(e) or (f)); the "
                "processing continues and the person can be told why"
            )
        return activity
    # objection_lifted
    if activity.direct_marketing:
        raise EventRefused(
            f"{name} is direct marketing: an objection to it is absolute (Art. 21(3), "
            "R-RGT-05) and cannot be lifted"
        )
    if Right.OBJECTION not in rights:
        raise EventRefused(
            f"{name} is based on {basis_words(activity)}: no objection applies to lift"
        )
    if not state.objection_in_force:
        raise EventRefused(f"{name}: there is no objection in force to lift for this person")
    if not (proof and proof.strip()):
        raise EventRefused(
            "lifting an objection needs the compelling legitimate grounds that override the "
            "person's interests, or the legal claims it serves (Art. 21(1)): give them as proof"
        )
    return activity
