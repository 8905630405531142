"""What a consent withdrawal ends (issue 10 §6, Art. 7(3)), on SQLite, PostgreSQL and MariaDB.

The ledger's ``consent_withdrawn`` ends the consent-based activity's justification at the next
run: a row only the newsletter kept goes; a row a running contract also keeps stays (kept while
at least one activity justifies it); a person who consented again after withdrawing stays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.consent.keys import SubjectKey
from gardien.consent.ledger import Channel, EventKind
from gardien.consent.subject import Subject
from gardien.jobs import retention as job
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.store.consent import record_event
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, keys

REGISTRY = Path(__file__).resolve().parent / "data" / "newsletter.yaml"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
KEY = SubjectKey(b"test-key")
SUBSCRIBED = datetime(2026, 1, 10)  # the newsletter's own three years still run


def registry_on(url: str) -> Registry:
    base = load_registry(REGISTRY, environ={"NEWSLETTER_URL": url})
    return base


def ledger(store: sa.Engine, registry: Registry, email: str, *kinds: EventKind) -> None:
    """Record ``kinds`` for ``email`` on the newsletter, one day apart, before the run."""
    for n, kind in enumerate(kinds):
        clock = FixedClock(NOW - timedelta(days=30 - n))
        subject = Subject.of({"email": email}, KEY)
        record_event(
            store, clock, registry, subject, "newsletter", kind, channel=Channel.PORTAL, actor="t"
        )


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> dict[str, Any]:
    registry = registry_on(db_url)
    create_system(registry, "mail", drop=True)
    engine = sa.create_engine(db_url)
    insert(
        engine,
        "subscriber",
        [
            {"id": 1, "email": "Alice@Example.fr", "subscribed_at": SUBSCRIBED},  # withdrew
            {"id": 2, "email": "carol@example.fr", "subscribed_at": SUBSCRIBED},  # consents
            {"id": 3, "email": "dave@example.fr", "subscribed_at": SUBSCRIBED},  # came back
        ],
    )
    insert(
        engine,
        "customer",
        [  # alice's contract runs; erin's ended, only her newsletter consent kept her
            {
                "id": 1,
                "email": "alice@example.fr",
                "subscribed_at": SUBSCRIBED,
                "contract_ended_on": None,
            },
            {
                "id": 2,
                "email": "erin@example.fr",
                "subscribed_at": SUBSCRIBED,
                "contract_ended_on": date(2025, 3, 1),
            },
        ],
    )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    given, withdrawn = EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN
    ledger(store, registry, "alice@example.fr", given, withdrawn)
    ledger(store, registry, "carol@example.fr", given)
    ledger(store, registry, "dave@example.fr", given, withdrawn, given)
    ledger(store, registry, "erin@example.fr", given, withdrawn)
    return {"registry": registry, "engine": engine, "store": store}


def test_a_withdrawn_consent_removes_the_newsletter_only_row_at_the_next_run(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    job.run(registry, store, FixedClock(NOW), NOW, actor="test", batch_size=2)
    assert keys(engine, "subscriber") == {2, 3}  # alice's row (stored capitalised) went


def test_a_row_a_running_contract_also_keeps_stays_after_the_withdrawal(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    job.run(registry, store, FixedClock(NOW), NOW, actor="test", batch_size=2)
    # alice's contract runs: her customer row stays; erin's contract had ended: it goes.
    assert keys(engine, "customer") == {1}


def test_a_withdrawal_recorded_after_the_run_moment_waits_for_the_next_run(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    before = NOW - timedelta(days=29, hours=12)  # alice's withdrawal is a day later
    job.run(registry, store, FixedClock(before), before, actor="test", batch_size=2)
    assert keys(engine, "subscriber") == {1, 2, 3}
