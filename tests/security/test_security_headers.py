"""Security headers on every response (issue 9 §3.4): each route of ``create_app()``, with
every method it takes, anonymous and signed in, and each kind of answer (an HTML page, JSON, a
file, a redirect, a 4xx and a 5xx, the pages' and the API's).

Before, only the pages rendered from templates had them: the API's JSON, the redirects, the
static files and the framework's own errors went out without a CSP, frame protection or
no-store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gardien.server.headers import CONTENT_SECURITY_POLICY
from gardien.server.permissions import Role
from tests.web.office.conftest import Office

EXPECTED = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}
PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
SAMPLE = {"secret": "A" * 43, "request_id": "00000000-0000-4000-8000-000000000000"}


def _check(response: httpx.Response, where: str) -> None:
    headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, f"{where}: {name} is {headers.get(name)!r}"
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, f"{where}: CSP {policy!r}"
    assert "default-src 'self'" in policy, f"{where}: CSP {policy!r}"
    public = where.split(" ")[1].startswith(("/static/", "/api/docs/assets/"))
    cache = headers.get("cache-control", "")
    assert cache == ("public, max-age=3600" if public else "no-store"), f"{where}: {cache!r}"


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every endpoint, through FastAPI's included routers and mounts."""
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router (FastAPI ≥ 0.120)
            yield from _routes(route.effective_candidates(), prefix)
        elif hasattr(route, "original_route"):
            yield prefix + route.path, set(getattr(route.original_route, "methods", None) or ())
        elif getattr(route, "routes", None):  # a mount with routes of its own
            yield from _routes(route.routes, prefix + route.path)
        else:
            yield prefix + route.path, set(getattr(route, "methods", None) or {"GET"})


def _path(template: str) -> str:
    return PARAMETER.sub(lambda m: SAMPLE.get(m.group(1), "x"), template)


@pytest.fixture
def signed_in(office: Office) -> TestClient:
    return office.as_role(Role.DPO)


def test_every_route_and_method_carries_the_headers(office: Office, signed_in: TestClient) -> None:
    routes = sorted(_routes(office.app.routes))
    assert len(routes) > 40  # the API, the portal, the back office, the docs, the files
    api = office.api.headers(Role.DPO)
    seen = 0
    for template, methods in routes:
        path = _path(template)
        for method in sorted(methods - {"HEAD"}):
            for who, client, headers in (
                ("anonymous", office.anonymous(), {}),
                ("DPO", signed_in, api if path.startswith("/api/") else {}),
            ):
                response = client.request(method, path, headers=headers)
                _check(response, f"{method} {path} ({who}, {response.status_code})")
                seen += 1
    assert seen > 100


def test_each_kind_of_answer_carries_the_headers(
    office: Office, signed_in: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = office.anonymous()
    api = office.api.headers(Role.DPO)
    answers = {
        "HTML page": client.get("/request"),
        "JSON": client.get("/api/v1/requests", headers=api),
        "file download": client.get("/api/v1/register?format=csv", headers=api),
        "redirect": client.get("/office"),
        "page 404": client.get("/no/such/page"),
        "API 404": client.get("/api/v1/no-such-thing", headers=api),
        "API 401": client.get("/api/v1/requests"),
        "API 422": client.post("/api/v1/requests", headers=api, json={}),
        "office page": signed_in.get("/office"),
        "stylesheet": client.get("/static/gardien.css"),
    }
    assert answers["HTML page"].headers["content-type"].startswith("text/html")
    assert answers["JSON"].headers["content-type"].startswith("application/json")
    assert answers["file download"].headers["content-type"].startswith("text/csv"), answers[
        "file download"
    ].text[:300]
    assert answers["redirect"].status_code == 303
    assert answers["page 404"].status_code == 404
    assert answers["API 404"].status_code == 404
    assert answers["stylesheet"].status_code == 200

    # An unexpected error, on a page and on the API: the 500 too.
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("gardien.web.portal.status.portal_links.resolve", broken)
    monkeypatch.setattr("gardien.api.routes_requests.jobs.list_requests", broken)
    answers["page 500"] = client.get(f"/status/{SAMPLE['secret']}")
    answers["API 500"] = client.get("/api/v1/requests", headers=api)
    assert answers["page 500"].status_code == answers["API 500"].status_code == 500
    for kind, response in answers.items():
        _check(response, f"{response.request.method} {response.request.url.path} ({kind})")
    assert answers["HTML page"].headers["content-security-policy"] == CONTENT_SECURITY_POLICY
