"""Reading YAML while remembering where every key and item came from.

PyYAML's composer gives nodes with marks; we build plain Python values from them and a
``SourceMap`` from the path of each value (``("activities", "contract", "legal_basis")``) to
its file, line and column. Pydantic's error locations and the checker's rules are paths too,
so every problem can be reported at ``file:line:column``.

Duplicate keys are an error here: YAML libraries silently keep the last one, which would let
a DPO declare an activity twice and publish only one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gardien.registry.findings import Finding, Position, Severity

PathKey = tuple[str | int, ...]


@dataclass
class SourceMap:
    positions: dict[PathKey, Position] = field(default_factory=dict)

    def record(self, path: PathKey, position: Position) -> None:
        self.positions.setdefault(path, position)

    def locate(self, path: Iterable[str | int]) -> Position | None:
        """The position of ``path``, or of its nearest recorded ancestor."""
        key = tuple(path)
        while key:
            if key in self.positions:
                return self.positions[key]
            key = key[:-1]
        return self.positions.get(())

    def merge(self, other: SourceMap) -> None:
        for path, pos in other.positions.items():
            self.record(path, pos)


@dataclass
class YamlDocument:
    data: Any
    source: SourceMap
    findings: list[Finding]


def _position(file: str, mark: yaml.Mark) -> Position:
    return Position(file=file, line=mark.line + 1, column=mark.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.source = SourceMap()
        self.findings: list[Finding] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first_seen: dict[Any, Position] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.findings.append(
                        Finding.at(
                            "GD007",
                            Severity.ERROR,
                            "YAML merge keys (<<) are not supported in a registry",
                            _position(self.file, key_node.start_mark),
                            hint="write the keys out; a registry is read by people and auditors",
                        )
                    )
                    continue
                key = self.build(key_node, path)
                if not isinstance(key, str | int | bool):
                    self.findings.append(
                        Finding.at(
                            "GD001",
                            Severity.ERROR,
                            "a mapping key must be a plain word, not a list or a mapping",
                            _position(self.file, key_node.start_mark),
                        )
                    )
                    continue
                key = str(key) if not isinstance(key, int) or isinstance(key, bool) else key
                key_pos = _position(self.file, key_node.start_mark)
                if key in result:
                    self.findings.append(
                        Finding.at(
                            "GD007",
                            Severity.ERROR,
                            f"key {key!r} appears twice in the same mapping "
                            f"(first at line {first_seen[key].line})",
                            key_pos,
                            hint="YAML keeps only the last one; merge the two entries",
                        )
                    )
                    continue
                first_seen[key] = key_pos
                self.source.record((*path, key), key_pos)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.source.record((*path, index), _position(self.file, item.start_mark))
                items.append(self.build(item, (*path, index)))
            return items
        return self._constructor.construct_object(node, deep=True)


def read_yaml(path: Path, display_name: str | None = None) -> YamlDocument:
    """Read one YAML file; a syntax error becomes a finding, never an exception."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        finding = Finding(
            "GD001", Severity.ERROR, f"the file is not UTF-8 text ({exc.reason})", file=name
        )
        return YamlDocument(None, SourceMap(), [finding])
    except OSError as exc:
        finding = Finding("GD008", Severity.ERROR, f"cannot read the file: {exc.strerror}", name)
        return YamlDocument(None, SourceMap(), [finding])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "malformed YAML"
        context = f" ({exc.context})" if exc.context else ""
        position = _position(name, mark) if mark else Position(name, 1, 1)
        finding = Finding.at(
            "GD001",
            Severity.ERROR,
            f"malformed YAML: {problem}{context}",
            position,
            hint="check indentation, colons and quotes around this line",
        )
        return YamlDocument(None, SourceMap(), [finding])
    except yaml.YAMLError as exc:
        finding = Finding("GD001", Severity.ERROR, f"malformed YAML: {exc}", file=name)
        return YamlDocument(None, SourceMap(), [finding])
    if node is None:
        return YamlDocument(None, SourceMap(), [])
    builder = _Builder(name)
    builder.source.record((), _position(name, node.start_mark))
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        position = _position(name, mark) if mark else Position(name, 1, 1)
        finding = Finding.at(
            "GD001", Severity.ERROR, f"unsupported YAML value: {exc.problem}", position
        )
        return YamlDocument(None, builder.source, [*builder.findings, finding])
    return YamlDocument(data, builder.source, builder.findings)
