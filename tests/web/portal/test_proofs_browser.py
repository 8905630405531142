"""Issue 9 §1 in headless Chromium: a person files an access request with their own e-mail and
somebody else's phone, confirms the code, and the answer holds nothing of that somebody: the
status page says the phone was not searched. Screenshot: out/screenshots/portal-not-searched.png."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa
from playwright.sync_api import Page

from gardien.server.permissions import Role
from tests.web.server import LiveServer

OWN_EMAIL = "mallory@evil.example"


def test_a_confirmed_code_does_not_open_someone_elses_phone(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(live_server.systems_url)
    with engine.connect() as conn:
        victim = (
            conn.execute(
                sa.text(
                    "SELECT phone, last_name, email FROM client WHERE phone IS NOT NULL "
                    "AND email IS NOT NULL ORDER BY id"
                )
            )
            .mappings()
            .first()
        )
    engine.dispose()
    assert victim is not None

    page = new_page(locale="en-GB")
    page.goto(live_server.url("/request?lang=en"))
    page.get_by_label("See my data (access)").check()
    page.get_by_label("E-mail address").fill(OWN_EMAIL)
    page.get_by_label("Phone number").fill(victim["phone"])
    page.get_by_role("button", name="Send the request").click()
    status_url = page.url.split("?")[0]
    page.get_by_label("Code received").fill(live_server.latest_code(OWN_EMAIL))
    page.get_by_role("button", name="Confirm").click()
    assert "Identity confirmed" in page.locator("dl.facts").inner_text()
    request_id = page.locator("dl.facts code").inner_text().strip()

    ran = httpx.post(
        live_server.url(f"/api/v1/requests/{request_id}/run"),
        headers=live_server.headers(Role.DPO),
        json={"pdf": False},
        timeout=30,
    )
    assert ran.status_code == 200, ran.text

    page.goto(status_url + "?lang=en")
    said = page.locator("#not-searched").inner_text()
    assert "We did not search for data using: Phone number" in said
    main = page.locator("main").inner_text()
    assert victim["phone"] not in main and victim["last_name"] not in main
    screenshot(page, "portal-not-searched")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    saved = tmp_path / "answer.zip"
    download_info.value.save_as(saved)
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    everything = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for value in (victim["phone"], victim["last_name"], victim["email"]):
        assert value not in everything
    assert "pas recherché de données à partir des identifiants suivants" in everything
