"""``gardien check`` on hostile registries: wall time and peak memory of a process of its own.

    .venv/bin/python bench/registry_check.py

Each input is built in a temporary directory, then checked by ``gardien check --json`` in a
subprocess (so the figures include the command's start, about a second); the peak resident
memory is the child's ``ru_maxrss``. The inputs are what docs/registry.md ("Limits") refuses,
and registries just inside the limits that once made a rule quadratic. Figures are recorded
in docs/performance.md; tests never assert them.
"""

from __future__ import annotations

import copy
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ima-protect.yaml"


def _example() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))


def _dump(tree: Any, path: Path) -> None:
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")


def deep_nesting(path: Path) -> None:
    path.write_text("gardien: 1\nnotes: " + "[" * 100_000 + "]" * 100_000 + "\n")


def alias_bomb(path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path.write_text("\n".join(lines) + "\n")


def huge_file(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(500 * 1024 * 1024)


def huge_scalar(path: Path) -> None:
    path.write_text("gardien: 1\ncontroller:\n  name: " + "x" * 3_000_000 + "\n")


def many_keys(path: Path) -> None:
    path.write_text("".join(f"k{index}: {index}\n" for index in range(400_000)))


def thousands_of_files(path: Path) -> None:
    path.mkdir()
    for index in range(5000):
        (path / f"part{index:04d}.yaml").write_text("gardien: 1\n")


def belongs_to_chain(path: Path) -> None:
    tree = _example()
    tables = tree["systems"]["crm"]["tables"]
    parent = next(iter(tables))
    for index in range(8000):
        tables[f"t{index}"] = {"belongs_to": {"table": parent, "column": "parent_id"}}
        parent = f"t{index}"
    _dump(tree, path)


def dangling_among_many(path: Path) -> None:
    tree = _example()
    for index in range(10_000):
        tree["data"][f"d{index}"] = {"fr": "x", "en": "y"}
    activity = next(iter(tree["activities"].values()))
    activity["data"] = [*activity["data"], *(f"undeclared{n}" for n in range(10_000))]
    _dump(tree, path)


def tables_times_data(path: Path) -> None:
    tree = _example()
    aid, activity = next(iter(tree["activities"].items()))
    for index in range(5000):
        tree["data"][f"d{index}"] = {"fr": "x", "en": "y"}
    activity["data"] = [*activity["data"], *(f"d{n}" for n in range(5000))]
    tables = tree["systems"]["crm"]["tables"]
    for index in range(5000):
        tables[f"t{index}"] = {"subject": activity["subjects"][0], "activities": [aid]}
    _dump(tree, path)


def long_email(path: Path) -> None:
    tree = _example()
    tree["controller"]["dpo"]["email"] = "a@" + "." * 90_000 + "@"
    _dump(tree, path)


CASES: list[tuple[str, Callable[[Path], None]]] = [
    ("the example (ima-protect)", lambda path: path.write_bytes(EXAMPLE.read_bytes())),
    ("100,000 nesting levels", deep_nesting),
    ("alias bomb (9^9 strings)", alias_bomb),
    ("500 MiB file (sparse)", huge_file),
    ("3,000,000-character scalar", huge_scalar),
    ("400,000 keys", many_keys),
    ("5,000 files in a directory", thousands_of_files),
    ("belongs_to chain of 8,000 tables", belongs_to_chain),
    ("10,000 dangling refs among 10,000 data", dangling_among_many),
    ("5,000 tables x activity of 5,000 data", tables_times_data),
    ("e-mail of 90,000 dots", long_email),
]


def measure(path: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS (MiB) and exit code of ``gardien check --json path``, run from a
    process whose only child it is (RUSAGE_CHILDREN keeps the largest child's peak)."""
    gardien = Path(sys.executable).with_name("gardien")
    started = time.monotonic()
    result = subprocess.run(
        [str(gardien), "check", "--json", str(path)], capture_output=True, check=False
    )
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, result.returncode


def main() -> int:
    print(f"{'input':42} {'exit':>4} {'time':>7} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, build) in enumerate(CASES):
            path = Path(tmp) / f"case{index}.yaml"
            build(path)
            # A fresh measuring process per case, so that each peak is that case's own.
            child = subprocess.run(
                [sys.executable, __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            elapsed, peak, code = child.stdout.split()
            print(f"{label:42} {code:>4} {float(elapsed):6.2f}s {float(peak):6.0f} MiB")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        seconds, mebibytes, exit_code = measure(Path(sys.argv[2]))
        print(seconds, mebibytes, exit_code)
        sys.exit(0)
    sys.exit(main())
