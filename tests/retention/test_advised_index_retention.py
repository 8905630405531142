"""Following the index advice of ``gardien systems check`` never breaks a retention run
(issue 10 §2): on MariaDB the advice adds a generated column, which the archive neither
requires nor copies; on PostgreSQL and SQLite an expression index, which changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.connectors.sql import connectors_for
from gardien.connectors.sql.normalise import is_generated
from gardien.jobs import retention as job
from gardien.jobs.stored_identifiers import survey_identity_columns
from gardien.rights.locate import locate
from gardien.store.database import open_store
from gardien.synthetic.schema import create_system
from tests.retention.test_engine_sql import insert, keys, registry_on

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_a_run_archives_rows_of_a_table_that_follows_the_index_advice(
    db_url: str, tmp_path: Path
) -> None:
    registry = registry_on(db_url)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
    engine = sa.create_engine(db_url)
    insert(engine, "client", [
        {"id": 1, "email": "Ended.Two@Exemple.FR", "phone": "06 12 34 56 01",
         "last_name": "Durand", "restricted": False, "contract_ended_on": date(2024, 11, 1)},
        {"id": 2, "email": "running@exemple.fr", "phone": "06 12 34 56 02",
         "last_name": "Durand", "restricted": False, "contract_ended_on": None},
    ])  # fmt: skip
    connectors = connectors_for(registry)
    for survey in survey_identity_columns(registry, connectors):
        with connectors[survey.system].engine.begin() as conn:
            for statement in survey.index:
                conn.exec_driver_sql(statement)
    assert not any(s.index for s in survey_identity_columns(registry, connectors_for(registry)))

    store = open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    job.run(registry, store, FixedClock(NOW), NOW, actor="test")
    assert keys(engine, "client") == {2} and keys(engine, "client_gardien_archive") == {1}
    with engine.connect() as conn:
        archived = sa.inspect(conn).get_columns("client_gardien_archive")
    assert not any(is_generated(c["name"]) for c in archived)

    # The archived row is still found by the person, through the same normalised look-up.
    found = locate(registry, [("r", {"email": "ended.two@exemple.fr"})], connectors_for(registry))[
        "r"
    ]
    assert [(r.key, r.archived) for r in found.rows("crm", "client")] == [(1, True)]
    engine.dispose()
