"""A long mutation hunt over the example registries: ``python -m tests.registry.fuzz_hunt``.

Prints, per example, how many mutants were clean, had findings, were refused, or hit a bug
(a traceback), and the distinct bug signatures with the first mutant of each. ``--save DIR``
writes that first mutant of each signature to DIR (to add to tests/data/fuzz/);
``--cli-every N`` also runs ``gardien check`` in a process of its own on every Nth mutant.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.registry.mutator import SEEDS, Outcome, judge, mutant


def judge_cli(path: Path) -> Outcome:
    """``gardien check`` in a process of its own: exit 0, 1 or 2, never a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "gardien", "check", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    output = result.stdout + result.stderr
    if "Traceback" in output or result.returncode not in (0, 1, 2):
        last = output.strip().splitlines()[-1] if output.strip() else ""
        return Outcome("bug", output, f"cli:exit {result.returncode}:{last[:60]}")
    return Outcome("clean")  # an answer; the in-process judge says which kind


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutants", type=int, default=3000, help="mutants per example")
    parser.add_argument("--start", type=int, default=0, help="first mutant index")
    parser.add_argument("--pdf-every", type=int, default=50, help="render the PDF every N mutants")
    parser.add_argument("--cli-every", type=int, default=0, help="gardien check every N mutants")
    parser.add_argument("--save", type=Path, help="directory for one mutant per bug signature")
    parser.add_argument("--seed", action="append", help="only these examples (file names)")
    args = parser.parse_args()
    seeds = [s for s in SEEDS if not args.seed or s.name in args.seed]
    first: dict[str, tuple[str, str]] = {}
    signatures: collections.Counter[str] = collections.Counter()
    total_bugs = total = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            kinds: collections.Counter[str] = collections.Counter()
            for index in range(args.start, args.start + args.mutants):
                m = mutant(seed, index)
                path = Path(tmp) / f"{m.name}.yaml"
                path.write_bytes(m.data)
                outcome = judge(path, pdf=args.pdf_every > 0 and index % args.pdf_every == 0)
                if not outcome.is_bug and args.cli_every > 0 and index % args.cli_every == 0:
                    kinds["cli"] += 1
                    through_cli = judge_cli(path)
                    outcome = through_cli if through_cli.is_bug else outcome
                kinds[outcome.kind] += 1
                if outcome.is_bug:
                    signatures[outcome.signature] += 1
                    if outcome.signature not in first:
                        first[outcome.signature] = (m.name, outcome.detail)
                        if args.save:
                            args.save.mkdir(parents=True, exist_ok=True)
                            (args.save / f"{m.name}.yaml").write_bytes(m.data)
            bugs = kinds["bug"]
            total_bugs += bugs
            total += args.mutants
            cli = f", {kinds['cli']} also through gardien check" if kinds["cli"] else ""
            print(
                f"{seed.name}: {args.mutants} mutants — clean {kinds['clean']}, "
                f"findings {kinds['findings']}, refused {kinds['refused']}, "
                f"bugs {bugs} ({100 * bugs / args.mutants:.2f} %){cli}"
            )
    print(
        f"all: {total_bugs} bugs in {total} mutants ({100 * total_bugs / max(total, 1):.2f} %), "
        f"{time.monotonic() - started:.0f} s"
    )
    for signature, count in signatures.most_common():
        name, detail = first[signature]
        last = detail.strip().splitlines()[-1][:200]
        print(f"  {count:5d}  {signature}  first: {name}  — {last}")
    return 1 if total_bugs else 0


if __name__ == "__main__":
    sys.exit(main())
