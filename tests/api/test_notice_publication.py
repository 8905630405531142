"""Issue 11 §1 over HTTP: the API and the portal give only a publishable notice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gardien.roles import Role
from tests.api.conftest import EXAMPLE, Api, build_api


@pytest.fixture
def undated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """ima-protect without its notice date: `check` only warns (GD105), but the notice would
    print "date of last update not provided"."""
    lines = EXAMPLE.read_text("utf-8").splitlines()
    kept = [line for line in lines if not line.strip().startswith("date:")]
    assert len(kept) == len(lines) - 1
    registry = tmp_path / "undated.yaml"
    registry.write_text("\n".join(kept) + "\n", "utf-8")
    yield from build_api(
        tmp_path,
        monkeypatch,
        f"sqlite:///{tmp_path / 'gardien.db'}",
        f"sqlite:///{tmp_path / 'systems.db'}",
        example=registry,
    )


def test_the_api_refuses_a_notice_that_cannot_be_published(undated: Api) -> None:
    auditor = undated.headers(Role.AUDITOR)
    refused = undated.client.get("/api/v1/notice", params={"lang": "fr"}, headers=auditor)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "notice_not_publishable"
    assert any("controller.notice.date" in line for line in error["details"]["blocking"])


def test_the_api_gives_the_draft_when_asked(undated: Api) -> None:
    auditor = undated.headers(Role.AUDITOR)
    draft = undated.client.get(
        "/api/v1/notice", params={"lang": "en", "draft": "true"}, headers=auditor
    )
    assert draft.status_code == 200
    assert draft.text.startswith("> **DRAFT — not for publication**")


def test_the_portal_says_the_notice_is_being_updated_and_shows_no_draft(undated: Api) -> None:
    page = undated.client.get("/notice", params={"lang": "fr"})
    assert page.status_code == 503
    assert "en cours de mise à jour" in page.text
    assert "non renseignée" not in page.text and "PROJET" not in page.text


def test_the_portal_shows_a_publishable_notice(api: Api) -> None:
    page = api.client.get("/notice", params={"lang": "fr"})
    assert page.status_code == 200
    assert "Politique de protection des données" in page.text
