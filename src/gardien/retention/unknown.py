"""Rows whose retention start is unknown (issue 10 §5, GDPR Art. 5(1)(e)).

A duration rule's start is unknown when every date its ``from`` expression reads is NULL
(``latest(a, b)`` and ``earliest(a, b)`` ignore an empty date while another is known). What that
means is the rule's ``if_unknown`` (``registry/unknown_dates.py``): ``delete`` makes the row
past the rule, ``keep`` keeps it, ``review`` keeps it *and* lists it in every plan, so that it
is never kept for ever without anyone knowing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gardien.registry.events import EventExpression
from gardien.registry.model import RetentionRule
from gardien.registry.unknown_dates import IfUnknown
from gardien.retention.conditions import FALSE, Condition, IsNull, all_of, any_of


def start_unknown(expr: EventExpression, columns: dict[str, str]) -> Condition:
    """Every date the start is taken from is empty."""
    return all_of([IsNull(columns[e]) for e in expr.events])


def unknown_under(
    rule: RetentionRule | None, columns: dict[str, str], meaning: IfUnknown
) -> Condition:
    """Rows whose start is unknown under ``rule`` when the rule gives them ``meaning``."""
    if rule is None or rule.active.from_ is None or rule.unknown_start() is not meaning:
        return FALSE
    return start_unknown(rule.active.from_, columns)


@dataclass(frozen=True)
class ReviewAction:
    """Rows nothing but an unknown start keeps: not touched, listed for a person to decide."""

    system: str
    table: str
    key: str
    condition: Condition
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.system}.{self.table}: review"


def review_condition(
    rules: Sequence[RetentionRule | None],
    ended: Sequence[Condition],
    columns: dict[str, str],
) -> Condition:
    """Rows every rule has finished with, but for an unknown start under ``review``.

    ``ended[i]`` is rule i's "every phase over"; a row another rule still keeps for a known
    reason is not listed (its own rule keeps it; nothing is kept for ever because of a NULL).
    """
    unknown = [unknown_under(r, columns, IfUnknown.REVIEW) for r in rules]
    if all(u == FALSE for u in unknown):
        return FALSE
    return all_of([*(any_of([e, u]) for e, u in zip(ended, unknown, strict=True)), any_of(unknown)])


def review_reasons(
    activities: Sequence[str], rules: Sequence[RetentionRule | None]
) -> tuple[str, ...]:
    """Why, in words a DPO reads: which activity, which start, declared or by default."""
    reasons: list[str] = []
    for activity, rule in zip(activities, rules, strict=True):
        if rule is None or rule.active.from_ is None:
            continue
        if rule.unknown_start() is not IfUnknown.REVIEW:
            continue
        how = "if_unknown: review" if rule.if_unknown else "no if_unknown declared: review"
        reasons.append(
            f"activity {activity}: the start {rule.active.from_} is empty, so "
            f"{rule.active.for_} cannot be counted ({how})"
        )
    return tuple(reasons)
