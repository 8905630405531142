"""`make demo` ends by telling how to serve the demo and sign in to the back office: the
printed commands and password work (the settings it prints, the real app, the sign-in form)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.server.app import create_app
from gardien.settings import Settings
from tests.web.office.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[3]


def test_the_demo_prints_how_to_serve_and_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo", "--people", "60"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "http://127.0.0.1:8000/office" in output and "Development only" in output
    command = re.search(r"  (GARDIEN_ENV=dev .*?\.venv/bin/gardien serve)", output, re.S)
    assert command, output
    words = shlex.split(command[1].replace("\\\n", " "))
    assert words[-2:] == [".venv/bin/gardien", "serve"]
    env = dict(word.split("=", 1) for word in words[:-2])
    assert set(env) == {
        "GARDIEN_ENV",
        "GARDIEN_REGISTRY",
        "GARDIEN_DATABASE_URL",
        "IMA_PROTECT_CRM_URL",
        "IMA_PROTECT_TELEPHONY_URL",
        "GARDIEN_OUTBOX",
    }
    account = re.search(r"account:\s+(\S+)", output)
    password = re.search(r"password:\s+(\S+)", output)
    assert account and password and account[1] == "dpo@demo"

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with TestClient(create_app(Settings.from_environment()), follow_redirects=False) as client:
        form = client.get("/office/login")
        signed = client.post(
            "/office/login",
            data={"name": account[1], "password": password[1], "csrf_token": csrf_token(form.text)},
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/office"
        queue = client.get("/office")
        assert queue.status_code == 200
        assert "1 open" in queue.text  # the access request left for the back office
        assert client.get("/office/retention").status_code == 200

    # Running the demo again resets the account with a new password.
    again = CliRunner().invoke(cli, ["demo", "--people", "60"])
    assert again.exit_code == 0, again.output
    second = re.search(r"password:\s+(\S+)", again.output)
    assert second and second[1] != password[1]
