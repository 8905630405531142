"""The same people on the real PostgreSQL and MariaDB servers as on SQLite (issue 3 §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.registry.model import Registry
from gardien.synthetic import create_system, fill_system
from gardien.synthetic.people import Method
from gardien.synthetic.schema import build_metadata
from tests.synthetic.conftest import NOW
from tests.synthetic.helpers import read_system


def _sqlite_reference(
    registry: Registry, system: str, folder: Path
) -> dict[str, list[tuple[Any, ...]]]:
    url = f"sqlite:///{folder}/{system}.db"
    create_system(registry, system, url)
    fill_system(registry, system, url, people=400, seed=5, now=NOW)
    return read_system(registry, system, url)


@pytest.mark.parametrize("method", ["copy", "insert"])
def test_postgresql_gets_the_same_rows_as_sqlite(
    ima: Registry, tmp_path: Path, postgres_url: str, method: Method
) -> None:
    for system in ("crm", "telephony"):
        create_system(ima, system, postgres_url, drop=True)
        fill_system(
            ima, system, postgres_url, people=400, seed=5, now=NOW, method=method, chunk_size=150
        )
        assert read_system(ima, system, postgres_url) == _sqlite_reference(ima, system, tmp_path)


def test_mariadb_gets_the_same_rows_as_sqlite(
    ima: Registry, tmp_path: Path, mariadb_url: str
) -> None:
    for system in ("crm", "telephony"):
        create_system(ima, system, mariadb_url)
        fill_system(ima, system, mariadb_url, people=400, seed=5, now=NOW)
        assert read_system(ima, system, mariadb_url) == _sqlite_reference(ima, system, tmp_path)


@pytest.mark.parametrize("server", ["postgres_url", "mariadb_url"])
def test_new_rows_get_keys_after_the_generated_ones(
    ima: Registry, server: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(server)
    create_system(ima, "crm", url)
    fill_system(ima, "crm", url, people=50, now=NOW, tables=["client"])
    client = build_metadata(ima, "crm").tables["client"]
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            key = conn.execute(
                client.insert().values(email="nouvelle@example.fr").returning(client.c.id)
                if engine.dialect.name == "postgresql"
                else client.insert().values(email="nouvelle@example.fr")
            )
            new_id = key.scalar() if engine.dialect.name == "postgresql" else key.lastrowid
        assert new_id == 51
    finally:
        engine.dispose()
