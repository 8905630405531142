"""The three example registries, modelled on the reference notices, through the CLI.

ima-protect (seed 001) passes; ima-group (seed 000) and influence-media (seed 004) fail on
exactly their real defects (REQUIREMENTS.md, "Known defects in the reference notices").
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from gardien.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FINDING_KEYS = {"code", "severity", "message", "file", "line", "column", "article", "hint"}

runner = CliRunner()


def check_json(name: str) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["check", str(EXAMPLES / name), "--json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def errors(findings: list[dict[str, Any]]) -> Counter[str]:
    return Counter(f["code"] for f in findings if f["severity"] == "error")


def test_json_output_shape() -> None:
    _, findings = check_json("influence-media.yaml")
    assert findings
    for finding in findings:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning")
        assert finding["file"].endswith("influence-media.yaml")
        assert isinstance(finding["line"], int) and isinstance(finding["column"], int)
        assert finding["article"] and finding["hint"] and finding["message"]


def test_ima_protect_passes_with_no_finding() -> None:
    exit_code, findings = check_json("ima-protect.yaml")
    assert exit_code == 0
    assert findings == []


def test_ima_protect_text_output_says_no_errors() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "ima-protect.yaml")])
    assert result.exit_code == 0
    assert "no errors" in result.stdout


def test_ima_group_reports_the_moroccan_transfer_without_safeguard() -> None:
    exit_code, findings = check_json("ima-group.yaml")
    assert exit_code == 1
    # R-XFR-01, and the recordings' legitimate interest left as an empty list.
    assert errors(findings) == Counter({"GD401": 1, "GD201": 1})
    [transfer] = [f for f in findings if f["code"] == "GD401"]
    assert "wafa-ima" in transfer["message"] and "MA" in transfer["message"]
    text = (EXAMPLES / "ima-group.yaml").read_text("utf-8").splitlines()
    assert text[transfer["line"] - 1].strip() == "country: MA"
    warnings = {f["code"] for f in findings if f["severity"] == "warning"}
    # Undated notice, no security measure, unnamed legal obligation, no mandatory-data reason.
    assert warnings == {"GD105", "GD107", "GD206", "GD304"}


def test_ima_group_text_output_names_file_and_line() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "ima-group.yaml")])
    assert result.exit_code == 1
    assert "ima-group.yaml:" in result.stdout and "GD401" in result.stdout
    assert "Traceback" not in result.output


def test_influence_media_reports_no_dpo_no_contact_no_retention() -> None:
    exit_code, findings = check_json("influence-media.yaml")
    assert exit_code == 1
    found = errors(findings)
    assert set(found) == {"GD101", "GD103", "GD104", "GD501", "GD502"}
    # Every (activity, subject) pair lacks retention: 4 activities x 2 subjects each.
    assert found["GD501"] == 8
    # And every table holding a subject's rows (child tables follow their parent).
    assert found["GD502"] == 4


def test_a_missing_file_is_unusable_input() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "no-such-registry.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
