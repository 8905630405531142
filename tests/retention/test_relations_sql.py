"""Dates read on another table's rows, and the databases' own foreign keys (issue 10 §4).

The ima-protect registry as published: a trusted person ends with the designating client's
contract (R-RET-03), another contact with the contract concerned, then five years (R-RET-04);
plus a person designated by several clients, through a designation table (one-to-many).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.sql import SqlConnector
from gardien.jobs import retention as job
from gardien.registry.model import Registry, Table
from gardien.store import holds
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, keys, registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def with_designations(registry: Registry) -> Registry:
    """A person named by several clients: one designation row per client (one-to-many)."""
    crm = registry.systems["crm"]
    extra = {
        "person": Table.model_validate(
            {
                "subject": "trusted_person",
                "activities": ["alarm-handling"],
                "identity": {"phone": "phone"},
                "relations": {
                    "designations": {"table": "designation", "referenced_by": "person_id"}
                },
                "events": {
                    "removed_at": "removed_at",
                    "contract_end": "designations.client.contract_ended_on",
                },
                "columns": {"phone": "contact", "removed_at": "relationship"},
                "erase": "row",
            }
        ),
        "designation": Table.model_validate(
            {
                "belongs_to": {"table": "client", "column": "client_id"},
                "relations": {
                    "client": {"table": "client", "column": "client_id"},
                    "person": {"table": "person", "column": "person_id"},
                },
                "columns": {},
                "erase": "row",
            }
        ),
    }
    tables = {**crm.tables, **extra}
    systems = {**registry.systems, "crm": crm.model_copy(update={"tables": tables})}
    return registry.model_copy(update={"systems": systems})


CLIENTS = [
    (1, None),  # contract running
    (2, date(2025, 11, 22)),  # ended a year ago: in the archive for five years
    (3, date(2020, 11, 22)),  # ended six years ago: gone
    (4, date(2026, 11, 21)),  # ended yesterday
]


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> dict[str, Any]:
    registry = with_designations(registry_on(db_url))
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(db_url)
    insert(
        engine,
        "client",
        [
            {"id": i, "email": f"c{i}@example.fr", "contract_ended_on": d, "restricted": False}
            for i, d in CLIENTS
        ],
    )
    insert(
        engine,
        "trusted_person",
        [
            {"id": 1, "phone": "+33610000001", "removed_at": None, "client_id": 1},
            {"id": 2, "phone": "+33610000002", "removed_at": None, "client_id": 2},
            {"id": 3, "phone": "+33610000003", "removed_at": None, "client_id": 3},
            {"id": 4, "phone": "+33610000004", "removed_at": None, "client_id": 99},
            {"id": 5, "phone": "+33610000005", "removed_at": None, "client_id": None},
            {"id": 6, "phone": "+33610000006", "removed_at": datetime(2026, 1, 1), "client_id": 1},
            {"id": 7, "phone": "+33610000007", "removed_at": None, "client_id": 4},
        ],
    )
    insert(
        engine,
        "other_contact",
        [
            {"id": 1, "email": "o1@example.fr", "client_id": 1},
            {"id": 2, "email": "o2@example.fr", "client_id": 2},
            {"id": 3, "email": "o3@example.fr", "client_id": 3},
        ],
    )
    insert(
        engine,
        "person",
        [
            {"id": 1, "phone": "+33620000001", "removed_at": None},  # clients 1 and 2
            {"id": 2, "phone": "+33620000002", "removed_at": None},  # clients 2 and 4
            {"id": 3, "phone": "+33620000003", "removed_at": None},  # named by nobody
        ],
    )
    insert(
        engine,
        "designation",
        [
            {"id": 1, "person_id": 1, "client_id": 1},
            {"id": 2, "person_id": 1, "client_id": 2},
            {"id": 3, "person_id": 2, "client_id": 2},
            {"id": 4, "person_id": 2, "client_id": 4},
        ],
    )
    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    return {"registry": registry, "engine": engine, "store": store, "url": db_url}


def run(world: dict[str, Any], now: datetime = NOW, **kwargs: Any) -> job.RunOutcome:
    return job.run(world["registry"], world["store"], FixedClock(now), now, actor="test", **kwargs)


def test_a_trusted_person_goes_when_the_designating_clients_contract_ends(
    world: dict[str, Any],
) -> None:
    run(world)
    engine = world["engine"]
    # 2, 3, 7: their client's contract ended (7 yesterday, 2 while its client is archived in
    # the same run); 6 was removed. 4 names a client that does not exist and 5 none: the date
    # is unknown, the row waits (never deleted on a date gardien cannot read).
    assert keys(engine, "trusted_person") == {1, 4, 5}
    assert keys(engine, "client") == {1} and keys(engine, "client_gardien_archive") == {2, 4}


def test_another_contact_follows_the_contract_concerned_then_five_years(
    world: dict[str, Any],
) -> None:
    run(world)
    engine = world["engine"]
    assert keys(engine, "other_contact") == {1}  # contract running
    assert keys(engine, "other_contact_gardien_archive") == {2}  # ended a year ago
    # 3: the contract ended six years ago, five archive years are over


def test_a_clients_date_is_read_in_the_archive_after_the_client_moved(
    world: dict[str, Any],
) -> None:
    run(world)
    insert(
        world["engine"],
        "trusted_person",
        [{"id": 8, "phone": "+33610000008", "removed_at": None, "client_id": 2}],
    )
    run(world)
    assert 8 not in keys(world["engine"], "trusted_person")


def test_a_person_named_by_two_clients_stays_while_either_contract_runs(
    world: dict[str, Any],
) -> None:
    run(world)
    engine = world["engine"]
    # 1: client 1's contract runs. 2: both clients' contracts ended. 3: named by nobody.
    assert keys(engine, "person") == {1, 3}


def test_plan_counts_match_the_run_with_dates_from_other_tables(world: dict[str, Any]) -> None:
    _, planned = job.plan(world["registry"], world["store"], NOW)
    outcome = run(world)
    assert [(p.action.label, p.rows) for p in planned] == [
        (r.action.label, r.rows) for r in outcome.report.results
    ]


def test_the_dependent_tables_are_handled_before_the_table_they_read(
    world: dict[str, Any],
) -> None:
    plan, _ = job.plan(world["registry"], world["store"], NOW)
    tables = [a.table for a in plan.actions if a.system == "crm"]
    first_client = tables.index("client")
    for dependent in ("trusted_person", "other_contact", "person"):
        assert tables.index(dependent) < first_client, tables


# --- the databases' own foreign keys -------------------------------------------------------


def add_constraints(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    client = sa.Table("client", meta, autoload_with=engine)
    dispute = sa.Table(
        "dispute",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "client_id",
            sa.Integer,
            sa.ForeignKey(client.c.id, ondelete="RESTRICT", name="dispute_client_fk"),
        ),
    )
    note = sa.Table(
        "client_note",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "client_id",
            sa.Integer,
            sa.ForeignKey(client.c.id, ondelete="CASCADE", name="note_client_fk"),
        ),
    )
    meta.create_all(engine, tables=[dispute, note])
    insert(engine, "dispute", [{"id": 1, "client_id": 3}])  # an expired client, still disputed
    insert(engine, "client_note", [{"id": 1, "client_id": 4}, {"id": 2, "client_id": 1}])


def enforcing(world: dict[str, Any]) -> dict[str, SqlConnector]:
    """Connectors on an engine that enforces foreign keys (SQLite: PRAGMA foreign_keys=ON)."""
    engine = sa.create_engine(world["url"])
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _on(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return {
        sid: SqlConnector(sid, world["url"], engine=engine) for sid in world["registry"].systems
    }


def test_a_restrict_key_blocks_its_rows_and_the_run_goes_on(world: dict[str, Any]) -> None:
    add_constraints(world["engine"])
    connectors = enforcing(world)
    _, planned = job.plan(world["registry"], world["store"], NOW, connectors)
    client_delete = next(p for p in planned if p.action.label == "crm.client: delete")
    named = {(e.constraint.label, e.blocks): n for e, n in client_delete.effects}
    assert named[("crm.dispute.dispute_client_fk", True)] == 1  # client 3, before acting
    outcome = run(world, connectors=connectors)
    engine = world["engine"]
    assert 3 in keys(engine, "client")  # still referenced: left, not a failed run
    assert keys(engine, "call_recording") is not None
    assert keys(engine, "trusted_person") == {1, 4, 5}  # the other rules ran
    result = next(r for r in outcome.report.results if r.action.label == "crm.client: delete")
    assert [(e.constraint.label, n) for e, n in result.effects if e.blocks and n] == [
        ("crm.dispute.dispute_client_fk", 1)
    ]


def test_a_cascade_key_is_reported_with_the_rows_it_removes(world: dict[str, Any]) -> None:
    add_constraints(world["engine"])
    connectors = enforcing(world)
    _, planned = job.plan(world["registry"], world["store"], NOW, connectors)
    archive_move = next(p for p in planned if p.action.label == "crm.client: archive")
    cascades = {e.constraint.label: n for e, n in archive_move.effects if not e.blocks}
    assert cascades == {"crm.client_note.note_client_fk": 1}  # client 4's note goes with it
    run(world, connectors=connectors)
    assert keys(world["engine"], "client_note") == {2}


def test_a_hold_on_a_referencing_row_blocks_the_client_not_the_run(
    world: dict[str, Any],
) -> None:
    """A trusted person under a legal hold keeps a real RESTRICT key to an ended client."""
    engine = world["engine"]
    meta = sa.MetaData()
    client = sa.Table("client", meta, autoload_with=engine)
    old = sa.Table("trusted_person", meta, autoload_with=engine)
    with engine.begin() as conn:  # recreated with the key: SQLite cannot add one in place
        rows = [dict(r._mapping) for r in conn.execute(sa.select(old)) if r.client_id != 99]
        old.drop(conn)
    meta.remove(old)
    columns = [sa.Column(c.name, c.type, primary_key=c.primary_key) for c in old.columns]
    table = sa.Table(
        "trusted_person",
        meta,
        *columns,
        sa.ForeignKeyConstraint(
            ["client_id"], [client.c.id], ondelete="RESTRICT", name="tp_client_fk"
        ),
    )
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), rows)
    holds.place(
        world["store"],
        FixedClock(NOW),
        actor="dpo",
        reason="litigation",
        case="RG 26/9",
        identity=("phone", "+33610000003"),
    )
    run(world, connectors=enforcing(world))
    assert keys(engine, "trusted_person") == {1, 3, 5}  # 3 held
    assert 3 in keys(engine, "client")  # referenced by the held row
    assert keys(engine, "client_gardien_archive") == {2, 4}
