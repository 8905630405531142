"""The restricted archive table: a name every database accepts, created once even when two
sessions create it at the same moment, and refused clearly when it lacks a column."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.connectors.errors import SchemaMismatch
from gardien.connectors.sql import ARCHIVE_SUFFIX, SqlConnector, archive_table_name
from gardien.retention.conditions import FALSE, TRUE
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import Batch

LONG = "customer_contract_history_with_regional_offices_x"  # 49 characters
AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


def make_table(url: str, name: str, rows: int = 5) -> None:
    engine = sa.create_engine(url)
    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(100)),
    )
    with engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.execute(table.insert(), [{"id": i, "email": f"p{i}@example.fr"} for i in range(rows)])
    engine.dispose()


@pytest.fixture
def connector(db_url: str) -> Iterator[SqlConnector]:
    made = SqlConnector("crm", db_url)
    yield made
    made.dispose()


def archive_everything(table: str) -> TableAction:
    return TableAction("crm", table, Stage.ACTIVE, ActionKind.ARCHIVE, "id", TRUE, FALSE, ())


def test_short_names_keep_the_documented_suffix() -> None:
    assert archive_table_name("client") == "client_gardien_archive"
    exactly = "c" * (63 - len(ARCHIVE_SUFFIX))
    assert archive_table_name(exactly) == exactly + ARCHIVE_SUFFIX


def test_long_names_are_shortened_the_same_way_every_time_and_stay_apart() -> None:
    other = LONG[:-1] + "y"  # the same 48 first characters
    name = archive_table_name(LONG)
    assert len(name) <= 63 and name.endswith(ARCHIVE_SUFFIX) and name.startswith(LONG[:38])
    assert name == archive_table_name(LONG)  # deterministic: every run finds the same table
    assert archive_table_name(other) != name and len(archive_table_name(other)) <= 63


def test_a_long_table_name_is_archived_on_every_database(
    db_url: str, connector: SqlConnector
) -> None:
    # PostgreSQL used to truncate <table>_gardien_archive to 63 bytes and then not find it;
    # MariaDB refused the name outright (identifier longer than 64).
    make_table(db_url, LONG)
    action = archive_everything(LONG)
    connector.prepare(action)
    outcome = connector.run_batch(action, None, 100, Batch("run-1", 0, 1, AT))
    assert outcome.rows == 5
    again = SqlConnector("crm", db_url)  # a later run, another process: finds the same table
    again.prepare(action)
    assert {r["id"] for r in again.read_archive(LONG, "email", ["p3@example.fr"])} == {3}
    found = again.read_matching(LONG, {"email": ["p1@example.fr"]}, archived=True)
    assert [r["id"] for r in found] == [1]
    again.dispose()


def create_meanwhile(connector: SqlConnector, db_url: str, name: str) -> None:
    """Another session creates the archive between our check and our CREATE TABLE."""
    other = SqlConnector("crm", db_url)
    done: list[bool] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        creating = statement.lstrip().upper().startswith("CREATE TABLE") and name in statement
        if creating and not done:
            done.append(True)
            other.ensure_archive("client")
            other.dispose()

    sa.event.listen(connector.engine, "before_cursor_execute", before)


def test_an_archive_created_by_another_session_meanwhile_is_used(
    db_url: str, connector: SqlConnector
) -> None:
    make_table(db_url, "client")
    create_meanwhile(connector, db_url, "client_gardien_archive")
    archive = connector.ensure_archive("client")
    assert {c.name for c in archive.columns} >= {"id", "email", "gardien_run_id"}


def test_sessions_creating_the_archive_at_the_same_moment_all_succeed(db_url: str) -> None:
    # On PostgreSQL, concurrent CREATE TABLE IF NOT EXISTS can still fail on pg_type's unique
    # index: every session sends its CREATE at once (a barrier before the statement).
    make_table(db_url, "client")
    sessions = 6
    barrier = threading.Barrier(sessions, timeout=60)
    connectors = [SqlConnector("crm", db_url) for _ in range(sessions)]
    errors: list[BaseException] = []

    def hold(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            barrier.wait()

    def create(connector: SqlConnector) -> None:
        try:
            connector.ensure_archive("client")
        except BaseException as exc:  # collected: a thread's exception would be lost
            errors.append(exc)

    for c in connectors:
        c.table("client")  # reflected before the race: only the CREATEs meet at the barrier
        sa.event.listen(c.engine, "before_cursor_execute", hold)
    threads = [threading.Thread(target=create, args=(c,)) for c in connectors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in connectors:
        c.dispose()
    assert errors == []


def test_an_archive_without_a_column_of_the_active_table_is_refused_naming_it(
    db_url: str, connector: SqlConnector
) -> None:
    make_table(db_url, "client")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # created before the active table gained its e-mail column
        sa.Table(
            "client_gardien_archive",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("gardien_archived_at", sa.DateTime, nullable=False),
            sa.Column("gardien_run_id", sa.String(64), nullable=False),
        ).create(conn)
    engine.dispose()
    with pytest.raises(SchemaMismatch) as refused:
        connector.prepare(archive_everything("client"))
    assert "archive table crm.client_gardien_archive lacks column(s) email" in str(refused.value)
