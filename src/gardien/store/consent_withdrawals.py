"""The consents withdrawn as of a moment, read from the ledger for a retention run (Art. 7(3)).

A person's consent to an activity is withdrawn when the last consent event recorded under one of
their identifiers, up to the run's moment, is ``consent_withdrawn``: folded per identifier, as
the ledger finds a person by any of the identifiers an event was recorded under
(``consent.subject``). Reading "up to the run's moment" keeps a resumed run's plan the one it
started with. Identifiers erased from the ledger (Art. 17) are not brought over: their rows were
erased with them.

One statement, read in chunks of rows; the fold keeps one entry per (identifier, activity).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.consent.ledger import EventKind
from gardien.retention.withdrawal import Identifier, Withdrawals
from gardien.store.consent import utc
from gardien.store.schema_consent import consent_event

CHUNK = 5_000  # ledger rows fetched at a time


def withdrawals_at(engine: Engine, activities: Sequence[str], at: datetime) -> Withdrawals:
    """For each of ``activities``, the identifiers whose consent is withdrawn at ``at``."""
    if not activities:
        return Withdrawals()
    query = (
        sa.select(consent_event.c.activity_id, consent_event.c.kind, consent_event.c.identifiers)
        .where(
            consent_event.c.activity_id.in_(sorted(activities)),
            consent_event.c.kind.in_(
                [EventKind.CONSENT_GIVEN.value, EventKind.CONSENT_WITHDRAWN.value]
            ),
            consent_event.c.at <= utc(at),
            consent_event.c.identifiers.is_not(None),
        )
        .order_by(consent_event.c.at, consent_event.c.seq)
    )
    last: dict[tuple[str, str, str], bool] = {}  # (activity, kind, value) -> withdrawn
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=CHUNK).execute(query)
        for activity_id, kind, identifiers in result:
            withdrawn = kind == EventKind.CONSENT_WITHDRAWN.value
            for id_kind, value in json.loads(identifiers).items():
                last[(activity_id, id_kind, value)] = withdrawn
    by_activity: dict[str, list[Identifier]] = {}
    for (activity_id, id_kind, value), withdrawn in sorted(last.items()):
        if withdrawn:
            by_activity.setdefault(activity_id, []).append((id_kind, value))
    return Withdrawals({a: tuple(ids) for a, ids in by_activity.items()})
