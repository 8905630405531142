"""A fresh database of each kind for the retention engine tests (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'systems.db'}"
    name = "postgres_url" if request.param == "postgresql" else "mariadb_url"
    url: str = request.getfixturevalue(name)
    return url
