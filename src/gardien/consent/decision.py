"""``may_process``: may we use this person's data for this activity at this instant, and why?

The answer combines, in this order (the first that forbids wins):
1. a restriction in force: only storage is allowed (Art. 18(2), R-RGT-07);
2. direct marketing: an objection, or the person's identifiers on the suppression list, stops it
   absolutely and at once (Art. 21(3), R-RGT-05);
3. the legal basis: consent needs a consent given and not withdrawn at that instant (Art. 7(3),
   R-RGT-10: a withdrawal acts for the future only, so an earlier instant keeps its answer);
   legitimate interest or public task stops on an objection in force until the controller
   records compelling grounds (Art. 21(1), R-RGT-04, R-RGT-06); contract, legal obligation and
   vital interests cannot be objected to (``gardien.law.rights``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gardien.consent.ledger import BASIS_ARTICLE, LedgerEvent, activity_of, basis_words, state_of
from gardien.consent.restriction import RestrictionEvent, restrictions_in_force
from gardien.law.rights import Right, activity_rights
from gardien.registry.model import LegalBasis, Registry


@dataclass(frozen=True)
class SubjectRecord:
    """What the store holds on one person that bears on a decision (one query's worth)."""

    events: tuple[LedgerEvent, ...] = ()
    restrictions: tuple[RestrictionEvent, ...] = ()
    suppressed_since: datetime | None = None  # earliest suppression of any of their identifiers


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    basis: LegalBasis
    activity: str
    at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "basis": self.basis.value,
            "activity": self.activity,
            "at": self.at.isoformat(),
        }


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _how(event: LedgerEvent) -> str:
    notice = f", notice {event.notice_version}" if event.notice_version else ""
    return f"on {_day(event.at)} via {event.channel.value}{notice}"


def may_process(
    registry: Registry, record: SubjectRecord, activity_id: str, at: datetime
) -> Decision:
    activity = activity_of(registry, activity_id)
    basis = activity.legal_basis

    def answer(allowed: bool, reason: str) -> Decision:
        return Decision(allowed, reason, basis, activity_id, at)

    restricted = restrictions_in_force(record.restrictions, at)
    if restricted:
        first = restricted[0]
        request = f", request {first.request_id}" if first.request_id else ""
        return answer(
            False,
            f"processing is restricted since {_day(first.at)} ({first.reason}{request}): the "
            "data may only be stored until the restriction is lifted (Art. 18(2), R-RGT-07)",
        )
    state = state_of(record.events, activity_id, at)
    if activity.direct_marketing:
        if record.suppressed_since is not None and record.suppressed_since <= at:
            return answer(
                False,
                f"the person is on the suppression list since {_day(record.suppressed_since)}: "
                "an objection to prospecting is absolute (Art. 21(3), R-RGT-05)",
            )
        if state.objection_in_force and state.objection is not None:
            return answer(
                False,
                f"the person objected to prospecting {_how(state.objection)}: the objection is "
                "absolute (Art. 21(3), R-RGT-05)",
            )
    if basis is LegalBasis.CONSENT:
        if state.consent_in_force and state.consent is not None:
            return answer(True, f"consent given {_how(state.consent)} and not withdrawn")
        if state.consent is not None:
            return answer(
                False,
                f"consent withdrawn {_how(state.consent)}: no processing from then on; what was "
                "done before stays lawful (Art. 7(3), R-RGT-10)",
            )
        return answer(
            False,
            f"no consent is recorded for this activity, which is based on consent "
            f"({BASIS_ARTICLE[basis]}; Art. 7(1): the controller must be able to show it)",
        )
    rights = activity_rights(activity, registry.controller.country)
    if Right.OBJECTION in rights:
        if state.objection_in_force and state.objection is not None:
            return answer(
                False,
                f"the person objected {_how(state.objection)}: processing stops unless the "
                "controller demonstrates compelling legitimate grounds, recorded by lifting the "
                "objection (Art. 21(1), R-RGT-04)",
            )
        if state.objection is not None:
            return answer(
                True,
                f"{basis_words(activity)}; the objection was lifted {_how(state.objection)} on "
                f"compelling grounds: {state.objection.proof}",
            )
        suffix = ", not on the suppression list" if activity.direct_marketing else ""
        return answer(True, f"{basis_words(activity)}; no objection recorded{suffix}")
    if activity.direct_marketing:
        return answer(True, f"{basis_words(activity)}; not on the suppression list, no objection")
    return answer(
        True,
        f"{basis_words(activity)}: the right to object does not apply (Art. 21(1) covers only "
        "processing based on Art. 6(1)(e) or (f))",
    )
