"""The ima-protect systems on a real database, filled by the synthetic generator, plus people
whose identifiers differ from each other by one character (issue 4 §5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.connectors.sql import ARCHIVE_RUN, ARCHIVED_AT, SqlConnector
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = dt.datetime(2026, 6, 15, 10, 30)
SQL_TRAP = "o'brien\"; DROP TABLE client;--"  # a customer number may hold spaces and quotes

# Hand-made people, keys far above the synthetic ones.
JEAN = {"email": "jean.martin@x.fr", "phone": "+33612345678"}
JEAN1 = {"email": "jean.martin1@x.fr", "phone": "+33612345679"}
ZOE = {"email": "zoë@exämple.fr"}
ZOE_PLAIN = {"email": "zoe@example.fr"}
OBRIEN = {"customer_number": SQL_TRAP, "email": "o'brien\";--@x.fr"}


@dataclass
class World:
    registry: Registry
    connectors: dict[str, SqlConnector]
    url: str

    def rows(self, table: str) -> list[dict[str, Any]]:
        engine = self.connectors["crm"].engine
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]


def registry_on(url: str) -> Registry:
    base = load_registry(EXAMPLE, environ={})
    systems = {sid: s.model_copy(update={"url": url}) for sid, s in base.systems.items()}
    return base.model_copy(update={"systems": systems})


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    columns = {c for row in rows for c in row}
    conn.execute(table.insert(), [{c: row.get(c) for c in columns} for row in rows])


def build_world(url: str, people: int = 200) -> World:
    registry = registry_on(url)
    for system_id in registry.systems:
        create_system(registry, system_id, drop=True)
        fill_system(registry, system_id, people=people, seed=4, now=NOW)
    connectors = {sid: SqlConnector(sid, url) for sid in registry.systems}
    crm = connectors["crm"]
    for name in ("client", "site", "alarm_event", "prospect"):
        crm.ensure_archive(name)
    archived = {ARCHIVED_AT: NOW, ARCHIVE_RUN: "run-1"}
    ended = dt.date(2024, 1, 31)
    with crm.engine.begin() as conn:
        client = crm.table("client")
        _insert(
            conn,
            client,
            [
                {"id": 100001, "customer_number": "C100001", "title": "M.", "first_name": "Jean",
                 "last_name": "Martin", "postal_address": "1 rue de la Paix, Niort", **JEAN},
                {"id": 100002, "customer_number": "C100002", "title": "M.", "first_name": "Jean",
                 "last_name": "Martin", "postal_address": "3 rue de la Paix, Niort", **JEAN1},
                # Jean's address with an accent: a loose collation returns it, nobody gets it
                # (capitals alone would be Jean's own address, issue 10 §2).
                {"id": 100003, "customer_number": "C100003", "email": "Jéan.Martin@X.fr",
                 "phone": "+33612345670", "first_name": "Jeanne", "last_name": "Martin"},
                {"id": 100004, "customer_number": "C100004", "first_name": "Zoë",
                 "last_name": "Dupré", **ZOE},
                {"id": 100005, "customer_number": "C100005", "first_name": "Zoe",
                 "last_name": "Dupre", **ZOE_PLAIN},
                {"id": 100006, "first_name": "Seán", "last_name": "O'Brien", **OBRIEN},
            ],
        )  # fmt: skip
        _insert(
            conn,
            crm.table("site"),
            [
                {"id": 200001, "client_id": 100001, "site_address": "1 rue de la Paix, Niort",
                 "equipment": "sirène extérieure"},
                {"id": 200002, "client_id": 100002, "site_address": "3 rue de la Paix, Niort",
                 "equipment": "clavier à code"},
                {"id": 200003, "client_id": 100004, "site_address": "Chalet Zoë",
                 "equipment": "badge d'accès"},
            ],
        )  # fmt: skip
        _insert(
            conn,
            crm.table("alarm_event"),
            [
                {"id": 300001, "client_id": 100001, "occurred_at": "2026-05-01 03:10:00",
                 "description": "Intrusion détectée — garage"},
                {"id": 300002, "client_id": 100002, "occurred_at": "2026-05-02 04:00:00",
                 "description": "Batterie faible — entrée"},
            ],
        )  # fmt: skip
        # Jean's first contract, ended and kept in the restricted archive (R-RET-08).
        _insert(
            conn,
            crm.table("client_gardien_archive"),
            [{"id": 100009, "customer_number": "C100009", "first_name": "Jean",
              "last_name": "Martin", "contract_ended_on": ended, "restricted": False,
              **JEAN, **archived}],
        )  # fmt: skip
        _insert(
            conn,
            crm.table("site_gardien_archive"),
            [{"id": 200009, "client_id": 100009, "site_address": "8 impasse Ancienne, Niort",
              "equipment": "centrale d'alarme", **archived}],
        )  # fmt: skip
        _insert(
            conn,
            crm.table("prospect"),
            [
                {"id": 100001, "first_name": "Jean", "last_name": "Martin", **JEAN,
                 "collected_at": dt.datetime(2025, 3, 1, 9, 0)},
                {"id": 100002, "first_name": "Jean", "last_name": "Martin", **JEAN1,
                 "collected_at": dt.datetime(2025, 3, 2, 9, 0)},
            ],
        )  # fmt: skip
        _insert(
            conn,
            crm.table("trusted_person"),
            [
                {"id": 100001, "first_name": "Jean", "last_name": "Martin", "phone": JEAN["phone"]},
                {"id": 100002, "first_name": "Jean", "last_name": "Martin",
                 "phone": JEAN1["phone"]},
            ],
        )  # fmt: skip
    telephony = connectors["telephony"]
    with telephony.engine.begin() as conn:
        _insert(
            conn,
            telephony.table("call_recording"),
            [
                {"id": 100001, "caller_number": JEAN["phone"], "audio_uri": "s3://rec/a.ogg",
                 "duration_s": "61", "recorded_at": dt.datetime(2026, 5, 3, 8, 0)},
                {"id": 100002, "caller_number": JEAN1["phone"], "audio_uri": "s3://rec/b.ogg",
                 "duration_s": "62", "recorded_at": dt.datetime(2026, 5, 4, 8, 0)},
            ],
        )  # fmt: skip
    return World(registry, connectors, url)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'systems.db'}"
    name = "postgres_url" if request.param == "postgresql" else "mariadb_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    built = build_world(db_url)
    yield built
    for connector in built.connectors.values():
        connector.dispose()


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    built = build_world(f"sqlite:///{tmp_path / 'systems.db'}")
    yield built
    for connector in built.connectors.values():
        connector.dispose()
