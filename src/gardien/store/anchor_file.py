"""The anchor file: the audit trail's heads, one JSON line each, appended, never rewritten.

It belongs on storage that whoever can write to the store cannot rewrite: another host or
mount, an append-only file (``chattr +a``), a write-once bucket (docs/audit.md). gardien only
ever opens it to append, and flushes each line to disk before it says the anchor is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from gardien.audit.anchors import Anchor, to_line


def append(path: Path, anchor: Anchor) -> None:
    """Append one anchor line and force it to disk (raises OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(to_line(anchor))
        file.flush()
        os.fsync(file.fileno())


def lines(path: Path) -> list[tuple[int, str]]:
    """The complete lines (number from 1, text), none when the file does not exist yet.

    A last line without its newline is a write cut short (the process died mid-line): it is
    not an anchor, and it is skipped rather than failing every verification afterwards.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = text.split("\n")
    complete = found[:-1]  # the part after the last newline is empty or cut short
    return [(number, line) for number, line in enumerate(complete, 1) if line.strip()]
