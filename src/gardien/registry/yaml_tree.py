"""Building plain values from YAML events, with their positions, within the registry's limits.

PyYAML's composer and constructor recurse once per nesting level, and a value built from a
node graph copies an aliased node at each use: a few hundred bytes of nesting or of aliases of
aliases ("billion laughs") exhaust the stack or the memory. This builder reads the parser's
events with an explicit stack, counts values as aliases expand them, and stops at the first
limit (``gardien.registry.limits``) with a finding at the line that reached it.

It also refuses what YAML can build but a registry cannot hold, each at its line: merge keys,
keys that are lists or mappings, duplicate keys, tags other than the plain scalar ones,
impossible dates or numbers (30 February, year 0), texts over the size limit, and strings
holding control characters, lone surrogates or non-characters, which YAML lets a double-quoted
escape write ("\\0", "\\x1b", "\\ud800") but no notice, record or spreadsheet can print.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from gardien.registry.findings import Finding, Position, Severity
from gardien.registry.limits import MAX_DEPTH, MAX_TEXT_CHARS, MAX_VALUES
from gardien.registry.source_map import PathKey, SourceMap

_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = f"{_TAG}map", f"{_TAG}seq", f"{_TAG}str"
# Tags YAML resolves plain scalars to; '<<' and '=' stay text (a '<<' key is refused below).
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_TEXT_TAGS = {f"{_TAG}merge", f"{_TAG}value"}
_MERGE = f"{_TAG}merge"
# What a double-quoted escape can put in a string and no output format can carry: C0 and C1
# controls except tab, line feed and carriage return; lone surrogates; U+FFFE and U+FFFF
# (XML, hence XLSX and the HTML/PDF notice, refuses them; UTF-8 cannot encode a surrogate).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL"}


def describe_character(char: str) -> str:
    """``U+0000 (NUL)``, ``a lone surrogate U+D800``: a character named without printing it."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X}"
    if code in (0xFFFE, 0xFFFF):
        return f"the non-character U+{code:04X}"
    name = _CONTROL_NAMES.get(code)
    return f"the control character U+{code:04X}" + (f" ({name})" if name else "")


class Mark(Protocol):
    """Where an event starts: PyYAML's and libyaml's marks both have these (0-based)."""

    line: int
    column: int


def position(file: str, mark: Mark | None) -> Position:
    if mark is None:
        return Position(file=file, line=1, column=1)
    return Position(file=file, line=mark.line + 1, column=mark.column + 1)


