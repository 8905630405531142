"""kill -9 at random points of a retention run, then re-run: the end state is always the same.

Each trial copies the same filled database, starts ``gardien retention run`` in a separate
process, kills it with SIGKILL at a random moment, runs it again to the end, and compares
every row of every active and archive table with an uninterrupted run's result.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.registry.loader import load_registry
from gardien.synthetic.people import fill_system
from gardien.synthetic.schema import create_system

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = "2026-11-22T09:00:00"
TRIALS = 20
BOOKKEEPING = {"gardien_archived_at", "gardien_run_id"}


def snapshot(db: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every row of every table, without the archive's run id and timestamp."""
    engine = sa.create_engine(f"sqlite:///{db}")
    state: dict[str, set[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            columns = [c for c in table.columns if c.name not in BOOKKEEPING]
            state[name] = {tuple(r) for r in conn.execute(sa.select(*columns))}
    engine.dispose()
    return state


def interrupted_after_changes(db: Path, store: Path, original: Path) -> bool:
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
    return bool(running) and snapshot(db) != snapshot(original)


def run_cli(db: Path, store: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IMA_PROTECT_CRM_URL": f"sqlite:///{db}",
        "IMA_PROTECT_TELEPHONY_URL": f"sqlite:///{db}",
        "GARDIEN_DATABASE_URL": f"sqlite:///{store}",
    }
    command = [
        sys.executable,
        "-m",
        "gardien",
        "retention",
        "run",
        "--registry",
        str(EXAMPLE),
        "--now",
        NOW,
        "--batch-size",
        "40",
        "--json",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("crash") / "original.db"
    registry = load_registry(
        EXAMPLE,
        environ={
            "IMA_PROTECT_CRM_URL": f"sqlite:///{db}",
            "IMA_PROTECT_TELEPHONY_URL": f"sqlite:///{db}",
        },
    )
    for system_id in registry.systems:
        create_system(registry, system_id)
        fill_system(registry, system_id, people=1500, seed=7, now=datetime.fromisoformat(NOW))
    return db


def test_killed_runs_end_in_the_same_state(filled: Path, tmp_path: Path) -> None:
    reference_db = tmp_path / "reference.db"
    shutil.copy(filled, reference_db)
    started = time.monotonic()
    reference = run_cli(reference_db, tmp_path / "reference-store.db")
    assert reference.wait(timeout=300) == 0, reference.stderr.read() if reference.stderr else ""
    duration = time.monotonic() - started
    expected = snapshot(reference_db)
    assert expected != snapshot(filled), (
        "the reference run changed nothing: the test would prove nothing"
    )

    rng = random.Random(20261122)
    killed_mid_run = 0
    for trial in range(TRIALS):
        db, store = tmp_path / f"trial{trial}.db", tmp_path / f"trial{trial}-store.db"
        shutil.copy(filled, db)
        process = run_cli(db, store)
        time.sleep(rng.uniform(0.2, 1.0) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=300)
        if process.returncode == -signal.SIGKILL and interrupted_after_changes(db, store, filled):
            killed_mid_run += 1
        again = run_cli(db, store)
        assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
        assert snapshot(db) == expected, f"trial {trial}: the re-run ended in another state"
    # The kills must really interrupt runs half-way for the test to mean anything.
    assert killed_mid_run >= TRIALS // 4, (
        f"only {killed_mid_run} of {TRIALS} runs were cut half-way"
    )
