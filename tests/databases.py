"""Fresh, empty databases on the real PostgreSQL and MariaDB servers, for integration tests.

Register once with ``pytest_plugins = ["tests.databases"]`` in the top-level ``tests/conftest.py``
and take ``postgres_url`` or ``mariadb_url`` as a test argument: each yields the SQLAlchemy URL
of a database created for that test (``gardien_test_<random>``), dropped afterwards, so that
parallel runs never collide. The servers come from ``GARDIEN_TEST_POSTGRES_URL`` and
``GARDIEN_TEST_MARIADB_URL`` (defaults below); an unreachable server skips the test, except in
CI (``CI=true``), where a skip would hide a failure, so it fails (issue 3 §5).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB_DEFAULT = "mysql+pymysql://root@127.0.0.1:3306/test"


def server_url(kind: str) -> str:
    if kind == "postgresql":
        return os.environ.get("GARDIEN_TEST_POSTGRES_URL", POSTGRES_DEFAULT)
    return os.environ.get("GARDIEN_TEST_MARIADB_URL", MARIADB_DEFAULT)


def _unreachable(kind: str, url: str, exc: Exception) -> None:
    shown = make_url(url).render_as_string(hide_password=True)
    message = f"{kind} server {shown} is unreachable: {str(exc).strip().splitlines()[0]}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def temporary_database(kind: str) -> Iterator[str]:
    """Create ``gardien_test_<random>`` on the server, yield its URL, drop it."""
    url = server_url(kind)
    name = f"gardien_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    except sa.exc.DBAPIError as exc:
        admin.dispose()
        _unreachable(kind, url, exc)
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database, dropped after the test."""
    yield from temporary_database("postgresql")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """URL of a fresh MariaDB database, dropped after the test."""
    yield from temporary_database("mariadb")
