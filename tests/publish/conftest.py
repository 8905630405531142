"""Fixtures for publishing tests: the reference registry, and variants with one thing changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from gardien.registry.loader import load_registry
from gardien.registry.model import Registry

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def ima_protect() -> Registry:
    return load_registry(EXAMPLES / "ima-protect.yaml")


def with_controller(registry: Registry, **changes: Any) -> Registry:
    controller = registry.controller.model_copy(update=changes)
    return registry.model_copy(update={"controller": controller})


def with_activity(registry: Registry, activity_id: str, **changes: Any) -> Registry:
    activities = dict(registry.activities)
    activities[activity_id] = activities[activity_id].model_copy(update=changes)
    return registry.model_copy(update={"activities": activities})


def check_golden(name: str, produced: bytes) -> None:
    """Compare with tests/publish/golden/NAME; GARDIEN_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("GARDIEN_UPDATE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert path.exists(), f"{path} is missing: run with GARDIEN_UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes()
    assert produced == expected, (
        f"{name} differs from the golden file; if the change is intended, "
        "rerun with GARDIEN_UPDATE_GOLDEN=1 and review the diff"
    )
