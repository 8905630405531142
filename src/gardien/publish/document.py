"""A notice as a small document: sections of paragraphs, lists, definitions and tables.

Every string is plain text, already worded in the notice's language; the templates add the
markup (and the escaping) of Markdown or HTML. Keeping the structure here lets both formats
say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """A label and its value, one or several lines (a contact's e-mail, address…)."""

    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Definitions:
    kind: ClassVar[str] = "definitions"
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Cell:
    """A table cell: one or several paragraphs."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    style: str = ""  # a class name for the stylesheet: "retention", "recipients", "transfers"


@dataclass(frozen=True)
class Subsection:
    kind: ClassVar[str] = "subsection"
    title: str
    blocks: tuple[Block, ...]


Block = Paragraph | Bullets | Definitions | Table | Subsection


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Draft:
    """A notice that may not be published: marked on every page, why listed on top."""

    label: str  # "DRAFT — not for publication"
    intro: str
    blocking: tuple[str, ...]


@dataclass(frozen=True)
class NoticeDocument:
    lang: str
    controller: str
    title: str
    version_line: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    contents_label: str = ""
    colon: str = ":"  # "\u00a0:" in French typography
    # registry keys the notice needed and did not have, shown as "not provided": while there
    # is one the notice is a draft (issue 11 §1, ``publish.publication``)
    gaps: tuple[str, ...] = ()
    draft: Draft | None = None
