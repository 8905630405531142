"""``gardien check``'s output: every finding in --json, a readable screenful in text."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.cli.check import MAX_PRINTED

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
runner = CliRunner()


def registry_with_undeclared_data(tmp_path: Path, count: int, name: str = "r.yaml") -> Path:
    tree = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    activity = next(iter(tree["activities"].values()))
    activity["data"] = [*activity["data"], *(f"undeclared{n}" for n in range(count))]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_thousands_of_findings_print_a_screenful_and_count_them_all(tmp_path: Path) -> None:
    path = registry_with_undeclared_data(tmp_path, MAX_PRINTED + 500)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.count(": error GD005:") == MAX_PRINTED
    assert "… and 500 more finding(s): --json lists them all" in result.stdout
    assert f"{MAX_PRINTED + 500} error(s)" in result.output
    listed = json.loads(runner.invoke(app, ["check", str(path), "--json"]).stdout)
    assert len([f for f in listed if f["code"] == "GD005"]) == MAX_PRINTED + 500


def test_a_path_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    path = registry_with_undeclared_data(tmp_path, 1, name="[bold]:100:.yaml")
    result = runner.invoke(app, ["check", str(path)])
    assert f"{path}: 1 error(s)" in result.output
