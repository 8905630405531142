"""Audit filters match literally (issue 9 §6): ``%`` and ``_`` are not wildcards, only ``*`` is;
the same filter for the API and the CLI (``audit.events``) and the back office (``audit_pages``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.audit.chain import NewEvent
from gardien.clock import FixedClock
from gardien.store import audit, audit_pages
from gardien.store.database import open_store

ACTIONS = ["hold.placed", "hold_placed", "holdXplaced", "rate.100%", "rate.1000", "a!b", "a\\b"]


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> sa.Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gardien.db'}"
    else:
        url = request.getfixturevalue(
            "postgres_url" if request.param == "postgresql" else "mariadb_url"
        )
    store = open_store(url)
    clock = FixedClock(datetime(2026, 11, 2, tzinfo=UTC))
    for action in ACTIONS:
        audit.record(store, clock, NewEvent("dpo", action, "t"))
    return store


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("%", []),
        ("_", []),
        ("%placed", []),
        ("hold_placed", ["hold_placed"]),
        ("hold.*", ["hold.placed"]),
        ("rate.100%", ["rate.100%"]),
        ("rate.100*", ["rate.100%", "rate.1000"]),
        ("a!b", ["a!b"]),
        ("a\\b", ["a\\b"]),
        ("*", ACTIONS),
    ],
)
def test_an_audit_filter_matches_literally_but_for_the_star(
    engine: sa.Engine, wanted: str, found: list[str]
) -> None:
    assert [e.action for e in audit.events(engine, action=wanted)] == found
    assert audit_pages.count(engine, wanted) == len(found)
    page = audit_pages.newest(engine, action=wanted, limit=50)
    assert [e.action for e in page] == found[::-1]
