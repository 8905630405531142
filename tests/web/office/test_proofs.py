"""Issue 9 §1 in the back office: a request filed by staff names the person's e-mail and
somebody else's phone; the agent attests the e-mail only, and the run finds nothing through
the phone, which the page shows as not proven; attesting the phone too reaches its rows."""

from __future__ import annotations

import sqlalchemy as sa

from gardien.server.permissions import Role
from tests.web.office.conftest import Office
from tests.web.office.test_actions import alert

OWN_EMAIL = "mallory@evil.example"


def victim_phone(office: Office) -> str:
    engine = sa.create_engine(office.api.systems_url)
    with engine.connect() as conn:
        phone = conn.execute(
            sa.text("SELECT phone FROM client WHERE phone IS NOT NULL ORDER BY id LIMIT 1")
        ).scalar_one()
    engine.dispose()
    return str(phone)


def filed(office: Office, phone: str) -> str:
    response = office.api.client.post(
        "/api/v1/requests",
        json={
            "kind": "access",
            "identity": {"email": OWN_EMAIL, "phone": phone},
            "send_code": False,
        },
        headers=office.api.headers(Role.DPO),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["request"]["id"])


def attest(office: Office, request_id: str, *kinds: str) -> str:
    agent = office.as_role(Role.AGENT)
    token = office.token(agent, f"/office/requests/{request_id}")
    response = agent.post(
        f"/office/requests/{request_id}/attest",
        data={
            "csrf_token": token, "attestation": "passport checked by A. Martin",
            "identifiers_listed": "1", "identifiers": list(kinds),
        },
    )  # fmt: skip
    if response.status_code == 422:  # refused: the page again, with the message
        return str(response.text)
    assert response.status_code == 303, response.text
    return agent.get(f"/office/requests/{request_id}").text


def run(office: Office, request_id: str) -> str:
    agent = office.as_role(Role.AGENT)
    token = office.token(agent, f"/office/requests/{request_id}")
    agent.post(f"/office/requests/{request_id}/run", data={"csrf_token": token})
    return agent.get(f"/office/requests/{request_id}").text


def test_an_identifier_the_agent_did_not_attest_is_not_searched(office: Office) -> None:
    phone = victim_phone(office)
    request_id = filed(office, phone)
    page = office.as_role(Role.AGENT).get(f"/office/requests/{request_id}").text
    assert page.count("not proven: not searched") == 2  # staff filing proves nothing

    page = attest(office, request_id, "email")
    assert alert(page) == "ok: Identity verified by attestation: email."
    assert "attested by office:" in page and page.count("not proven: not searched") == 1
    assert "Verify identity" in page  # the phone can still be attested
    page = run(office, request_id)
    assert "not searched: phone (not proven)" in alert(page)
    assert "<td>crm</td><td>client</td>" not in page

    second = filed(office, phone)
    attest(office, second, "email", "phone")
    page = run(office, second)
    assert "<td>crm</td><td>client</td>" in page and "not searched" not in alert(page)


def test_unticking_every_identifier_attests_none(office: Office) -> None:
    request_id = filed(office, victim_phone(office))
    page = attest(office, request_id)
    assert "tick the identifiers the checked document proves" in alert(page)
    assert page.count("not proven: not searched") == 2
