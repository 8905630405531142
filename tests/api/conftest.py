"""The real app (``create_app``) on a store and the ima-protect systems, with one token per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from gardien.clock import FixedClock
from gardien.registry.loader import load_registry
from gardien.server.app import create_app
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime.fromisoformat("2026-11-22T10:00:00+00:00")


@dataclass
class Api:
    client: TestClient
    tokens: dict[Role, str]
    systems_url: str
    store_url: str

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def a_client_email(self) -> str:
        engine = sa.create_engine(self.systems_url)
        with engine.connect() as conn:
            email = conn.execute(
                sa.text("SELECT email FROM client WHERE email IS NOT NULL ORDER BY id LIMIT 1")
            ).scalar_one()
        engine.dispose()
        return str(email)


def build_api(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_url: str,
    systems_url: str,
    example: Path = EXAMPLE,
) -> Iterator[Api]:
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems_url)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems_url)
    monkeypatch.setenv("GARDIEN_OUTBOX", str(tmp_path / "outbox"))
    registry = load_registry(example)
    for system_id in registry.systems:
        create_system(registry, system_id)
        fill_system(registry, system_id, people=40, seed=5, now=NOW)
    clock = FixedClock(NOW)
    engine = open_store(store_url)
    tokens = {
        role: accounts.create(
            engine, clock, name=f"{role.value}@test", role=role.value, actor="test"
        )[1]
        for role in Role
    }
    engine.dispose()
    settings = Settings(database_url=store_url, registry=example, env="dev")
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield Api(client, tokens, systems_url, store_url)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    yield from build_api(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
    )
