"""An auditor reads requests masked, on the API as in the back office: one masking per role
(``server.permissions.view_for``), so that neither shows what the other hides (issue 9 §2)."""

from __future__ import annotations

import html
import re

from gardien.server.permissions import Role
from tests.web.office.conftest import Office

EMAIL = "jeanne.martin@example.fr"
PHONE = "+33612345678"
TEXT = "Je souhaite corriger mon adresse: 12 rue des Lilas"
NEW_ADDRESS = "14 avenue Victor Hugo"


def _filed(office: Office) -> str:
    created = office.api.client.post(
        "/api/v1/requests",
        json={
            "kind": "rectification",
            "identity": {"email": EMAIL, "phone": PHONE},
            "text": TEXT,
            "fields": {"postal_address": NEW_ADDRESS},
            "send_code": False,
        },
        headers=office.api.headers(Role.AGENT),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["request"]["id"])


def _dd(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r"<dd>(.*?)</dd>", page, re.S)]


def test_the_auditor_sees_on_the_api_what_its_office_page_shows(office: Office) -> None:
    request_id = _filed(office)
    auditor = office.api.headers(Role.AUDITOR)
    shown = office.api.client.get(f"/api/v1/requests/{request_id}", headers=auditor).json()
    listed = office.api.client.get("/api/v1/requests", headers=auditor).json()
    page = office.as_role(Role.AUDITOR).get(f"/office/requests/{request_id}").text
    for secret in (EMAIL, PHONE, TEXT, NEW_ADDRESS):
        assert secret not in str(shown) and secret not in str(listed), secret
        assert secret not in html.unescape(page), secret
    # The same masked values on both.
    assert shown["identity"] == {"email": "j…@example.fr", "phone": "+33…78"}
    values = _dd(page)
    for masked in shown["identity"].values():  # the page adds how each one was proven
        assert any(v == masked or v.startswith(f"{masked} (") for v in values), masked
    assert shown["text"] == "***" and "***" in values
    assert shown["details"]["fields"] == {"postal_address": "***"}


def test_who_handles_the_request_reads_it_in_clear_on_both(office: Office) -> None:
    request_id = _filed(office)
    for role in (Role.AGENT, Role.DPO):
        shown = office.api.client.get(
            f"/api/v1/requests/{request_id}", headers=office.api.headers(role)
        ).json()
        assert shown["identity"] == {"email": EMAIL, "phone": PHONE}
        assert shown["text"] == TEXT
        page = html.unescape(office.as_role(role).get(f"/office/requests/{request_id}").text)
        assert EMAIL in page and PHONE in page and TEXT in page
