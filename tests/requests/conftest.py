"""A store per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gardien.store.database import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    url: str = request.getfixturevalue("postgres_url")
    return open_store(url)
