"""Fixtures for the synthetic-data tests.

The database fixtures live in ``tests/databases.py``; until the top-level conftest registers
it (``pytest_plugins = ["tests.databases"]``: pytest only allows that there), they are
imported here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from tests.databases import mariadb_url, postgres_url

__all__ = ["mariadb_url", "postgres_url"]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = dt.datetime(2026, 6, 15, 10, 30)  # a fixed "now", away from month ends


@pytest.fixture(scope="session")
def ima() -> Registry:
    return load_registry(EXAMPLE, environ={})
