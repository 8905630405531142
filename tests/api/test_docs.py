"""docs/api.md shows the permission matrix of the code, row by row."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from gardien.api.routes import ROUTERS
from gardien.server.permissions import MATRIX, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_written_matrix_is_the_code_matrix() -> None:
    endpoints: dict[str, list[str]] = {}
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            permission = next(
                d.call.permission  # type: ignore[union-attr]
                for d in route.dependant.dependencies
                if hasattr(d.call, "permission")
            )
            for method in sorted(route.methods):
                endpoints.setdefault(permission, []).append(f"`{method} {route.path}`")
    text = DOC.read_text(encoding="utf-8")
    for permission, roles in MATRIX.items():
        marks = " | ".join("✓" if r in roles else "—" for r in Role)
        row = f"| `{permission.value}` | {', '.join(endpoints[permission])} | {marks} |"
        assert row in text, f"docs/api.md lacks or differs on: {row}"
