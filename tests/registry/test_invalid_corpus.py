"""The hand-broken registry corpus: expected codes at expected lines, and never a traceback.

Each file under tests/data/invalid/ (or each .yaml file of a directory case) starts with
``# expect: CODE@LINE CODE … exit=N — why`` (or ``-- why``): every ``CODE@LINE`` must be among the findings
for that file at that line (``CODE`` alone: anywhere in it), and ``exit`` is the CLI's exit
code (2 unusable, 1 errors, 0 warnings only).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app

CORPUS = Path(__file__).resolve().parents[1] / "data" / "invalid"
CASES = sorted(CORPUS.iterdir())
_TOKEN = re.compile(r"^(GD\d{3})(?:@(\d+))?$")

runner = CliRunner()


def expectations(path: Path) -> tuple[list[tuple[str, int | None]], int | None]:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace")
    assert first.startswith("# expect:"), f"{path.name}: first line must be '# expect: …'"
    spec = re.split(r"—| -- ", first.removeprefix("# expect:"))[0].split()
    codes: list[tuple[str, int | None]] = []
    exit_code = None
    for token in spec:
        if token.startswith("exit="):
            exit_code = int(token.removeprefix("exit="))
            continue
        match = _TOKEN.match(token)
        assert match, f"{path.name}: bad expectation {token!r}"
        codes.append((match.group(1), int(match.group(2)) if match.group(2) else None))
    return codes, exit_code


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_expected_findings_and_no_traceback(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GARDIEN_CORPUS_UNSET_URL", raising=False)
    files = sorted(case.glob("*.yaml")) if case.is_dir() else [case]
    result = runner.invoke(app, ["check", str(case), "--json"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    findings = json.loads(result.stdout)
    expected_exit: set[int] = set()
    for file in files:
        codes, exit_code = expectations(file)
        if exit_code is not None:
            expected_exit.add(exit_code)
        here = [f for f in findings if f["file"] == str(file)]
        for code, line in codes:
            lines = [f["line"] for f in here if f["code"] == code]
            got = [(f["code"], f["line"]) for f in here]
            assert lines, f"{file.name}: expected {code}, got {got}"
            if line is not None:
                assert line in lines, f"{file.name}: expected {code}@{line}, got {got}"
    assert len(expected_exit) == 1, f"{case.name}: declare exit=N once"
    assert result.exit_code == expected_exit.pop()
    assert result.exit_code in (0, 1, 2)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_text_output_never_shows_a_traceback(case: Path) -> None:
    result = runner.invoke(app, ["check", str(case)])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
