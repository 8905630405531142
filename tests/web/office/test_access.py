"""Every back-office page and action × every role against the API's permission matrix: a 403
page where the matrix denies, the page or the action's own answer where it allows; the
navigation shows only what the role may open; the pages stay out of the OpenAPI schema."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from gardien.server.permissions import MATRIX, Permission, Role
from gardien.web.office import PARTS
from tests.web.office.conftest import Office

PUBLIC = {("GET", "/office/login"), ("POST", "/office/login")}
UNKNOWN = "00000000-0000-0000-0000-000000000000"


def office_routes() -> list[tuple[str, str, Permission | None]]:
    found = []
    for route in (r for part in PARTS for r in part.routes):
        assert isinstance(route, APIRoute)
        permissions = [
            d.call.permission  # type: ignore[union-attr]
            for d in route.dependant.dependencies
            if hasattr(d.call, "permission")
        ]
        for method in route.methods or ():
            if (method, route.path) in PUBLIC:
                assert permissions == [], route.path
                continue
            assert len(permissions) == 1, f"{method} {route.path} must check one permission"
            found.append((method, route.path, permissions[0]))
    return sorted(found, key=lambda r: (r[1], r[0]))


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", UNKNOWN, path)


def test_the_pages_cover_the_request_workflow_and_operations() -> None:
    routes = {(method, path): permission for method, path, permission in office_routes()}
    assert routes == {
        ("GET", "/office/accounts"): Permission.ACCOUNTS_MANAGE,
        ("POST", "/office/accounts/{name}/token"): Permission.ACCOUNTS_MANAGE,
        ("POST", "/office/accounts/{name}/revoke"): Permission.ACCOUNTS_MANAGE,
        ("POST", "/office/accounts/{name}/disable"): Permission.ACCOUNTS_MANAGE,
        ("POST", "/office/accounts/{name}/enable"): Permission.ACCOUNTS_MANAGE,
        ("POST", "/office/accounts/{name}/role"): Permission.ACCOUNTS_MANAGE,
        ("GET", "/office"): Permission.REQUESTS_READ,
        ("GET", "/office/requests/{request_id}"): Permission.REQUESTS_READ,
        ("GET", "/office/requests/new"): Permission.REQUESTS_CREATE,
        ("POST", "/office/requests/new"): Permission.REQUESTS_CREATE,
        ("POST", "/office/requests/{request_id}/attest"): Permission.REQUESTS_VERIFY,
        ("POST", "/office/requests/{request_id}/send-code"): Permission.REQUESTS_VERIFY,
        ("POST", "/office/requests/{request_id}/run"): Permission.REQUESTS_RUN,
        ("POST", "/office/requests/{request_id}/extend"): Permission.REQUESTS_DECIDE,
        ("POST", "/office/requests/{request_id}/refuse"): Permission.REQUESTS_DECIDE,
        ("POST", "/office/requests/{request_id}/export"): Permission.REQUESTS_EXPORT,
        ("GET", "/office/retention"): Permission.RETENTION_READ,
        ("POST", "/office/retention/run"): Permission.RETENTION_RUN,
        ("GET", "/office/holds"): Permission.HOLDS_READ,
        ("POST", "/office/holds"): Permission.HOLDS_WRITE,
        ("POST", "/office/holds/{hold_id}/release"): Permission.HOLDS_WRITE,
        ("GET", "/office/audit"): Permission.AUDIT_READ,
        ("GET", "/office/consent"): Permission.CONSENT_CHECK,
        ("POST", "/office/consent"): Permission.CONSENT_CHECK,
        ("POST", "/office/logout"): None,
    }


def test_the_pages_are_not_in_the_api_schema(office: Office) -> None:
    paths = office.api.client.get("/api/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/office")]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_the_matrix_allows(office: Office, role: Role) -> None:
    client = office.as_role(role)
    token = office.token(client, "/office/consent")  # a page every role may open
    for method, path, permission in office_routes():
        if permission is None:
            continue
        url = concrete(path)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert "Traceback" not in response.text
        # A template reaching a Python object instead of a text (e.g. ``dict.keys``).
        assert "<built-in method" not in response.text and " object at 0x" not in response.text
        if role in MATRIX[permission]:
            assert response.status_code not in (401, 403), (role, method, path, response.text)
            assert response.status_code < 500, (role, method, path, response.text)
            if method == "GET" and "{" not in path:
                assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert (
                f"Your role ({role.value}) does not allow this page or action "
                f"({permission.value})" in response.text
            )
    assert client.get("/office/consent").status_code == 200  # still signed in after all that


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_shows_what_the_role_may_open(office: Office, role: Role) -> None:
    html = office.as_role(role).get("/office/consent").text
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    shown = set(re.findall(r'<a href="(/office[^"]*)"', nav))
    pages = {
        "/office": Permission.REQUESTS_READ,
        "/office/retention": Permission.RETENTION_READ,
        "/office/holds": Permission.HOLDS_READ,
        "/office/audit": Permission.AUDIT_READ,
        "/office/consent": Permission.CONSENT_CHECK,
        "/office/accounts": Permission.ACCOUNTS_MANAGE,
    }
    assert shown == {path for path, p in pages.items() if role in MATRIX[p]}
    assert f"{role.value}@test ({role.value})" in nav


def test_signed_out_every_page_and_action_redirects_to_the_sign_in_form(office: Office) -> None:
    client = office.anonymous()
    for method, path, _ in office_routes():
        response = client.request(method, concrete(path))
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/office/login")
