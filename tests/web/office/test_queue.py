"""The request queue: by the deadline in force, open requests first, overdue rows red and rows
due within 7 days yellow (at a fixed 'now'), filters, and identities masked."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from gardien.clock import FixedClock
from gardien.jobs import filing
from gardien.jobs import requests as jobs
from gardien.registry.loader import load_registry
from gardien.requests.kinds import RequestKind
from gardien.server.permissions import Role
from gardien.store.database import open_store
from tests.api.conftest import EXAMPLE, NOW
from tests.web.office.conftest import Office

ROW = re.compile(
    r'<tr(?: class="(?P<css>[^"]+)")?>\s*<td><a href="/office/requests/(?P<id>[0-9a-f-]+)">'
    r"(?P<rest>.*?)</tr>",
    re.S,
)


def rows(html: str) -> list[tuple[str, str, str]]:
    """(request id, row class, row text) in the order shown."""
    return [
        (m["id"], m["css"] or "", re.sub(r"<[^>]+>", " ", m["rest"])) for m in ROW.finditer(html)
    ]


@pytest.fixture
def queue(office: Office) -> dict[str, str]:
    """Requests received at different dates; ``NOW`` is 2026-11-22 (a Sunday)."""
    engine = open_store(office.api.store_url)
    clock = FixedClock(NOW)
    registry = load_registry(EXAMPLE)

    def received(day: str, kind: RequestKind = RequestKind.ACCESS, **identity: str) -> str:
        request = filing.submit(
            engine,
            clock,
            actor="test",
            kind=kind,
            identity=identity or {"email": "jeanne.martin@example.fr"},
            registry=registry,
            received_at=datetime.fromisoformat(f"{day}T09:00:00+00:00"),
        )
        return request.id

    made = {
        "overdue": received("2026-10-01"),  # due early November: overdue
        "soon": received("2026-10-26", RequestKind.ERASURE),  # due 2026-11-26: in 4 days
        "today": received("2026-10-22"),  # due 2026-11-23 (22nd is a Sunday): tomorrow
        "later": received("2026-11-20", phone="+33612345678"),  # due in December
        "extended": received("2026-11-02"),  # extended: due in February
        "closed": received("2026-09-15"),  # refused: closed, would be overdue
    }
    jobs.extend(engine, clock, made["extended"], actor="test", reason="many systems")
    jobs.refuse(engine, clock, made["closed"], actor="test", reason="manifestly excessive")
    engine.dispose()
    return made


def test_open_requests_by_deadline_with_overdue_and_due_soon_highlighted(
    office: Office, queue: dict[str, str]
) -> None:
    html = office.as_role(Role.AGENT).get("/office").text
    shown = rows(html)
    order = {v: k for k, v in queue.items()}
    assert [order[i] for i, _, _ in shown] == [
        "overdue",
        "today",
        "soon",
        "later",
        "extended",
        "closed",
    ]
    css = {order[i]: c for i, c, _ in shown}
    assert css == {
        "overdue": "overdue",
        "today": "due-soon",
        "soon": "due-soon",
        "later": "",
        "extended": "",
        "closed": "",
    }
    text = {order[i]: t for i, _, t in shown}
    assert "overdue" in text["overdue"]
    assert "due tomorrow" in text["today"]
    assert "due in 4 days" in text["soon"] and "2026-11-26" in text["soon"]
    assert "refused" in text["closed"] and "overdue" not in text["closed"]
    assert "5 open · 1 overdue · 2 due within 7 days" in html


def test_the_identity_channel_is_masked_in_the_queue(office: Office, queue: dict[str, str]) -> None:
    html = office.as_role(Role.DPO).get("/office").text
    assert "jeanne.martin@example.fr" not in html
    assert "email: j…@example.fr" in html
    assert "phone: +33…78" in html


def test_filters_by_state_and_kind(office: Office, queue: dict[str, str]) -> None:
    client = office.as_role(Role.AUDITOR)
    refused = [i for i, _, _ in rows(client.get("/office?state=refused").text)]
    assert refused == [queue["closed"]]
    erasures = [i for i, _, _ in rows(client.get("/office?kind=erasure").text)]
    assert erasures == [queue["soon"]]
    open_only = {i for i, _, _ in rows(client.get("/office?state=open").text)}
    assert open_only == set(queue.values()) - {queue["closed"]}
    page = client.get("/office?state=open&kind=erasure")
    assert '<option value="open" selected>' in page.text
    assert '<option value="erasure" selected>' in page.text
    # An unknown filter value or page number is ignored, not an error page.
    odd = client.get("/office?state=bogus&kind=%3Cscript%3E&page=x")
    assert odd.status_code == 200 and len(rows(odd.text)) == 6
    assert "<script>" not in odd.text
    assert "No request matches." in client.get("/office?state=cancelled").text


def test_the_request_page_masks_the_identity_for_a_role_that_does_not_handle_it(
    office: Office, queue: dict[str, str]
) -> None:
    path = f"/office/requests/{queue['later']}"
    agent = office.as_role(Role.AGENT).get(path).text
    assert "+33612345678" in agent
    auditor = office.as_role(Role.AUDITOR).get(path).text
    assert "+33612345678" not in auditor and "+33…78" in auditor
    assert "Shown masked" in auditor
    overdue = office.as_role(Role.AUDITOR).get(f"/office/requests/{queue['overdue']}").text
    assert '<span class="badge bad">overdue</span>' in overdue
