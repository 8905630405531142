from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.errors import UsageError
from gardien.registry.model import Registry
from gardien.synthetic.schema import build_metadata, create_system, ordered_tables


def _inspect(url: str) -> sa.Inspector:
    return sa.inspect(sa.create_engine(url))


def test_tables_are_named_as_declared_parents_first(ima: Registry) -> None:
    metadata = build_metadata(ima, "crm")
    assert set(metadata.tables) == set(ima.systems["crm"].tables)
    order = ordered_tables(ima, "crm")
    assert order.index("client") < order.index("site")
    assert order.index("client") < order.index("alarm_event")


def test_column_types_follow_the_registry_on_sqlite(ima: Registry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    create_system(ima, "crm", url)
    inspector = _inspect(url)
    client = {c["name"]: c for c in inspector.get_columns("client")}
    assert inspector.get_pk_constraint("client")["constrained_columns"] == ["id"]
    assert isinstance(client["id"]["type"], sa.Integer)
    assert isinstance(client["contract_ended_on"]["type"], sa.Date)
    assert not isinstance(client["contract_ended_on"]["type"], sa.DateTime)
    assert isinstance(client["email"]["type"], sa.String) and client["email"]["type"].length == 255
    assert isinstance(client["restricted"]["type"], sa.Boolean)
    assert client["restricted"]["nullable"] is False and client["restricted"]["default"]
    assert client["postal_address"]["nullable"] is True
    indexed = {tuple(i["column_names"]) for i in inspector.get_indexes("client")}
    assert {("email",), ("phone",), ("customer_number",)} <= indexed

    prospect = {c["name"]: c for c in inspector.get_columns("prospect")}
    assert isinstance(prospect["collected_at"]["type"], sa.DateTime)
    assert isinstance(prospect["last_inbound_contact_at"]["type"], sa.DateTime)

    site = {c["name"]: c for c in inspector.get_columns("site")}
    assert site["client_id"]["nullable"] is False
    [fk] = inspector.get_foreign_keys("site")
    assert fk["referred_table"] == "client" and fk["referred_columns"] == ["id"]
    assert fk["constrained_columns"] == ["client_id"]
    assert ("client_id",) in {tuple(i["column_names"]) for i in inspector.get_indexes("site")}


def test_drop_recreates_empty_tables(ima: Registry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/crm.db"
    create_system(ima, "crm", url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO client (id, restricted) VALUES (1, 0)")
        conn.exec_driver_sql("INSERT INTO site (id, client_id) VALUES (1, 1)")
    create_system(ima, "crm", url, drop=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM client").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM site").scalar() == 0
    engine.dispose()


def test_sqlite_parent_directory_is_created(ima: Registry, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "telephony.db"
    create_system(ima, "telephony", f"sqlite:///{target}")
    assert target.exists()


def test_unknown_system_is_a_usage_error(ima: Registry) -> None:
    with pytest.raises(UsageError, match=r"no system 'erp'.*crm, telephony"):
        build_metadata(ima, "erp")
