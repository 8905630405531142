"""Issue 5 §4, end to end in headless Chromium: a person files an access request on the portal,
confirms it with the code from the outbox, an agent signs in to the back office and runs it, the
person downloads the package. Screenshots: out/screenshots/e2e-*.png."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import Page

from gardien.server.permissions import Role
from gardien.store import accounts
from gardien.store.database import open_store
from tests.web.server import LiveServer

AGENT_PASSWORD = "correct horse battery staple"


def _client(live_server: LiveServer, email: str) -> dict[str, Any]:
    engine = sa.create_engine(live_server.systems_url)
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.text("SELECT id, last_name, first_name FROM client WHERE email = :e"),
                {"e": email},
            )
            .mappings()
            .one()
        )
    engine.dispose()
    return dict(row)


def test_access_request_from_the_portal_to_the_package(
    live_server: LiveServer,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
    axe: Callable[..., list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    email = live_server.a_client_email()
    person = _client(live_server, email)

    # 1. The person, on the portal, in French.
    visitor = new_page(locale="fr-FR")
    visitor.goto(live_server.url("/"))
    visitor.get_by_role("link", name="Exercer un droit").first.click()
    visitor.get_by_label("Accéder à mes données").check()
    visitor.get_by_label("Adresse e-mail").fill(email)
    screenshot(visitor, "e2e-1-portal-form")
    visitor.get_by_role("button", name="Envoyer la demande").click()
    status_url = visitor.url
    assert "/status/" in status_url
    visitor.get_by_label("Code reçu").fill(live_server.latest_code(email))
    visitor.get_by_role("button", name="Confirmer").click()
    assert "Identité confirmée" in visitor.locator("dl.facts").inner_text()
    screenshot(visitor, "e2e-2-portal-verified")

    # 2. The agent, in the back office.
    agent_name = live_server.staff[Role.AGENT].name
    engine = open_store(live_server.store_url)  # a password set is audited: the store's keys
    accounts.set_password(engine, live_server.clock, agent_name, AGENT_PASSWORD, actor="test")
    engine.dispose()
    agent = new_page(locale="fr-FR")
    agent.goto(live_server.url("/office"))
    assert "/office/login" in agent.url
    agent.get_by_label("Account name").fill(agent_name)
    agent.get_by_label("Password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    assert agent.url.rstrip("/").endswith("/office")
    rows = agent.locator("tbody tr")
    assert rows.count() == 1
    screenshot(agent, "e2e-3-office-queue")
    axe(agent)
    rows.first.get_by_role("link").click()
    assert "/office/requests/" in agent.url
    screenshot(agent, "e2e-4-office-request")
    agent.get_by_role("button", name="Run now").click()
    agent.wait_for_load_state()
    page_text = agent.locator("main").inner_text()
    assert "completed" in page_text.lower() or "traitée" in page_text.lower()
    screenshot(agent, "e2e-5-office-request-done")

    # 3. The person comes back to the status page and downloads the answer.
    visitor.goto(status_url.split("?")[0])
    assert "Nous avons répondu à votre demande" in visitor.locator("main").inner_text()
    screenshot(visitor, "e2e-6-portal-answered")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Télécharger la réponse (archive ZIP)").click()
    saved = tmp_path / "answer.zip"
    download_info.value.save_as(saved)
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    names = archive.namelist()
    assert any(name.endswith(".json") for name in names)
    everything = "\n".join(
        archive.read(name).decode("utf-8", "replace")
        for name in names
        if name.endswith((".json", ".csv", ".html"))
    )
    assert email in everything
    assert person["last_name"] in everything
    # nothing of another person: no other address of the systems is in the package
    engine = sa.create_engine(live_server.systems_url)
    with engine.connect() as conn:
        others = (
            conn.execute(
                sa.text("SELECT email FROM client WHERE email IS NOT NULL AND email <> :e"),
                {"e": email},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert others
    assert not [other for other in others if other in everything]
