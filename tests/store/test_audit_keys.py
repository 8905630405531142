"""The keyed audit chain in the store: legacy events written before it, keys that rotate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.audit.chain import GENESIS, NewEvent, seal
from gardien.clock import FixedClock
from gardien.consent.keys import SecretKeyError
from gardien.settings import Settings
from gardien.store import audit
from gardien.store.database import open_store
from gardien.store.schema import audit_event

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gardien.db'}"
    url: str = request.getfixturevalue(
        "postgres_url" if request.param == "postgresql" else "mariadb_url"
    )
    return url


def write_legacy(engine: sa.Engine, n: int) -> None:
    """Events as gardien wrote them before keyed seals: plain SHA-256, no key id."""
    prev = GENESIS
    rows = []
    for seq in range(1, n + 1):
        event = seal(
            NewEvent("dpo", "hold.placed", f"hold:{seq}"),
            seq=seq,
            at=AT + timedelta(minutes=seq),
            prev_hash=prev,
            key=None,
        )
        rows.append(audit._row(event))
        prev = event.hash
    with engine.begin() as conn:
        conn.execute(audit_event.insert(), rows)


def test_events_written_before_keyed_seals_verify_as_a_legacy_prefix(store_url: str) -> None:
    engine = open_store(store_url, Settings(audit_key="k1").keys)
    write_legacy(engine, 3)
    audit.record(engine, FixedClock(AT + timedelta(hours=1)), NewEvent("dpo", "x.done", "t"))
    result = audit.verify_trail(engine)
    assert result.ok and result.events == 4 and result.legacy_events == 3
    assert [e.key_id is None for e in audit.events(engine)] == [True, True, True, False]
    assert audit.head(engine)[0::2] == (4, 3)


def test_a_rotated_key_verifies_with_the_retired_one_named(store_url: str) -> None:
    clock = FixedClock(AT)
    before = open_store(store_url, Settings(audit_key="first key").keys)
    audit.record(before, clock, NewEvent("dpo", "hold.placed", "hold:1"))
    before.dispose()
    after = open_store(
        store_url, Settings(audit_key="second key", audit_retired_keys="first key").keys
    )
    audit.record(after, clock, NewEvent("dpo", "hold.released", "hold:1"))
    assert audit.verify_trail(after).ok
    after.dispose()
    forgotten = open_store(store_url, Settings(audit_key="second key").keys)
    result = audit.verify_trail(forgotten)
    assert not result.ok and result.first_bad_seq == 1
    assert "GARDIEN_AUDIT_RETIRED_KEYS" in (result.reason or "")


def test_a_short_audit_key_is_refused_in_production() -> None:
    strong = "s" * 64
    with pytest.raises(SecretKeyError, match="GARDIEN_AUDIT_KEY is too weak"):
        _ = Settings(env="production", secret_key=strong, audit_key="short").keys
    assert Settings(env="production", secret_key=strong, audit_key="a" * 64).keys.audit
    assert Settings(env="dev", audit_key="short").keys.audit
