"""docs/back-office.md shows the pages' permissions as the code has them, row by row."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from gardien.server.permissions import MATRIX, Permission, Role
from gardien.web.office import PARTS

DOC = Path(__file__).resolve().parents[3] / "docs" / "back-office.md"


def test_the_written_table_is_the_code() -> None:
    pages: dict[Permission, list[str]] = {}
    for route in (r for part in PARTS for r in part.routes):
        assert isinstance(route, APIRoute)
        permission = next(
            (
                d.call.permission  # type: ignore[union-attr]
                for d in route.dependant.dependencies
                if hasattr(d.call, "permission")
            ),
            None,
        )
        if permission is None:  # sign in and out
            continue
        for method in sorted(route.methods or ()):
            pages.setdefault(permission, []).append(f"`{method} {route.path}`")
    text = DOC.read_text(encoding="utf-8")
    for permission, paths in pages.items():
        marks = " | ".join("✓" if r in MATRIX[permission] else "—" for r in Role)
        row = f"| `{permission.value}` | {', '.join(paths)} | {marks} |"
        assert row in text, f"docs/back-office.md lacks or differs on: {row}"
    rows = [line for line in text.splitlines() if line.startswith("| `") and "/office" in line]
    assert len(rows) == len(pages)
