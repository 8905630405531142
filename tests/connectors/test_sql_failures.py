"""A batch the database rolls back to resolve a deadlock is tried again, whole, a bounded
number of times; other refusals are not (issue 9 §4).

The database's own errors are provoked deterministically: on PostgreSQL a trigger raises
SQLSTATE 40P01 (deadlock_detected) for the first attempts, counting them in a sequence (not
rolled back with the transaction); on MariaDB a trigger SIGNALs error 1213 (ER_LOCK_DEADLOCK),
counting in a MyISAM table (not transactional either); on SQLite another connection holds
the write lock until the first attempt has failed with "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.connectors.errors import StatementFailed
from gardien.connectors.sql import SqlConnector, failures
from gardien.retention.conditions import FALSE, TRUE
from gardien.retention.policy import ActionKind, Stage, TableAction
from gardien.retention.ports import Batch

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)
DELETE_ALL = TableAction("crm", "client", Stage.ACTIVE, ActionKind.DELETE, "id", TRUE, FALSE, ())


def make_clients(engine: sa.Engine, rows: int = 8) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE client (id INTEGER PRIMARY KEY, email VARCHAR(100))")
        conn.execute(
            sa.text("INSERT INTO client (id, email) VALUES (:id, :email)"),
            [{"id": i, "email": f"p{i}@example.fr"} for i in range(1, rows + 1)],
        )


def refuse_first(engine: sa.Engine, times: int) -> Callable[[], int]:
    """Make the first ``times`` DELETEs on client fail as deadlock victims; return a counter
    of the attempts refused so far."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("CREATE SEQUENCE attempts")
            conn.exec_driver_sql(
                "CREATE FUNCTION victim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF nextval('attempts') <= {times} THEN RAISE EXCEPTION 'deadlock detected' "
                "USING ERRCODE = '40P01'; END IF; RETURN NULL; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER victim BEFORE DELETE ON client "
                "FOR EACH STATEMENT EXECUTE FUNCTION victim()"
            )
        else:
            conn.exec_driver_sql("CREATE TABLE attempts (n INTEGER) ENGINE=MyISAM")
            conn.exec_driver_sql("INSERT INTO attempts VALUES (0)")
            conn.exec_driver_sql(  # refused at its first row: one count per statement
                "CREATE TRIGGER victim BEFORE DELETE ON client FOR EACH ROW BEGIN "
                f"IF (SELECT n FROM attempts) < {times} THEN UPDATE attempts SET n = n + 1; "
                "SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, "
                "MESSAGE_TEXT = 'Deadlock found when trying to get lock'; END IF; END"
            )

    def refused() -> int:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                made = conn.exec_driver_sql("SELECT last_value FROM attempts").scalar_one()
                return min(int(made), times)
            return int(conn.exec_driver_sql("SELECT n FROM attempts").scalar_one())

    return refused


@pytest.fixture(params=["postgresql", "mariadb"])
def server_db(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    url: str = request.getfixturevalue(
        "postgres_url" if request.param == "postgresql" else "mariadb_url"
    )
    engine = sa.create_engine(url)
    make_clients(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(failures, "pause", waited.append)
    return waited


def remaining(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM client").scalar_one())


def test_a_batch_chosen_as_deadlock_victim_is_retried_whole(
    server_db: sa.Engine, pauses: list[float]
) -> None:
    refused = refuse_first(server_db, 2)
    connector = SqlConnector("crm", server_db.url.render_as_string(hide_password=False))
    connector.prepare(DELETE_ALL)
    outcome = connector.run_batch(DELETE_ALL, None, 100, Batch("run-1", 0, 1, AT))
    assert outcome.rows == 8 and remaining(server_db) == 0
    assert refused() == 2 and len(pauses) == 2
    for n, paused in enumerate(pauses):  # a growing pause, with jitter
        assert 0.5 <= paused / (failures.FIRST_PAUSE * 2**n) <= 1.5
    # One marker: the two attempts rolled back left none.
    assert [b.number for b in connector.committed_batches("run-1", 0)] == [1]
    connector.dispose()


def test_a_batch_that_keeps_deadlocking_stops_with_a_clear_error(
    server_db: sa.Engine, pauses: list[float]
) -> None:
    refused = refuse_first(server_db, 1000)
    connector = SqlConnector("crm", server_db.url.render_as_string(hide_password=False))
    connector.prepare(DELETE_ALL)
    with pytest.raises(StatementFailed) as stopped:
        connector.run_batch(DELETE_ALL, None, 100, Batch("run-1", 0, 1, AT))
    assert str(stopped.value).startswith(
        f"system crm: the database rolled the batch back {failures.ATTEMPTS} times"
    )
    assert refused() == failures.ATTEMPTS and len(pauses) == failures.ATTEMPTS - 1
    assert remaining(server_db) == 8
    assert connector.committed_batches("run-1", 0) == []
    connector.dispose()


def test_a_constraint_refusal_is_not_retried(tmp_path: Path, pauses: list[float]) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    make_clients(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE visit (id INTEGER PRIMARY KEY, client_id INTEGER "
                             "NOT NULL REFERENCES client (id))")  # fmt: skip
        conn.exec_driver_sql("INSERT INTO visit VALUES (1, 1)")
    connector = SqlConnector("crm", str(engine.url))
    sa.event.listen(connector.engine, "connect", lambda c, _: c.execute("PRAGMA foreign_keys=ON"))
    connector.prepare(DELETE_ALL)
    with pytest.raises(StatementFailed, match="constraint"):
        connector.run_batch(DELETE_ALL, None, 100, Batch("run-1", 0, 1, AT))
    assert pauses == [] and remaining(engine) == 8
    connector.dispose()


def test_sqlite_busy_with_another_writer_is_waited_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "crm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    make_clients(engine)
    engine.dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    waited: list[float] = []

    def pause(seconds: float) -> None:  # the other program commits while we wait
        waited.append(seconds)
        writer.execute("COMMIT")

    monkeypatch.setattr(failures, "pause", pause)
    impatient = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    connector = SqlConnector("crm", str(impatient.url), engine=impatient)
    connector.prepare(DELETE_ALL)  # markers' table created before the other writer starts
    writer.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    outcome = connector.run_batch(DELETE_ALL, None, 100, Batch("run-1", 0, 1, AT))
    assert outcome.rows == 8 and len(waited) == 1
    writer.close()
    connector.dispose()
