"""A hold on a person holds their rows however the tables write the identifier (issue 10 §2,
R-RET-05), on SQLite, PostgreSQL and MariaDB: a litigation hold on a caller's number protects
the recording stored in national format, and nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.jobs import retention as job
from gardien.store import holds
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, keys, registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OLD = datetime(2026, 2, 22)  # past the six months of R-RET-05 at NOW


def _recordings(db_url: str, tmp_path: Path) -> tuple[Any, sa.Engine, sa.Engine]:
    registry = registry_on(db_url)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(db_url)
    insert(
        engine,
        "call_recording",
        [
            {"id": 1, "caller_number": "06 12 34 56 11", "recorded_at": OLD},
            {"id": 2, "caller_number": "0033 6 12 34 56 11", "recorded_at": OLD},
            {"id": 3, "caller_number": "+33 (0)6.12.34.56.11", "recorded_at": OLD},
            {"id": 4, "caller_number": "06 12 34 56 12", "recorded_at": OLD},  # one digit off
            {"id": 5, "caller_number": "+336123456110", "recorded_at": OLD},  # one digit more
            {"id": 6, "caller_number": None, "recorded_at": OLD},
        ],
    )
    insert(
        engine,
        "prospect",
        [
            {"id": 1, "email": " Held.Person@Exemple.FR", "collected_at": datetime(2020, 1, 1)},
            {"id": 2, "email": "held.person@exémple.fr", "collected_at": datetime(2020, 1, 1)},
            {"id": 3, "email": "held_person@exemple.fr", "collected_at": datetime(2020, 1, 1)},
        ],
    )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return registry, engine, store


def test_a_hold_on_a_callers_number_protects_the_recording_stored_in_national_format(
    db_url: str, tmp_path: Path
) -> None:
    registry, engine, store = _recordings(db_url, tmp_path)
    clock = FixedClock(NOW)
    holds.place(
        store, clock, actor="dpo", reason="litigation", case="RG 26/010",
        identity=("phone", "+33612345611"),
    )  # fmt: skip
    holds.place(
        store, clock, actor="dpo", reason="litigation", case="RG 26/011",
        identity=("email", "held.person@exemple.fr"),
    )  # fmt: skip
    _, planned = job.plan(registry, store, NOW)
    outcome = job.run(registry, store, clock, NOW, actor="test")
    assert keys(engine, "call_recording") == {1, 2, 3}  # the near misses and the empty one go
    recordings = [r for r in outcome.report.results if r.action.table == "call_recording"]
    assert [(r.rows, r.held) for r in recordings] == [(3, 3)]
    assert [(p.rows, p.held) for p in planned] == [(r.rows, r.held) for r in outcome.report.results]
    # The prospect with capitals is held; MariaDB's collation would call é and e equal, the
    # hold compares the normal forms exactly; '_' is no wildcard.
    assert keys(engine, "prospect") == {1}
