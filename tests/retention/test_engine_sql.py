"""The retention engine on real databases: the ima-protect rules, holds, archive, idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.errors import SchemaMismatch
from gardien.jobs import retention as job
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.retention.errors import RetentionRunInProgress
from gardien.store import audit, holds, journal, run_lock
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def registry_on(url: str) -> Registry:
    base = load_registry(EXAMPLE)
    systems = {sid: s.model_copy(update={"url": url}) for sid, s in base.systems.items()}
    return base.model_copy(update={"systems": systems})


def insert(engine: sa.Engine, table: str, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.table(table, *(sa.column(c) for c in rows[0])).insert(), rows)


def keys(engine: sa.Engine, table: str, key: str = "id") -> set[int]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(table):
            return set()
        return {r[0] for r in conn.execute(sa.text(f"SELECT {key} FROM {table}"))}


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> dict[str, Any]:
    registry = registry_on(db_url)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(db_url)
    clients = [  # R-RET-01: the contract, then five years in the restricted archive
        {
            "id": 1,
            "email": "running@example.fr",
            "phone": "+33600000001",
            "contract_ended_on": None,
        },
        {
            "id": 2,
            "email": "ended1y@example.fr",
            "phone": "+33600000002",
            "contract_ended_on": date(2025, 11, 22),
        },
        {
            "id": 3,
            "email": "ended4y@example.fr",
            "phone": "+33600000003",
            "contract_ended_on": date(2022, 11, 22),
        },
        {
            "id": 4,
            "email": "ended6y@example.fr",
            "phone": "+33600000004",
            "contract_ended_on": date(2020, 11, 22),
        },
        {
            "id": 5,
            "email": "litigant@example.fr",
            "phone": "+33600000005",
            "contract_ended_on": date(2019, 1, 1),
        },
        {
            "id": 6,
            "email": "boundary@example.fr",
            "phone": "+33600000006",
            "contract_ended_on": date(2021, 11, 22),
        },
    ]
    insert(engine, "client", [{**c, "last_name": "Durand", "restricted": False} for c in clients])
    insert(
        engine,
        "site",
        [{"id": i, "client_id": i, "site_address": f"{i} rue de Paris"} for i in range(1, 7)],
    )
    insert(
        engine,
        "prospect",
        [  # R-RET-02: two years from the later of collection and last contact
            {
                "id": 1,
                "email": "p1@example.fr",
                "collected_at": datetime(2023, 1, 1),
                "last_inbound_contact_at": datetime(2025, 6, 1),
            },
            {
                "id": 2,
                "email": "p2@example.fr",
                "collected_at": datetime(2023, 1, 1),
                "last_inbound_contact_at": None,
            },
            {
                "id": 3,
                "email": "p3@example.fr",
                "collected_at": datetime(2025, 6, 1),
                "last_inbound_contact_at": datetime(2023, 1, 1),
            },
            {
                "id": 4,
                "email": "p4@example.fr",
                "collected_at": datetime(2024, 11, 22, 9, 0),
                "last_inbound_contact_at": None,
            },
        ],
    )
    insert(
        engine,
        "trusted_person",
        [  # R-RET-03: only while designated
            {
                "id": 1,
                "phone": "+33611111111",
                "removed_at": None,
                "client_id": 1,
            },
            {
                "id": 2,
                "phone": "+33622222222",
                "removed_at": datetime(2026, 3, 1),
                "client_id": 1,
            },
            {
                "id": 3,
                "phone": "+33633333333",
                "removed_at": None,
                "client_id": 2,  # the client whose contract ended
            },
        ],
    )
    insert(
        engine,
        "call_recording",
        [  # R-RET-05: six months, unless litigation
            {"id": 1, "caller_number": "+33699999991", "recorded_at": datetime(2026, 8, 22)},
            {"id": 2, "caller_number": "+33699999992", "recorded_at": datetime(2026, 2, 22)},
            {"id": 3, "caller_number": "+33699999993", "recorded_at": datetime(2026, 2, 22)},
        ],
    )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return {"registry": registry, "engine": engine, "store": store}


def test_ima_protect_rules_are_executed(world: dict[str, Any]) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    clock = FixedClock(NOW)
    holds.place(
        store,
        clock,
        actor="dpo",
        reason="litigation",
        case="RG 26/001",
        identity=("phone", "+33699999993"),
    )
    holds.place(
        store,
        clock,
        actor="dpo",
        reason="dispute",
        case="RG 26/002",
        rows=("crm", "client", ("5",)),
    )
    outcome = job.run(registry, store, clock, NOW, actor="test", batch_size=2)

    assert keys(engine, "client") == {1, 5}  # running contract; held although expired
    # Within the five archive years; 6 ended exactly five years ago: today is its last day, kept
    # all of it (Reg. 1182/71 art. 3(2)(c), issue 10 §1). 4 ended six years ago: deleted.
    assert keys(engine, "client_gardien_archive") == {2, 3, 6}
    assert keys(engine, "site") == {1, 5} and keys(engine, "site_gardien_archive") == {2, 3, 6}
    # The later date counts; p4 is exactly two years old: today is its last day.
    assert keys(engine, "prospect") == {1, 3, 4}
    assert keys(engine, "trusted_person") == {1}
    assert keys(engine, "call_recording") == {1, 3}  # 3 is under a litigation hold
    by_action = {
        (r.action.table, r.action.stage.value, r.action.kind.value): (r.rows, r.held)
        for r in outcome.report.results
    }
    assert by_action[("client", "active", "delete")] == (1, 1)
    assert by_action[("client", "active", "archive")] == (3, 0)
    assert by_action[("call_recording", "active", "delete")] == (1, 1)
    assert audit.verify_trail(store).ok


def test_second_run_changes_nothing(world: dict[str, Any]) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    clock = FixedClock(NOW)
    job.run(registry, store, clock, NOW, actor="test")
    before = {
        t: keys(engine, t)
        for t in ("client", "client_gardien_archive", "site", "prospect", "call_recording")
    }
    again = job.run(registry, store, clock, NOW, actor="test")
    assert again.report.total_rows == 0
    assert {t: keys(engine, t) for t in before} == before


def test_archive_expires_after_its_period(world: dict[str, Any]) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    later = datetime(
        2027, 11, 23, tzinfo=UTC
    )  # clients 3 (ended 2022-11-22) and 6 (2021-11-22) are past 5 archive years
    outcome = job.run(registry, store, FixedClock(later), later, actor="test")
    assert keys(engine, "client_gardien_archive") == {2}
    assert keys(engine, "site_gardien_archive") == {2}
    assert any(
        r.action.stage.value == "archive" and r.action.table == "client" and r.rows == 2
        for r in outcome.report.results
    )


def test_released_hold_protects_until_the_appeal_ends(world: dict[str, Any]) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    clock = FixedClock(NOW)
    hold = holds.place(
        store,
        clock,
        actor="dpo",
        reason="litigation",
        case="RG",
        identity=("phone", "+33699999992"),
    )
    holds.release(store, clock, hold.id, actor="dpo", appeal_ends=date(2026, 12, 31))
    job.run(registry, store, clock, NOW, actor="test")
    assert 2 in keys(engine, "call_recording")
    after_appeal = datetime(2027, 1, 1, tzinfo=UTC)
    job.run(registry, store, FixedClock(after_appeal), after_appeal, actor="test")
    assert 2 not in keys(engine, "call_recording")


def test_plan_counts_match_the_run(world: dict[str, Any]) -> None:
    registry, store = world["registry"], world["store"]
    _, planned = job.plan(registry, store, NOW)
    outcome = job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    assert [(p.action.label, p.rows, p.held) for p in planned] == [
        (r.action.label, r.rows, r.held) for r in outcome.report.results
    ]


def test_missing_column_stops_before_any_change(world: dict[str, Any]) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    crm = registry.systems["crm"]
    client = crm.tables["client"].model_copy(
        update={"events": {"contract_end": "contract_end_date"}}
    )
    broken = registry.model_copy(
        update={
            "systems": {
                **registry.systems,
                "crm": crm.model_copy(update={"tables": {**crm.tables, "client": client}}),
            }
        }
    )
    before = keys(engine, "prospect")
    with pytest.raises(SchemaMismatch) as caught:
        job.run(broken, store, FixedClock(NOW), NOW, actor="test")
    assert "crm.client.contract_end_date" in str(caught.value)
    assert keys(engine, "prospect") == before  # nothing ran, not even in other tables


def test_a_run_while_another_holds_the_store_does_nothing_and_records_nothing(
    world: dict[str, Any],
) -> None:
    registry, engine, store = world["registry"], world["engine"], world["store"]
    before = {t: keys(engine, t) for t in ("client", "prospect", "call_recording")}
    with (
        run_lock.holding(store, "cron"),
        pytest.raises(RetentionRunInProgress, match="held by cron"),
    ):
        job.run(registry, store, FixedClock(NOW), NOW, actor="dpo")
    assert {t: keys(engine, t) for t in before} == before
    assert journal.runs(store) == []
    assert not list(audit.events(store, action="retention.*"))
