"""The suppression list keeps an objection to prospecting its declared period, then lets it go
(issue 10 §6; CNIL référentiel gestion commerciale: at least 3 years from the objection), on
SQLite, PostgreSQL and MariaDB. The period ends at the end of its last day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.consent.ledger import Channel, EventKind
from gardien.consent.subject import Subject
from gardien.registry.duration import Duration
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.store import audit
from gardien.store import consent as ledger
from gardien.store import suppression as suppression_book
from gardien.store.database import open_store
from tests.consent.conftest import KEY

P3Y = Duration(years=3)
JEANNE = Subject.of({"email": "jeanne.martin@example.fr", "phone": "+33612345678"}, KEY)
PAUL = Subject.of({"email": "paul.durand@example.fr"}, KEY)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(EXAMPLE)  # prospecting is direct marketing (Art. 21(3))


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> sa.Engine:
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    name = "postgres_url" if request.param == "postgresql" else "mariadb_url"
    return open_store(request.getfixturevalue(name))


def object_to_prospecting(
    engine: sa.Engine, registry: Registry, subject: Subject, at: datetime
) -> None:
    ledger.record_event(
        engine,
        FixedClock(at),
        registry,
        subject,
        "prospecting",
        EventKind.OBJECTION,
        channel=Channel.PORTAL,
        actor="dpo@test",
        prospecting_asserted=True,
    )


def purge(engine: sa.Engine, at: datetime, zone: str = "UTC") -> int:
    return suppression_book.purge_expired(
        engine, FixedClock(at), P3Y, at, zone=zone, actor="retention"
    )


def listed(engine: sa.Engine) -> int:
    return len(suppression_book.suppression_list(engine))


def test_objection_entry_is_kept_three_years_to_the_day_and_gone_after(
    engine: sa.Engine, registry: Registry
) -> None:
    object_to_prospecting(engine, registry, JEANNE, datetime(2026, 3, 10, 17, 30, tzinfo=UTC))
    assert purge(engine, datetime(2028, 6, 1, tzinfo=UTC)) == 0
    # the last day of the three years: kept all day, to its last second
    assert purge(engine, datetime(2029, 3, 10, 23, 59, 59, tzinfo=UTC)) == 0
    assert suppression_book.is_suppressed(engine, JEANNE)
    # from the next day, gone (both identifiers), and the trail says how many, not whom
    assert purge(engine, datetime(2029, 3, 11, 0, 0, tzinfo=UTC)) == 2
    assert listed(engine) == 0 and not suppression_book.is_suppressed(engine, JEANNE)
    [event] = [e for e in audit.events(engine) if e.action == "suppression.expired"]
    assert event.details == {
        "entries": 2,
        "before": "2026-03-11T00:00:00+00:00",
        "period": "P3Y",
    }


def test_a_later_objection_starts_the_three_years_again(
    engine: sa.Engine, registry: Registry
) -> None:
    object_to_prospecting(engine, registry, JEANNE, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    object_to_prospecting(engine, registry, PAUL, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    # Jeanne objects again by e-mail two years later (the entry already exists)
    again = Subject.of({"email": "jeanne.martin@example.fr"}, KEY)
    object_to_prospecting(engine, registry, again, datetime(2028, 5, 2, 9, 0, tzinfo=UTC))
    assert purge(engine, datetime(2029, 3, 11, tzinfo=UTC)) == 2  # Paul's, and Jeanne's phone
    assert suppression_book.is_suppressed(engine, again)
    assert not suppression_book.is_suppressed(engine, PAUL)
    assert purge(engine, datetime(2031, 5, 2, 23, 0, tzinfo=UTC)) == 0
    assert purge(engine, datetime(2031, 5, 3, tzinfo=UTC)) == 1
    assert listed(engine) == 0


def test_an_objection_made_after_midnight_in_paris_counts_from_its_paris_day(
    engine: sa.Engine, registry: Registry
) -> None:
    # 23:30 UTC on 10 March is 00:30 on 11 March in Paris: the three years run from 11 March
    # and end with 11 March 2029 in Paris (23:00 UTC), not with 10 March (a day early).
    object_to_prospecting(engine, registry, JEANNE, datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    paris = registry.controller.zone
    assert paris == "Europe/Paris"
    assert purge(engine, datetime(2029, 3, 11, 22, 59, 59, tzinfo=UTC), paris) == 0
    assert purge(engine, datetime(2029, 3, 11, 23, 0, tzinfo=UTC), paris) == 2
