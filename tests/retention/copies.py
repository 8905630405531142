"""Copies of one filled ima-protect database, on SQLite, PostgreSQL or MariaDB, and what a
retention run left in a copy and in its store (the end state trials compare)."""

from __future__ import annotations

import secrets
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.registry.loader import load_registry
from gardien.store import audit
from gardien.store.schema import retention_run, retention_step
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system
from tests.databases import server_url

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
COMPACT = Path(__file__).resolve().parent / "data" / "compact.yaml"  # seven steps
BOOKKEEPING = {"gardien_archived_at", "gardien_run_id"}  # when and by which run: differ by trial
Rows = dict[str, set[tuple[object, ...]]]


def system_env(url: str) -> dict[str, str]:
    """Every system of both registries on the one database ``url``."""
    return {"IMA_PROTECT_CRM_URL": url, "IMA_PROTECT_TELEPHONY_URL": url, "COMPACT_URL": url}


_REFLECTED: dict[tuple[str, str], sa.Table] = {}  # copies share their tables' definitions


def snapshot(url: str) -> Rows:
    """Every row of every table (archives and gardien's markers included), minus the archive's
    run id and timestamp."""
    engine = sa.create_engine(url)
    state: Rows = {}
    try:
        with engine.connect() as conn:
            for name in sorted(sa.inspect(conn).get_table_names()):
                known = (engine.dialect.name, name)
                if known not in _REFLECTED:
                    _REFLECTED[known] = sa.Table(name, sa.MetaData(), autoload_with=conn)
                columns = [c for c in _REFLECTED[known].columns if c.name not in BOOKKEEPING]
                state[name] = {tuple(r) for r in conn.execute(sa.select(*columns))}
    finally:
        engine.dispose()
    return state


@dataclass
class Backend:
    """Copies of one filled database: SQLite files, PostgreSQL schemas of one database (a
    schema is copied and dropped in milliseconds, where each CREATE/DROP DATABASE costs a
    checkpoint), MariaDB databases."""

    kind: str
    workdir: Path
    server: str = ""  # PostgreSQL: the test's own database (tests.databases), holding schemas
    original: str = ""
    made: list[str] = field(default_factory=list)

    def fill(self, people: int, now: datetime, registry_path: Path = EXAMPLE) -> None:
        self.original = self.fresh_url("original")
        registry = load_registry(registry_path, environ=system_env(self.original))
        for system_id in registry.systems:
            create_system(registry, system_id)
            fill_system(registry, system_id, people=people, seed=7, now=now)

    def _admin(self) -> sa.Engine:
        return sa.create_engine(server_url(self.kind), isolation_level="AUTOCOMMIT")

    def _url(self, database: str) -> str:
        url = sa.make_url(server_url(self.kind)).set(database=database)
        return url.render_as_string(hide_password=False)

    def _in_schema(self, schema: str) -> str:
        url = sa.make_url(self.server).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def fresh_url(self, name: str, template: str | None = None) -> str:
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.db"
            if template:
                shutil.copy(sa.make_url(template).database or "", path)
            return f"sqlite:///{path}"
        if self.kind == "postgresql":
            return self._schema_copy(name, template is not None)
        database = f"gardien_crash_{secrets.token_hex(4)}_{name}"
        admin = self._admin()
        try:
            with admin.connect() as conn:
                if self.kind == "postgresql":
                    source = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
                    conn.exec_driver_sql(f'CREATE DATABASE "{database}"{source}')
                else:
                    conn.exec_driver_sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
                    if template:
                        self._copy_tables(conn, sa.make_url(template).database or "", database)
        finally:
            admin.dispose()
        self.made.append(database)
        return self._url(database)

    def _schema_copy(self, name: str, copy: bool) -> str:
        engine = sa.create_engine(self.server)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
                if copy:
                    tables = conn.execute(
                        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'original'")
                    ).scalars()
                    for table in list(tables):
                        conn.exec_driver_sql(
                            f'CREATE TABLE "{name}"."{table}" '
                            f'(LIKE original."{table}" INCLUDING ALL)'
                        )
                        conn.exec_driver_sql(
                            f'INSERT INTO "{name}"."{table}" SELECT * FROM original."{table}"'
                        )
                        conn.exec_driver_sql(f'ANALYZE "{name}"."{table}"')
        finally:
            engine.dispose()
        return self._in_schema(name)

    @staticmethod
    def _copy_tables(conn: sa.Connection, source: str, target: str) -> None:
        tables = conn.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": source},
        ).scalars()
        for table in list(tables):
            conn.exec_driver_sql(f"CREATE TABLE `{target}`.`{table}` LIKE `{source}`.`{table}`")
            conn.exec_driver_sql(
                f"INSERT INTO `{target}`.`{table}` SELECT * FROM `{source}`.`{table}`"
            )

    def copy(self, name: str) -> str:
        return self.fresh_url(name, template=self.original)

    def drop_all(self) -> None:
        if self.kind != "mariadb" or not self.made:
            return  # SQLite files go with their directory, PostgreSQL schemas with the database
        admin = self._admin()
        try:
            with admin.connect() as conn:
                for database in self.made:
                    if self.kind == "postgresql":
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                    else:
                        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{database}`")
        finally:
            admin.dispose()


@dataclass(frozen=True)
class EndState:
    """What a run left: the rows, the journal's totals, the audit trail's record of it."""

    rows: Rows
    runs: Counter[str]  # runs by status
    totals: tuple[tuple[Any, ...], ...]  # per step: system, table, stage, action, rows, held
    started_events: int
    completed_events: list[dict[str, Any]]  # the completion events' details, minus "resumed"
    failed_events: int

    def differences(self, other: EndState) -> list[str]:
        found = []
        for name in ("runs", "totals", "started_events", "completed_events", "failed_events"):
            if getattr(self, name) != getattr(other, name):
                found.append(f"{name}: {getattr(self, name)!r} != {getattr(other, name)!r}")
        for table in sorted(set(self.rows) | set(other.rows)):
            mine, theirs = self.rows.get(table, set()), other.rows.get(table, set())
            if mine != theirs:
                found.append(
                    f"table {table}: {len(mine - theirs)} row(s) only here, "
                    f"{len(theirs - mine)} only in the other"
                )
        return found


def end_state(url: str, store_url: str) -> EndState:
    store = sa.create_engine(store_url)
    try:
        with store.connect() as conn:
            runs = Counter(conn.execute(sa.select(retention_run.c.status)).scalars())
            steps = conn.execute(
                sa.select(
                    retention_step.c.system_id,
                    retention_step.c.table_name,
                    retention_step.c.stage,
                    retention_step.c.action,
                    retention_step.c.rows_done,
                    retention_step.c.held,
                    retention_step.c.status,
                ).order_by(retention_step.c.run_id, retention_step.c.position)
            ).all()
        events = list(audit.events(store, action="retention.run.*"))
    finally:
        store.dispose()
    completed = [
        {k: v for k, v in e.details.items() if k != "resumed"}
        for e in events
        if e.action == "retention.run.completed"
    ]
    return EndState(
        rows=snapshot(url),
        runs=runs,
        totals=tuple(tuple(s) for s in steps),
        started_events=sum(e.action == "retention.run.started" for e in events),
        completed_events=completed,
        failed_events=sum(e.action == "retention.run.failed" for e in events),
    )
