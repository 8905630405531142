"""Mutation fuzzing of the example registries: every mutant gets an answer, never a traceback.

``tests/registry/mutator.py`` derives mutant number N of an example the same way every time;
each is checked, loaded and, when it loads, published in every format (issue 9 §6). The suite
runs ``GARDIEN_FUZZ_MUTANTS`` mutants per example (default 100, about 20 s); a longer hunt
is ``GARDIEN_FUZZ_MUTANTS=3000`` or ``python -m tests.registry.fuzz_hunt`` (docs/testing.md).

``tests/data/fuzz/`` holds the mutants that found a bug before it was fixed, one per class,
replayed here in process and through ``gardien check``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.registry.loader import read_registry
from tests.registry.mutator import ENVIRON, PDF, SEEDS, judge, mutant

MUTANTS = int(os.environ.get("GARDIEN_FUZZ_MUTANTS", "100"))
FOUND = Path(__file__).resolve().parents[1] / "data" / "fuzz"
CORPUS = sorted(FOUND.glob("*.yaml"))

runner = CliRunner()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_mutants_of_an_example_get_an_answer_never_a_traceback(seed: Path, tmp_path: Path) -> None:
    bugs: list[str] = []
    kinds: dict[str, int] = {}
    for index in range(MUTANTS):
        m = mutant(seed, index)
        path = tmp_path / f"{m.name}.yaml"
        path.write_bytes(m.data)
        outcome = judge(path)
        kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
        if outcome.is_bug:
            bugs.append(f"mutant {m.name} ({', '.join(m.operations)}): {outcome.detail}")
    assert not bugs, f"{len(bugs)} of {MUTANTS} mutants hit a bug; the first:\n{bugs[0]}"
    # The mutants reach every stage: a fuzzer whose mutants all fail to parse proves little.
    assert kinds.get("refused", 0) > 0 and kinds.get("findings", 0) + kinds.get("clean", 0) > 0


def test_the_mutator_is_deterministic() -> None:
    assert mutant(SEEDS[0], 7) == mutant(SEEDS[0], 7)
    assert mutant(SEEDS[0], 7).data != mutant(SEEDS[0], 8).data


def test_the_corpus_holds_what_the_fuzzer_found() -> None:
    assert len(CORPUS) >= 5


@pytest.mark.parametrize("case", CORPUS, ids=lambda p: p.name)
def test_a_mutant_that_found_a_bug_now_gets_an_answer(case: Path) -> None:
    outcome = judge(case)
    assert not outcome.is_bug, outcome.detail
    result = runner.invoke(app, ["check", str(case), "--json"])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_pdf_notice_of_an_odd_but_valid_mutant_of_each_example(tmp_path: Path) -> None:
    # WeasyPrint takes about a second a notice: the first mutant of each example that loads.
    for seed in SEEDS:
        for index in range(MUTANTS):
            m = mutant(seed, index)
            path = tmp_path / f"{m.name}.yaml"
            path.write_bytes(m.data)
            if "tree" in m.operations and read_registry(path, ENVIRON).registry is not None:
                outcome = judge(path, pdf=True)
                assert not outcome.is_bug, outcome.detail
                break
        else:
            pytest.fail(f"no mutant of {seed.name} loads: {PDF[0]} was never tried")


@pytest.mark.parametrize("case", CORPUS[:3], ids=lambda p: p.name)
def test_gardien_check_in_a_process_of_its_own_never_prints_a_traceback(case: Path) -> None:
    # The real console: stdout is a pipe, with the process's own encoding.
    result = subprocess.run(
        [sys.executable, "-m", "gardien", "check", str(case)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode in (0, 1, 2)
    assert str(case) in result.stdout + result.stderr