class _Stop(Exception):
    """A limit was reached: building stops, the finding says which."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding


_SKIP = object()  # a refused key: its value is read (to keep going) and dropped


@dataclass
class _Open:
    """A mapping or list being built."""

    value: dict[Any, Any] | list[Any]
    path: PathKey | None  # None: not recorded (a key, or the value of a refused key)
    anchor: str | None
    counted_at: int  # values counted before it: its expanded size is known at its end
    tag: str
    mark: Mark | None
    expect_key: bool = True
    key: Any = _SKIP
    first_seen: dict[Any, Position] = field(default_factory=dict)


@dataclass
class Tree:
    data: Any
    source: SourceMap
    findings: list[Finding]
    values: int  # values read, aliases expanded


class _Builder:
    def __init__(self, file: str, budget: int) -> None:
        self.file = file
        self.budget = budget
        self.source = SourceMap()
        self.findings: list[Finding] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.count = 0
        self.root: Any = None
        self._loader = yaml.SafeLoader("")  # its resolver and scalar constructors

    # --- findings ----------------------------------------------------------------------

    def _error(self, code: str, message: str, mark: Mark | None, hint: str | None = None) -> None:
        self.findings.append(
            Finding.at(code, Severity.ERROR, message, position(self.file, mark), hint=hint)
        )

    def _count(self, values: int, mark: Mark | None) -> None:
        self.count += values
        if self.count > self.budget:
            raise _Stop(
                Finding.at(
                    "GD001",
                    Severity.ERROR,
                    f"the registry holds more than {MAX_VALUES:,} values (keys and items, "
                    f"each alias counted as what it repeats; the limit is {MAX_VALUES:,}): "
                    "reading stops here",
                    position(self.file, mark),
                    hint="a registry is written by people: check that this is the right file, "
                    "and what its aliases (*name) repeat",
                )
            )

    # --- where the next value goes -----------------------------------------------------

    def _slot(self, mark: Mark | None) -> PathKey | None:
        """The path of a value starting at ``mark``; records its position when it is an item."""
        if not self.stack:
            self.source.record((), position(self.file, mark))
            return ()
        top = self.stack[-1]
        if top.path is None:
            return None
        if isinstance(top.value, list):
            path: PathKey = (*top.path, len(top.value))
            self.source.record(path, position(self.file, mark))
            return path
        if top.expect_key or top.key is _SKIP:
            return None
        return (*top.path, top.key)  # its position is its key's, recorded with the key

    def _complete(self, value: Any, tag: str, mark: Mark | None) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.expect_key:
            top.key = self._key(top, value, tag, mark)
            top.expect_key = False
        else:
            if top.key is not _SKIP:
                top.value[top.key] = value
            top.expect_key = True

    def _key(self, mapping: _Open, key: Any, tag: str, mark: Mark | None) -> Any:
        if tag == _MERGE:
            self._error(
                "GD007",
                "YAML merge keys (<<) are not supported in a registry",
                mark,
                hint="write the keys out; a registry is read by people and auditors",
            )
            return _SKIP
        if isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str | int):
            kind = _kind(key)
            self._error("GD001", f"a mapping key must be a plain word, not {kind}", mark)
            return _SKIP
        where = position(self.file, mark)
        assert isinstance(mapping.value, dict)
        if key in mapping.first_seen:
            self.findings.append(
                Finding.at(
                    "GD007",
                    Severity.ERROR,
                    f"key {_shown(key)} appears twice in the same mapping "
                    f"(first at line {mapping.first_seen[key].line})",
                    where,
                    hint="YAML keeps only the last one; merge the two entries",
                )
            )
            return _SKIP
        mapping.first_seen[key] = where
        if mapping.path is not None:
            self.source.record((*mapping.path, key), where)
        return key

    # --- values --------------------------------------------------------------------------

    def _scalar(self, event: yaml.ScalarEvent) -> tuple[Any, str]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._loader.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit
            )
        if tag in _TEXT_TAGS:
            return event.value, tag
        if tag not in _SCALAR_TAGS:
            self._error(
                "GD001",
                f"the YAML tag {_shown(tag.replace(_TAG, '!!'))} is not supported in a registry",
                event.start_mark,
                hint="write the value without a tag: texts, numbers, true/false, dates",
            )
            return None, _STR
        if len(event.value) > MAX_TEXT_CHARS:
            self._error(
                "GD001",
                f"this value is {len(event.value):,} characters long; a registry text is at "
                f"most {MAX_TEXT_CHARS:,}",
                event.start_mark,
                hint="a notice states its purposes in a few sentences; link to longer documents",
            )
            return "", _STR
        # No marks on the node: the constructor's errors are caught below, with the event's.
        node = yaml.ScalarNode(tag, event.value, None, None, event.style)
        constructor = self._loader.yaml_constructors[tag]
        try:
            value = constructor(self._loader, node)
        except (yaml.YAMLError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            # PyYAML builds dates and numbers with Python's types, which refuse 30 February,
            # year 0, a 99-hour time zone or a 5,000-digit number with these exceptions, and
            # an explicit tag on a word (!!bool maybe) with KeyError or AttributeError.
            reason = str(exc) if isinstance(exc, ValueError) else ""
            if tag == f"{_TAG}int" and len(event.value) > 40:
                reason = f"{len(event.value):,} digits"
            self._error(
                "GD001",
                f"{_shown(event.value)} cannot be read as {_kind_of_tag(tag)}"
                + (f" ({reason})" if 0 < len(reason) <= 80 else ""),
                event.start_mark,
                hint="quote it to write a text, or correct the date or number",
            )
            return None, tag
        if isinstance(value, str):
            self._check_characters(value, event.start_mark)
        return value, tag

    def _check_characters(self, text: str, mark: Mark | None) -> None:
        bad = _UNPRINTABLE.search(text)
        if bad is not None:
            top = self.stack[-1] if self.stack else None
            what = "key" if top and isinstance(top.value, dict) and top.expect_key else "text"
            self._error(
                "GD001",
                f"this {what} holds {describe_character(bad.group())} at character "
                f"{bad.start() + 1}, which no notice, record or spreadsheet can hold",
                mark,
                hint="remove the escape (\\0, \\x1b, \\ud800…) from the double-quoted text",
            )

    def _start(self, event: yaml.CollectionStartEvent, kind: str) -> None:
        path = self._slot(event.start_mark)
        if event.tag not in (None, "!", kind):
            self._error(
                "GD001",
                f"the YAML tag {_shown(event.tag.replace(_TAG, '!!'))} is not supported in a "
                "registry",
                event.start_mark,
                hint="write a plain mapping or list, without a tag",
            )
        self._count(1, event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            raise _Stop(
                Finding.at(
                    "GD001",
                    Severity.ERROR,
                    f"the YAML nests deeper than {MAX_DEPTH} levels (the limit is {MAX_DEPTH}; "
                    "a registry needs fewer than ten); reading stops here",
                    position(self.file, event.start_mark),
                )
            )
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(
            _Open(
                {} if kind == _MAP else [],
                path,
                event.anchor,
                self.count - 1,
                kind,
                event.start_mark,
            )
        )

    def _end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.count - frame.counted_at)
            self.open_anchors.discard(frame.anchor)
        self._complete(frame.value, frame.tag, frame.mark)

    def _alias(self, event: yaml.AliasEvent) -> None:
        self._slot(event.start_mark)
        anchor = event.anchor
        if anchor in self.anchors:
            value, size = self.anchors[anchor]
            self._count(size, event.start_mark)
            # A copy, as PyYAML gives: the loader later fills in ${VAR} in place.
            self._complete(copy.deepcopy(value), _STR, event.start_mark)
            return
        if anchor in self.open_anchors:
            message = f"the alias *{anchor} is inside the value it refers to: a registry cannot be recursive"
        else:
            message = f"the alias *{anchor} refers to no anchor &{anchor} above it"
        self._error("GD001", message, event.start_mark)
        self._complete(None, _STR, event.start_mark)

    def build(self, events: Iterable[yaml.Event]) -> None:
        documents = 0
        for event in events:
            if isinstance(event, yaml.ScalarEvent):
                self._slot(event.start_mark)
                self._count(1, event.start_mark)
                value, tag = self._scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                self._complete(value, tag, event.start_mark)
            elif isinstance(event, yaml.MappingStartEvent):
                self._start(event, _MAP)
            elif isinstance(event, yaml.SequenceStartEvent):
                self._start(event, _SEQ)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self._end()
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Stop(
                        Finding.at(
                            "GD001",
                            Severity.ERROR,
                            "a second YAML document starts here: a registry file holds one",
                            position(self.file, event.start_mark),
                            hint="remove the '---' line, or split the registry into files",
                        )
                    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    if isinstance(value, float):
        return "a number with a decimal point"
    if isinstance(value, dt.date):
        return "a date"
    return f"a {type(value).__name__}"


def _kind_of_tag(tag: str) -> str:
    kinds = {"int": "a whole number", "float": "a number", "bool": "true or false"}
    kinds |= {"timestamp": "a date", "null": "an empty value", "str": "a text"}
    return kinds.get(tag.replace(_TAG, ""), tag)


def _shown(value: Any, limit: int = 60) -> str:
    """A value for a message: quoted, escaped (no control character reaches a terminal), short."""
    text = value if isinstance(value, str) else str(value)
    shown = ascii(text[:limit]) if _UNPRINTABLE.search(text[:limit]) else repr(text[:limit])
    return shown + ("…" if len(text) > limit else "")


def build_tree(events: Iterable[yaml.Event], file: str, budget: int = MAX_VALUES) -> Tree:
    """Plain values and positions from ``events``; YAML errors propagate to the caller."""
    builder = _Builder(file, budget)
    try:
        builder.build(events)
    except _Stop as stop:
        return Tree(None, builder.source, [*builder.findings, stop.finding], builder.count)
    return Tree(builder.root, builder.source, builder.findings, builder.count)
