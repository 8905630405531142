"""The real app for portal tests: the ima-protect example, synthetic systems, an outbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, build_api

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
STATUS_LINK = re.compile(r"/status/([A-Za-z0-9_-]{43})")
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    yield from build_api(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
    )


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def last_code(outbox: Path) -> str:
    messages = sorted(outbox.rglob("*"), key=lambda p: p.stat().st_mtime)
    files = [m for m in messages if m.is_file()]
    assert files, "no message in the outbox"
    match = CODE.search(files[-1].read_text("utf-8"))
    assert match, f"no code in {files[-1]}"
    return match.group(1)
