"""Settings from GARDIEN_*: insecure defaults refused outside dev; nothing built at import."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.consent.keys import DEVELOPMENT_KEY, SecretKeyError
from gardien.errors import UsageError
from gardien.server.app import create_app
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
STRONG = "x" * 48


def test_dev_accepts_the_development_key() -> None:
    settings = Settings.from_environment({"GARDIEN_REGISTRY": str(EXAMPLE)})
    assert settings.env == "dev"
    settings.check()
    assert settings.subject_key().secret == DEVELOPMENT_KEY.encode()


@pytest.mark.parametrize("key", ["", "short", DEVELOPMENT_KEY])
def test_production_refuses_a_missing_or_weak_key(key: str, tmp_path: Path) -> None:
    settings = Settings.from_environment(
        {
            "GARDIEN_ENV": "production",
            "GARDIEN_SECRET_KEY": key,
            "GARDIEN_REGISTRY": str(EXAMPLE),
            "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        }
    )
    with pytest.raises(SecretKeyError, match="GARDIEN_SECRET_KEY"):
        create_app(settings)
    assert not (tmp_path / "g.db").exists()  # refused before anything was opened


def test_production_with_a_strong_key_starts(tmp_path: Path) -> None:
    settings = Settings.from_environment(
        {
            "GARDIEN_ENV": "production",
            "GARDIEN_SECRET_KEY": STRONG,
            "GARDIEN_REGISTRY": str(EXAMPLE),
            "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        }
    )
    assert create_app(settings).title == "gardien"


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(UsageError, match="GARDIEN_ENV"):
        Settings.from_environment({"GARDIEN_ENV": "prod"})
    with pytest.raises(UsageError, match="GARDIEN_REGISTRY"):
        Settings.from_environment({}).check()


def test_the_key_is_never_shown() -> None:
    settings = Settings(secret_key=STRONG)
    assert STRONG not in repr(settings)


def test_user_add_prints_the_token_once_and_stores_its_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    result = CliRunner().invoke(
        cli, ["user", "add", "claire", "--role", "agent", "--store", url, "--actor", "test"]
    )
    assert result.exit_code == 0, result.output
    token = next(line for line in result.output.splitlines() if line.startswith("gdn_"))
    engine = open_store(url)
    account = accounts.authenticate(engine, token)
    assert account is not None and (account.name, account.role) == ("claire", "agent")
    assert accounts.authenticate(engine, token + "x") is None
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM staff_account").scalar_one()
    assert token not in stored and stored.startswith("$argon2")
    again = CliRunner().invoke(cli, ["user", "add", "claire", "--role", "dpo", "--store", url])
    assert again.exit_code == 2
    assert "exists already" in again.output
    bad = CliRunner().invoke(cli, ["user", "add", "eve", "--role", "root", "--store", url])
    assert bad.exit_code == 2
    assert "dpo, agent, auditor, admin" in bad.output
