"""kill -9 at random points of a retention run, then re-run: the end state is always the same.

Each trial copies the same filled database, starts ``gardien retention run`` in a separate
process, kills it with SIGKILL at a random moment, runs it again to the end, and compares
every row of every active and archive table with an uninterrupted run's result. SQLite and
PostgreSQL are both tried: they batch differently (primary-key ranges, heap-block ranges).
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.registry.loader import load_registry
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system
from tests.databases import server_url

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = "2026-11-22T09:00:00"
TRIALS = 20
BOOKKEEPING = {"gardien_archived_at", "gardien_run_id"}
State = dict[str, set[tuple[object, ...]]]


def snapshot(url: str) -> State:
    """Every row of every table, without the archive's run id and timestamp."""
    engine = sa.create_engine(url)
    state: State = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            columns = [c for c in table.columns if c.name not in BOOKKEEPING]
            state[name] = {tuple(r) for r in conn.execute(sa.select(*columns))}
    engine.dispose()
    return state


@dataclass
class Backend:
    """Copies of one filled database, on SQLite files or PostgreSQL template databases."""

    kind: str
    workdir: Path
    original: str = ""
    made: list[str] | None = None

    def fill(self) -> None:
        self.made = []
        self.original = self.fresh_url("original")
        env = {"IMA_PROTECT_CRM_URL": self.original, "IMA_PROTECT_TELEPHONY_URL": self.original}
        registry = load_registry(EXAMPLE, environ=env)
        for system_id in registry.systems:
            create_system(registry, system_id)
            fill_system(registry, system_id, people=1500, seed=7, now=datetime.fromisoformat(NOW))

    def fresh_url(self, name: str, template: str | None = None) -> str:
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.db"
            if template:
                shutil.copy(sa.make_url(template).database or "", path)
            return f"sqlite:///{path}"
        database = f"gardien_crash_{secrets.token_hex(4)}_{name}"
        admin = sa.create_engine(server_url("postgresql"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            source = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{database}"{source}')
        admin.dispose()
        assert self.made is not None
        self.made.append(database)
        return (
            sa.make_url(server_url("postgresql"))
            .set(database=database)
            .render_as_string(hide_password=False)
        )

    def copy(self, name: str) -> str:
        return self.fresh_url(name, template=self.original)

    def drop_all(self) -> None:
        if self.kind != "postgresql" or not self.made:
            return
        admin = sa.create_engine(server_url("postgresql"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for database in self.made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen = Backend(request.param, tmp_path)
    if request.param == "postgresql":
        request.getfixturevalue("postgres_url")  # skips, or fails under CI, without a server
    try:
        chosen.fill()
        yield chosen
    finally:
        chosen.drop_all()


def run_cli(url: str, store: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IMA_PROTECT_CRM_URL": url,
        "IMA_PROTECT_TELEPHONY_URL": url,
        "GARDIEN_DATABASE_URL": f"sqlite:///{store}",
    }
    command = [
        sys.executable, "-m", "gardien", "retention", "run", "--registry", str(EXAMPLE),
        "--now", NOW, "--batch-size", "40", "--json",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def interrupted_after_changes(url: str, store: Path, original: State) -> bool:
    """The killed run had changed some rows and had not finished."""
    if not store.exists():
        return False
    engine = sa.create_engine(f"sqlite:///{store}")
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("retention_run"):
            return False
        running = conn.execute(
            sa.text("SELECT count(*) FROM retention_run WHERE status = 'running'")
        ).scalar_one()
    engine.dispose()
    return bool(running) and snapshot(url) != original


def test_killed_runs_end_in_the_same_state(backend: Backend, tmp_path: Path) -> None:
    original = snapshot(backend.original)
    reference_url = backend.copy("reference")
    started = time.monotonic()
    reference = run_cli(reference_url, tmp_path / "reference-store.db")
    assert reference.wait(timeout=300) == 0, reference.stderr.read() if reference.stderr else ""
    duration = time.monotonic() - started
    expected = snapshot(reference_url)
    assert expected != original, "the reference run changed nothing: the test would prove nothing"

    rng = random.Random(20261122)
    cut_half_way = 0
    for trial in range(TRIALS):
        url, store = backend.copy(f"trial{trial}"), tmp_path / f"trial{trial}-store.db"
        process = run_cli(url, store)
        time.sleep(rng.uniform(0.2, 1.0) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=300)
        if process.returncode == -signal.SIGKILL and interrupted_after_changes(
            url, store, original
        ):
            cut_half_way += 1
        again = run_cli(url, store)
        assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
        assert snapshot(url) == expected, f"trial {trial}: the re-run ended in another state"
    print(
        f"{backend.kind}: {cut_half_way} of {TRIALS} runs killed half-way, all re-ran to the same state"
    )
    # The kills must really interrupt runs half-way for the test to mean anything.
    assert cut_half_way >= TRIALS // 4, f"only {cut_half_way} of {TRIALS} runs were cut half-way"
