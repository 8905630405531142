"""`gardien demo` — what `make demo` runs — end to end on a small population."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def test_demo_publishes_and_enforces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "--people", "60"])
    assert result.exit_code == 0, result.output
    for name in ("ima-protect", "ima-group", "influence-media"):
        assert (tmp_path / "out" / name / "record.fr.xlsx").exists() or (
            tmp_path / "out" / name / "record.en.xlsx"
        ).exists()
    assert (tmp_path / "out" / "ima-protect" / "notice.fr.pdf").read_bytes().startswith(b"%PDF")
    # issue 11 §1: a registry in error publishes no notice, only a draft that says so
    group = tmp_path / "out" / "ima-group"
    assert not (group / "notice.fr.md").exists()
    assert (group / "notice-draft.fr.md").read_text().startswith("> **PROJET — ne pas publier**")
    assert "second run at the same time changes 0 row(s)" in result.output
    assert "audit trail: intact" in result.output
    assert "Requests answered" in result.output and "partially_refused" in result.output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'demo' / 'ima-protect' / 'crm.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM client_gardien_archive")).scalar_one() > 0
