"""Fixtures for the attack scripts: the API and back office of tests/api and tests/web/office,
the portal's app, and a store per test on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gardien.store.database import open_store
from tests.api.conftest import Api, api, build_api
from tests.web.office.conftest import office

__all__ = ["api", "office"]


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'gardien.db'}")
    url: str = request.getfixturevalue(
        f"{'postgres' if request.param == 'postgresql' else 'mariadb'}_url"
    )
    return open_store(url)


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The real app (portal, office, API) on a SQLite store (tests/web/portal's)."""
    yield from build_api(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
    )
