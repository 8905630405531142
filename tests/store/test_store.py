"""gardien's own store: migrations match the schema; the trail detects tampering in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gardien.audit.chain import NewEvent
from gardien.clock import FixedClock
from gardien.store import audit
from gardien.store import requests as book
from gardien.store.database import alembic_config, open_store
from gardien.store.schema import metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gardien.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_migrations_build_exactly_the_declared_schema(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_opening_twice_is_harmless(store_url: str) -> None:
    open_store(store_url)
    open_store(store_url)


def fill(engine: sa.Engine, n: int = 6) -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    for i in range(n):
        audit.record(
            engine,
            clock,
            NewEvent("dpo", "test.event", f"t:{i}", {"i": i}, connection={"ip": "192.0.2.10"}),
        )


def test_tampering_in_the_database_is_named(store_url: str) -> None:
    engine = open_store(store_url)
    fill(engine)
    assert audit.verify_trail(engine).ok
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET actor = 'someone else' WHERE seq = 4"))
    result = audit.verify_trail(engine)
    assert not result.ok and result.first_bad_seq == 4


def test_deleted_event_is_named(store_url: str) -> None:
    engine = open_store(store_url)
    fill(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq = 3"))
    result = audit.verify_trail(engine)
    assert not result.ok and result.first_bad_seq == 4


def test_connection_data_is_purged_after_six_months_and_the_chain_holds(store_url: str) -> None:
    # R-RET-07: connection data at most six months.
    engine = open_store(store_url)
    fill(engine, 3)
    later = FixedClock(datetime(2026, 7, 2, tzinfo=UTC))
    assert audit.purge_connection_data(engine, later, "UTC") == 3
    assert all(e.connection is None for e in audit.events(engine))
    assert audit.verify_trail(engine).ok
    assert (
        audit.purge_connection_data(
            engine, FixedClock(datetime(2026, 7, 2, tzinfo=UTC) + timedelta(days=1)), "UTC"
        )
        == 0
    )


def test_connection_data_is_kept_all_of_its_last_day_in_the_controllers_zone(
    store_url: str,
) -> None:
    # Events of 1 January 2026 (01:00 in Paris) keep their connection data all of 1 July in
    # Paris, that is until 22:00 UTC (summer time), and lose it from then (Reg. 1182/71 art. 3).
    engine = open_store(store_url)
    fill(engine, 3)
    last_hour = FixedClock(datetime(2026, 7, 1, 21, 59, tzinfo=UTC))
    assert audit.purge_connection_data(engine, last_hour, "Europe/Paris") == 0
    next_day = FixedClock(datetime(2026, 7, 1, 22, 0, tzinfo=UTC))
    assert audit.purge_connection_data(engine, next_day, "Europe/Paris") == 3


def test_requests_stored_before_0010_keep_the_proofs_their_timeline_shows(store_url: str) -> None:
    """Issue 9 §1: a store upgraded to per-identifier proofs reads older requests' proofs
    from their timeline: a confirmed code proves its channel only."""
    command.upgrade(alembic_config(store_url), "0002_requests")
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rights_request (id, kind, state, identity, channel, received_at, "
                "country, due, extended_due, details, created_at, updated_at) VALUES ('old', "
                "'access', 'verified', :identity, 'email', :at, 'FR', '2026-02-05', "
                "'2026-04-05', '{}', :at, :at)"
            ),
            {"identity": '{"email": "me@example.fr", "phone": "+33612345678"}', "at": at},
        )
        for position, (action, before, after, details) in enumerate(
            [
                ("submit", None, "received", "{}"),
                ("send_code", "received", "awaiting_identity", '{"channel": "email"}'),
                ("verify", "awaiting_identity", "verified", '{"method": "code"}'),
            ]
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO request_transition (request_id, position, at, actor, action, "
                    "from_state, to_state, details) VALUES ('old', :p, :at, 'portal', :a, :f, "
                    ":t, :d)"
                ),
                {"p": position, "at": at, "a": action, "f": before, "t": after, "d": details},
            )
    engine.dispose()
    store = open_store(store_url)
    request = book.get(store, "old")
    assert request.scope.identity == {"email": "me@example.fr"}
    assert list(request.scope.not_searched) == ["phone"]
