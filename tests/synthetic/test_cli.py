from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app
from tests.synthetic.conftest import EXAMPLE
from tests.synthetic.helpers import read_table

runner = CliRunner()


def test_generate_one_system_at_another_url(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir" / "crm.db"  # parent directories are created
    url = f"sqlite:///{target}"
    args = ["generate", str(EXAMPLE), "--system", "crm", "--url", url]
    result = runner.invoke(app, [*args, "--people", "120", "--seed", "4", "--now", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "client" in result.stdout and "trusted_person" in result.stdout
    assert read_table(url, "SELECT count(*) FROM client") == [(120,)]
    again = runner.invoke(app, [*args, "--people", "120", "--seed", "4", "--drop"])
    assert again.exit_code == 0, again.output
    assert read_table(url, "SELECT count(*) FROM client") == [(120,)]


def test_every_system_at_its_declared_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", f"sqlite:///{tmp_path}/c/crm.db")
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", f"sqlite:///{tmp_path}/t/tel.db")
    result = runner.invoke(app, ["generate", str(EXAMPLE), "--people", "10"])
    assert result.exit_code == 0, result.output
    assert read_table(f"sqlite:///{tmp_path}/t/tel.db", "SELECT count(*) FROM call_recording") == [
        (10,)
    ]


def test_url_without_system_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", str(EXAMPLE), "--url", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "--system" in result.output


def test_unreachable_database_names_system_and_hides_password() -> None:
    url = "postgresql+psycopg://gardien:s3cret@127.0.0.1:1/crm"
    result = runner.invoke(app, ["generate", str(EXAMPLE), "--system", "crm", "--url", url])
    assert result.exit_code == 2
    assert "system crm" in result.output and "gardien:***@127.0.0.1:1/crm" in result.output
    assert "s3cret" not in result.output


def test_bad_now_and_unknown_system_exit_2(tmp_path: Path) -> None:
    bad_now = runner.invoke(app, ["generate", str(EXAMPLE), "--now", "yesterday"])
    assert bad_now.exit_code == 2 and "--now" in bad_now.output
    unknown = runner.invoke(app, ["generate", str(EXAMPLE), "--system", "erp"])
    assert unknown.exit_code == 2 and "no system 'erp'" in unknown.output
