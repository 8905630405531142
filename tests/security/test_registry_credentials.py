"""A database password in a registry URL never leaves the server, and a registry URL cannot
read gardien's own secrets from the environment (issue 9 §2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.registry.loader import read_registry
from gardien.registry.model import System
from gardien.registry.secrets import mask_url
from gardien.server.permissions import Role
from tests.api.conftest import Api

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
PASSWORD = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"postgresql+psycopg://gardien:{PASSWORD}@db:5432/crm",
            "postgresql+psycopg://gardien:***@db:5432/crm",
        ),
        (
            f"mysql+pymysql://root:{PASSWORD}@127.0.0.1/crm?charset=utf8mb4",
            "mysql+pymysql://root:***@127.0.0.1/crm?charset=utf8mb4",
        ),
        (f"postgresql://u:a/b:c{PASSWORD}@h/d", "postgresql://u:***@h/d"),
        (f"postgresql://h/d?user=u&password={PASSWORD}", "postgresql://h/d?user=u&password=***"),
        ("sqlite:///demo/crm.db", "sqlite:///demo/crm.db"),
        ("postgresql://gardien@db/crm", "postgresql://gardien@db/crm"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_the_model_serialises_a_system_url_masked() -> None:
    system = System(url=f"postgresql://gardien:{PASSWORD}@db/crm")
    assert PASSWORD not in system.model_dump_json()
    assert PASSWORD not in json.dumps(system.model_dump(mode="json"))
    assert PASSWORD not in repr(system)
    assert system.url.endswith(f"{PASSWORD}@db/crm")  # the connectors still read it


def test_the_registry_endpoint_shows_no_password_to_any_role(api: Api) -> None:
    ctx = api.client.app.state.gardien  # type: ignore[attr-defined]
    systems = dict(ctx.registry.systems)
    systems["crm"] = systems["crm"].model_copy(
        update={"url": f"postgresql+psycopg://gardien:{PASSWORD}@db.internal/crm"}
    )
    ctx.registry = ctx.registry.model_copy(update={"systems": systems})
    for role in Role:
        response = api.client.get("/api/v1/registry", headers=api.headers(role))
        if response.status_code == 200:
            assert PASSWORD not in response.text, role
            shown = response.json()["systems"]["crm"]["url"]
            assert shown == "postgresql+psycopg://gardien:***@db.internal/crm"


def _with_url(tmp_path: Path, url: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "${IMA_PROTECT_CRM_URL:-sqlite:///demo/ima-protect/crm.db}", url
    )
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name", ["GARDIEN_SECRET_KEY", "GARDIEN_SUBJECT_KEY", "GARDIEN_DATABASE_URL", "HOME"]
)
def test_a_registry_url_cannot_read_gardiens_secrets(tmp_path: Path, name: str) -> None:
    path = _with_url(tmp_path, f"sqlite:///${{{name}}}")
    reading = read_registry(path, environ={name: "the-secret-key-value"})
    [finding] = [f for f in reading.findings if f.code == "GD006"]
    assert name in finding.message
    assert (
        "may not read gardien's own settings" in finding.message or "reads only" in finding.message
    )
    assert finding.file == str(path)
    assert (
        finding.line == path.read_text().splitlines().index(f"    url: sqlite:///${{{name}}}") + 1
    )
    assert reading.errors  # load_registry refuses it
    assert "the-secret-key-value" not in json.dumps([str(f) for f in reading.findings])


def test_a_registry_url_reads_a_database_variable(tmp_path: Path) -> None:
    path = _with_url(tmp_path, "${CRM_DATABASE_URL}")
    reading = read_registry(
        path,
        environ={
            "CRM_DATABASE_URL": "sqlite:///crm.db",
            "IMA_PROTECT_TELEPHONY_URL": "sqlite:///t.db",
        },
    )
    assert not reading.errors, reading.errors
    assert reading.registry is not None
    assert reading.registry.systems["crm"].url == "sqlite:///crm.db"


@pytest.mark.parametrize("value", ["sqlite:///a\x00b.db", "sqlite:///a.db\nx", "sqlite:///\x1b[2J"])
def test_a_variable_holding_a_control_character_is_refused(tmp_path: Path, value: str) -> None:
    path = _with_url(tmp_path, "${CRM_DATABASE_URL}")
    reading = read_registry(path, environ={"CRM_DATABASE_URL": value})
    [finding] = [f for f in reading.findings if f.code == "GD006"]
    assert "control character" in finding.message
    assert value not in finding.message


def test_the_cli_json_output_shows_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "IMA_PROTECT_CRM_URL", f"postgresql+psycopg://gardien:{PASSWORD}@127.0.0.1:1/crm"
    )
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", f"sqlite:///{tmp_path / 't.db'}")
    result = CliRunner().invoke(cli, ["systems", "check", "--registry", str(EXAMPLE), "--json"])
    assert PASSWORD not in result.output
