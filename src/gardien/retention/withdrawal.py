"""What a consent withdrawal ends (Art. 7(3), issue 10 §6): the rows of the people who withdrew.

A consent-based activity justifies a row only while the person's consent is in force: from the
first run after a withdrawal, that activity no longer keeps the row (Art. 7(3); seed 004: the
withdrawal "met fin au traitement"). No registry key is needed: the law makes it so for every
activity whose legal basis is consent. The policy's rule "kept while at least one activity
justifies it" is unchanged: a row also kept by a contract still running stays.

The ledger is in gardien's store and the rows in another database, so the withdrawn identifiers
are brought over as bound values (``Withdrawals``), compared with the table's identity columns
in their normal form, as a legal hold on a person is (R-RET-05).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gardien.registry.model import LegalBasis, Registry, Table
from gardien.registry.normalisers import column_normaliser
from gardien.retention.conditions import FALSE, Condition, NormalisedIn, ValueIn, any_of

Identifier = tuple[str, str]  # (kind, normalised value), as the ledger records it


@dataclass(frozen=True)
class Withdrawals:
    """Per activity, the identifiers whose last consent event, as of the run, is a withdrawal."""

    by_activity: Mapping[str, Sequence[Identifier]] = field(default_factory=dict)

    def of(self, activity_id: str) -> Sequence[Identifier]:
        return self.by_activity.get(activity_id, ())


NONE = Withdrawals()


def consent_activities(registry: Registry) -> list[str]:
    """The activities a withdrawal ends (Art. 6(1)(a)), in a stable order."""
    return sorted(
        activity_id
        for activity_id, activity in registry.activities.items()
        if activity.legal_basis is LegalBasis.CONSENT
    )


def withdrawn_rows(
    registry: Registry, table: Table, activity_id: str, withdrawals: Withdrawals
) -> Condition:
    """Rows of ``table`` whose person withdrew consent to ``activity_id`` (FALSE if none)."""
    activity = registry.activities.get(activity_id)
    if activity is None or activity.legal_basis is not LegalBasis.CONSENT:
        return FALSE
    by_kind: dict[str, set[str]] = {}
    for kind, value in withdrawals.of(activity_id):
        by_kind.setdefault(kind, set()).add(value)
    conditions: list[Condition] = []
    for kind, values in sorted(by_kind.items()):
        if kind not in table.identity:
            continue  # the table cannot name this person by that identifier
        column = table.identity[kind]
        rule = column_normaliser(kind, column, table.normalise, registry.controller.country)
        if rule.exact:
            conditions.append(ValueIn(column, tuple(sorted(values))))
        else:
            conditions.append(
                NormalisedIn(column, rule, tuple(sorted({rule.apply(v) for v in values})))
            )
    return any_of(conditions)
