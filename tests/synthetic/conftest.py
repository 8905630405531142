"""Fixtures for the synthetic-data tests (``postgres_url`` and ``mariadb_url`` come from
``tests/databases.py``, registered by the top-level conftest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gardien.registry.loader import load_registry
from gardien.registry.model import Registry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = dt.datetime(2026, 6, 15, 10, 30)  # a fixed "now", away from month ends


@pytest.fixture(scope="session")
def ima() -> Registry:
    return load_registry(EXAMPLE, environ={})
