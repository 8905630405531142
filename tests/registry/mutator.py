"""A seeded, deterministic mutator of registry files, and the oracle that judges each mutant.

Each mutant is the text of an example registry changed one to three times, either in its YAML
text (lines deleted, duplicated, swapped, re-indented, truncated, YAML syntax inserted) or in
its parsed tree (keys deleted, renamed or added, values of the wrong type, empty, huge, odd
unicode, bad durations, dates and countries, undefined identifiers, ``${VAR}`` references),
then dumped back. The same (seed, index) always gives the same mutant, so a failure found by
a long hunt is replayed by its number.

The oracle (``judge``) runs what a user runs on the file in process: the checker, the loader,
and, when the registry loads, every publisher (notice in md/html/pdf, record in csv/xlsx/json).
A finding, a ``RegistryError`` or a ``GardienError`` is an answer; any other exception is a bug.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gardien.errors import GardienError, RegistryError
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_notice
from gardien.registry.checker import RULE_FAILED, check_path
from gardien.registry.loader import load_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDS = sorted(EXAMPLES.glob("*.yaml"))
ENVIRON = {"GARDIEN_FUZZ_SET": "sqlite:///fuzz.db"}

# --- odd values ------------------------------------------------------------------------------

ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "nul\x00inside",
    "\ud800",  # a lone surrogate (YAML writes it as "\ud800")
    "lone \udfff low",
    "\u202eevil\u202c",  # bidi override
    "\u2066isolate",
    "\u200b",
    "\ufeffbom",
    "\x1b[31mred",
    "bell\x07",
    "tab\tinside",
    "line\u2028separator",
    "cr\rinside",
    "\x7f\x80\x9f",
    "\U0001f600 emoji",
    "e\u0301",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "*_[`#|\\",
    "${HOME}",
    "${GARDIEN_FUZZ_UNSET}",
    "${GARDIEN_FUZZ_SET}",
    "${GARDIEN_FUZZ_UNSET:-}",
    "${",
    "$${X}",
    "${A:-${B}}",
    "x" * 10_000,
    "é" * 70_000,
    "a@" + "." * 5_000 + "@",
    "word " * 3_000,
]
ODD_IDENTIFIERS = ["nope", "Client", "1abc", "a b", "client\x00", "ça", "-x", "x" * 300, "__"]
ODD_DURATIONS = [
    "P",
    "P0D",
    "P-1Y",
    "PT5H",
    "P5Y6",
    "5Y",
    "P1.5Y",
    "P201Y",
    "P73000D",
    "P99999999999999999999999Y",
    "P9999W",
    "P1Y1Y",
    "p5y",
    " P5Y ",
]
ODD_EVENTS = [
    "latest()",
    "latest(a, a)",
    "earliest(a,",
    "Contract_End",
    "latest(" + "a, " * 2000 + "b)",
    "contract_end; drop table",
]
ODD_DATES: list[Any] = [
    "0000-01-01",
    "2024-02-30",
    "10000-01-01",
    "9999-12-31",
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.datetime(2024, 3, 28, 12, 0),
    "28 mars 2024",
]
ODD_NUMBERS: list[Any] = [
    0,
    -1,
    2,
    10**30,
    -(10**30),
    1.5,
    1e308,
    float("inf"),
    float("nan"),
    True,
    False,
    None,
]
ODD_COUNTRIES = ["ZZ", "fr", "", "EU", "UK", "XK", "FRA", "F", "é"]
ODD_KEYS: list[Any] = [
    "unknown_key",
    "",
    "for",
    "label",
    "fr",
    "en",
    "xx",
    "a[b]",
    "\ud800",
    "k\x00",
    "k\u202e",
    "k" * 300,
    "${HOME}",
    "é",
    1,
    -1,
    True,
    None,
    1.5,
    dt.date(2024, 1, 1),
]

# Plain (unquoted) scalars YAML resolves to dates, numbers, booleans or null, some of them
# impossible (30 February, year 0, a 99-hour time zone), and explicit tags on odd values.
ODD_PLAIN = [
    "2024-02-30",
    "0000-01-01",
    "2024-13-01",
    "9999-12-31",
    "2024-03-28 25:00:00",
    "2024-03-28T12:00:00+99:00",
    "2024-03-28t12:00:00.123456789z",
    "190:20:30",
    "1e999",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "9" * 5000,
    "-0",
    "~",
    "null",
    "yes",
    "Off",
    "!!int abc",
    "!!float abc",
    "!!bool maybe",
    "!!timestamp yesterday",
    "!!binary AAE=",
    "!!binary '!!!'",
    "!!null x",
    "!!str 12",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/name:os.system",
    "!local thing",
    '"\\ud800"',
    '"\\0"',
    '"\\x1b[0m"',
    '"\\u202e"',
    '"\\uFFFE"',
    "&anchor value",
    "*missing",
    "[]",
    "{}",
    "''",
]

TEXT_INSERTS = [
    ":",
    "- ",
    "[",
    "{",
    "}",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!foo ",
    "<<: {}",
    "%TAG ! tag:x,2024:\n",
    "---\n",
    "...\n",
    "\t",
    "# ",
    "'",
    '"',
    "? ",
    "|\n",
    ">-\n",
    "~",
    "\\",
    "\x00",
    "\ufeff",
    "\x85",
    "\u2028",
]


# --- tree mutations --------------------------------------------------------------------------

Tree = Any
Slot = tuple[Any, Any]  # (container, key or index)


def _slots(tree: Tree) -> list[Slot]:
    """Every place in the tree a value sits, in document order."""
    found: list[Slot] = []
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                found.append((node, key))
                stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found.append((node, index))
                stack.append(value)
    return found


def _like(rng: random.Random, current: Any) -> Any:
    """An odd value of the same kind as ``current``: most still pass the schema."""
    if isinstance(current, bool):
        return rng.choice([not current, "yes", 1, None])
    if isinstance(current, int | float):
        return rng.choice(ODD_NUMBERS)
    if isinstance(current, dt.date):
        return rng.choice(ODD_DATES)
    if not isinstance(current, str):
        return rng.choice(ODD_STRINGS)
    if current.startswith("P") and current[1:2].isdigit():
        return rng.choice([*ODD_DURATIONS, "P200Y", "P2400M", "P73200D", "P10436W", "P1D"])
    if len(current) == 2 and current.isupper():
        return rng.choice(ODD_COUNTRIES)
    if current.replace("_", "").replace("-", "").isalnum() and current.islower():
        return rng.choice([*ODD_IDENTIFIERS, *ODD_EVENTS, current + "_x"])
    cut = rng.randrange(len(current) + 1)
    return rng.choice(
        [
            current[:cut] + rng.choice(ODD_STRINGS[:21]) + current[cut:],
            rng.choice(ODD_STRINGS),
            current * rng.choice([2, 100]),
        ]
    )


def _odd_value(rng: random.Random, tree: Tree, current: Any) -> Any:
    if current is not None and not isinstance(current, dict | list) and rng.random() < 0.5:
        return _like(rng, current)
    choice = rng.randrange(12)
    if choice == 0:
        return rng.choice(ODD_STRINGS)
    if choice == 1:
        return rng.choice(ODD_IDENTIFIERS)
    if choice == 2:
        return rng.choice(ODD_DURATIONS)
    if choice == 3:
        return rng.choice(ODD_EVENTS)
    if choice == 4:
        return rng.choice(ODD_DATES)
    if choice == 5:
        return rng.choice(ODD_NUMBERS)
    if choice == 6:
        return rng.choice(ODD_COUNTRIES)
    if choice == 7:
        return rng.choice([None, "", [], {}])
    if choice == 8:  # change the type: scalar ↔ list ↔ mapping
        if isinstance(current, dict):
            return rng.choice([list(current.values()), list(current), "scalar"])
        if isinstance(current, list):
            return rng.choice([current[0] if current else None, {"k": current}, {}])
        return rng.choice([[current], {"x": current}, {str(current)[:20]: current}])
    if choice == 9:  # a value from elsewhere in the registry
        slots = _slots(tree)
        container, key = rng.choice(slots)
        return copy.deepcopy(container[key])
    if choice == 10 and isinstance(current, str):  # a string with an odd part inside
        cut = rng.randrange(len(current) + 1)
        return current[:cut] + rng.choice(ODD_STRINGS[:20]) + current[cut:]
    return rng.choice(ODD_KEYS)


def _mutate_tree(rng: random.Random, tree: Tree) -> Tree:
    slots = _slots(tree)
    if not slots:
        return rng.choice([None, [], "text", {"gardien": 1}])
    container, key = rng.choice(slots)
    op = rng.randrange(6)
    if op == 0:  # delete
        del container[key]
    elif op == 1 and isinstance(container, dict):  # rename the key
        new_key = rng.choice(
            [*ODD_KEYS, *ODD_IDENTIFIERS, key.upper() if isinstance(key, str) else 2]
        )
        value = container.pop(key)
        container.setdefault(new_key, value)
    elif op == 2 and isinstance(container, dict):  # add an unknown or misplaced key
        container.setdefault(rng.choice(ODD_KEYS), _odd_value(rng, tree, None))
    elif op == 3:  # swap with a sibling
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        other = rng.choice(keys)
        container[key], container[other] = container[other], container[key]
    elif op == 4 and isinstance(container, list):  # duplicate an item
        container.insert(key, copy.deepcopy(container[key]))
    else:  # replace the value
        container[key] = _odd_value(rng, tree, container[key])
    return tree


def _dump(tree: Tree) -> str:
    # PyYAML writes what it cannot write raw (a lone surrogate, NUL) as an escape: "\ud800".
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=120)


# --- text mutations --------------------------------------------------------------------------


def _mutate_text(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    op = rng.randrange(9)
    index = rng.randrange(len(lines))
    if op == 0:
        del lines[index]
    elif op == 1:
        lines.insert(index, lines[index])
    elif op == 2:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    elif op == 3:
        lines[index] = rng.choice(["  ", " ", "\t", "    "]) + lines[index]
    elif op == 4:
        lines[index] = lines[index].lstrip()
    elif op == 5:
        return text[: rng.randrange(len(text) + 1)]
    elif op == 6 and ": " in lines[index]:  # a value replaced by an odd plain scalar
        key, _, _ = lines[index].partition(": ")
        lines[index] = f"{key}: {rng.choice(ODD_PLAIN)}"
    elif op == 6:
        line = lines[index]
        cut = rng.randrange(len(line) + 1)
        lines[index] = line[:cut] + rng.choice(TEXT_INSERTS) + line[cut:]
    elif op == 7:  # a value replaced by an odd plain scalar, wherever it is
        candidates = [i for i, line in enumerate(lines) if ": " in line or "- " in line]
        if candidates:
            index = rng.choice(candidates)
            sep = ": " if ": " in lines[index] else "- "
            head, _, _ = lines[index].partition(sep)
            lines[index] = f"{head}{sep}{rng.choice(ODD_PLAIN)}"
    else:  # a word replaced by another word of the file
        words = text.split()
        line = lines[index]
        parts = line.split(" ")
        if parts:
            parts[rng.randrange(len(parts))] = rng.choice(words)
        lines[index] = " ".join(parts)
    return "\n".join(lines)


# --- mutants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    seed: str  # the example's file name
    index: int
    operations: tuple[str, ...]
    data: bytes

    @property
    def name(self) -> str:
        return f"{Path(self.seed).stem}-{self.index:05d}"


def mutant(seed: Path, index: int) -> Mutant:
    """Mutant number ``index`` of the example ``seed``: always the same bytes."""
    rng = random.Random(f"{seed.name}:{index}")
    text = seed.read_text(encoding="utf-8")
    operations: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        if rng.random() < 0.55:
            try:  # the text may already be broken by an earlier mutation, in any way
                tree = yaml.safe_load(text)
                mutated = _dump(_mutate_tree(rng, tree)) if tree is not None else None
            except Exception:
                mutated = None
            if mutated is not None:
                text = mutated
                operations.append("tree")
                continue
        text = _mutate_text(rng, text)
        operations.append("text")
    data = text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.02:  # a few files that are not UTF-8 at all
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + rng.choice([b"\xff", b"\xc3", b"\xe9t\xe9", b"\x00\x00"]) + data[cut:]
        operations.append("bytes")
    return Mutant(seed.name, index, tuple(operations), data)


def mutants(count: int, seeds: list[Path] | None = None) -> Iterator[Mutant]:
    for seed in seeds or SEEDS:
        for index in range(count):
            yield mutant(seed, index)


# --- the oracle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # "clean", "findings", "refused" or "bug"
    detail: str = ""  # for a bug: the exception and where it was raised
    signature: str = ""  # for a bug: exception type and innermost gardien frame

    @property
    def is_bug(self) -> bool:
        return self.kind == "bug"


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if "/gardien/" in f.filename] or frames
    where = f"{Path(mine[-1].filename).name}:{mine[-1].lineno}" if mine else "?"
    if frames and frames[-1] is not mine[-1]:  # raised in a library: say where too
        where += f"<{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return f"{type(exc).__name__}@{where}"


def _bug(stage: str, exc: BaseException) -> Outcome:
    detail = f"{stage}: " + "".join(traceback.format_exception(exc)).strip()
    return Outcome("bug", detail, f"{stage}:{_signature(exc)}")


PUBLISHERS: list[tuple[str, Callable[[Any, str], bytes]]] = [
    ("notice-md", lambda r, lang: render_notice(r, lang, NoticeFormat.MD)),
    ("notice-html", lambda r, lang: render_notice(r, lang, NoticeFormat.HTML)),
    ("record-csv", lambda r, lang: render_record(r, lang, RecordFormat.CSV)),
    ("record-json", lambda r, lang: render_record(r, lang, RecordFormat.JSON)),
    ("record-xlsx", lambda r, lang: render_record(r, lang, RecordFormat.XLSX)),
]
PDF: tuple[str, Callable[[Any, str], bytes]] = (
    "notice-pdf",
    lambda r, lang: render_notice(r, lang, NoticeFormat.PDF),
)


def judge(path: Path, *, pdf: bool = False) -> Outcome:
    """What gardien does with the file at ``path``: an answer, or a bug."""
    try:
        report = check_path(path, ENVIRON)
        # What `gardien check` and `--json` write: UTF-8 text (a lone surrogate cannot be).
        for finding in report.findings:
            finding.render().encode("utf-8")
        json.dumps([f.as_json() for f in report.findings], ensure_ascii=False).encode("utf-8")
    except Exception as exc:
        return _bug("check", exc)
    failed = [f for f in report.findings if f.code == RULE_FAILED]
    if failed:  # the checker's last-resort net caught a rule's exception: still a bug
        return Outcome("bug", failed[0].render(), f"check:{failed[0].message.split(' (')[0]}")
    try:
        registry = load_registry(path, ENVIRON)
    except RegistryError:
        return Outcome("refused")
    except GardienError:
        return Outcome("refused")
    except Exception as exc:
        return _bug("load", exc)
    for name, publish in [*PUBLISHERS, *([PDF] if pdf else [])]:
        for lang in registry.languages:
            try:
                publish(registry, lang)
            except GardienError:
                pass
            except Exception as exc:
                return _bug(name, exc)
    return Outcome("findings" if report.findings else "clean")
