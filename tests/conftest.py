"""Shared fixtures. Tests mirror the source tree; unit tests need no database."""

from __future__ import annotations

from pathlib import Path

import pytest

# Fresh PostgreSQL / MariaDB databases per test (fail instead of skip under CI=true).
pytest_plugins = ["tests.databases"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
