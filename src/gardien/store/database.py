"""Opening gardien's store and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from gardien.connectors.sql import safe_url
from gardien.errors import Unavailable
from gardien.store.keys import StoreKeys, bind

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreUnavailable(Unavailable):
    """gardien's own database cannot be opened or migrated."""

    code = "store_unavailable"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL with synchronous=NORMAL: a commit survives a killed process (what resuming needs)
    # without an fsync per journal write; only an OS crash may lose the last commits, and
    # every journaled step is idempotent, so a lost journal entry means a batch re-run.
    # pysqlite runs DDL outside any transaction: a process killed while migrating would leave
    # tables without their recorded revision. Take over BEGIN so migrations are atomic too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql(
        "BEGIN IMMEDIATE"
    )  # also takes the write lock at once: no upgrade deadlock


def open_store(url: str, keys: StoreKeys | None = None) -> Engine:
    """An engine on the store at ``url``, migrated to the latest schema, carrying the store's
    ``keys`` (``gardien.store.keys``): the settings' (``open_store(url, settings.keys)``, what
    every command and the server do). Without keys (tests, scripts), the public development
    keys, which a production process refuses (``StoreKeys.unconfigured``)."""
    resolved = url
    chosen = keys or StoreKeys.unconfigured()
    try:
        engine = sa.create_engine(resolved, future=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
            path = engine.url.database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        with engine.begin() as conn:
            config = alembic_config(resolved)
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")  # feature branches may add heads of their own
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise StoreUnavailable(
            f"cannot open gardien's store at {safe_url(resolved)}: {exc}"
        ) from exc
    return bind(engine, chosen)
