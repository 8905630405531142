"""Reading one registry file while remembering where every key and item came from.

The file is read within the limits of ``gardien.registry.limits``: only a regular file (a FIFO
or a device would block or never end), its size checked before reading and no more than the
limit ever read. The text is parsed into YAML events (libyaml when PyYAML has it, ten times
faster than the pure-Python parser, with the same events) and built into plain Python values
and a ``SourceMap`` by ``gardien.registry.yaml_tree``, without recursion and counting values as
aliases expand them.

Duplicate keys are an error here: YAML libraries silently keep the last one, which would let
a DPO declare an activity twice and publish only one of them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gardien.registry.findings import Finding, Position, Severity
from gardien.registry.limits import MAX_FILE_BYTES, MAX_VALUES
from gardien.registry.source_map import PathKey, SourceMap
from gardien.registry.yaml_tree import build_tree, describe_character, position

__all__ = ["PathKey", "SourceMap", "YamlDocument", "read_yaml"]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Characters YAML does not allow in a file at all (it can still write most of them escaped).
_NOT_IN_YAML = yaml.reader.Reader.NON_PRINTABLE


@dataclass
class YamlDocument:
    data: Any
    source: SourceMap
    findings: list[Finding]
    values: int = 0  # values read, aliases expanded (the directory's budget is shared)


def _refused(finding: Finding) -> YamlDocument:
    return YamlDocument(None, SourceMap(), [finding])


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def read_bytes(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes | Finding:
    """The bytes of a regular file of at most ``limit`` bytes, or the finding that refuses it."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return Finding("GD008", Severity.ERROR, f"cannot read the file: {exc.strerror}", name)
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return Finding("GD008", Severity.ERROR, "is a directory, not a registry file", name)
        if not stat.S_ISREG(info.st_mode):
            return Finding(
                "GD008",
                Severity.ERROR,
                "is not a regular file (a FIFO, a device or a socket): a registry is a .yaml file",
                name,
            )
        too_big = Finding(
            "GD008",
            Severity.ERROR,
            f"the file is larger than {_mebibytes(limit)}, the limit for a registry file "
            f"(it is {_mebibytes(max(info.st_size, limit + 1))})",
            name,
            hint="a registry is written by people: check that this is the right file",
        )
        if info.st_size > limit:
            return too_big
        try:
            data = file.read(limit + 1)  # the file may grow between stat and read
        except OSError as exc:
            return Finding("GD008", Severity.ERROR, f"cannot read the file: {exc.strerror}", name)
    return too_big if len(data) > limit else data


def _decode(data: bytes, name: str) -> str | Finding:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return Finding(
            "GD001",
            Severity.ERROR,
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            name,
            line,
            column,
            hint="save the file as UTF-8",
        )
    bad = _NOT_IN_YAML.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return Finding(
            "GD001",
            Severity.ERROR,
            f"the file holds {describe_character(bad.group())}, which YAML does not allow "
            "in a file",
            name,
            line,
            column,
            hint="remove it; is this a text file?",
        )
    return text


def read_yaml(
    path: Path, display_name: str | None = None, *, budget: int = MAX_VALUES
) -> YamlDocument:
    """Read one YAML file; every problem becomes a finding, never an exception.

    ``budget`` is how many values (aliases expanded) the file may still hold: a directory
    registry shares ``MAX_VALUES`` between its files.
    """
    name = display_name or str(path)
    data = read_bytes(path, name)
    if isinstance(data, Finding):
        return _refused(data)
    text = _decode(data, name)
    if isinstance(text, Finding):
        return _refused(text)
    try:
        tree = build_tree(yaml.parse(text, Loader=_LOADER), name, budget)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "malformed YAML"
        context = f" ({exc.context})" if exc.context else ""
        where = position(name, mark) if mark else Position(name, 1, 1)
        return _refused(
            Finding.at(
                "GD001",
                Severity.ERROR,
                f"malformed YAML: {problem}{context}",
                where,
                hint="check indentation, colons and quotes around this line",
            )
        )
    except yaml.YAMLError as exc:
        return _refused(Finding("GD001", Severity.ERROR, f"malformed YAML: {exc}", file=name))
    return YamlDocument(tree.data, tree.source, tree.findings, tree.values)
