"""Where every value of a registry was written: a path (``("activities", "contract",
"legal_basis")``) to its file, line and column.

Pydantic's error locations and the checker's rules are paths too, so every problem can be
reported at ``file:line:column``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gardien.registry.findings import Position

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
