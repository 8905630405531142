"""Every endpoint × every role: 401 without a token, 403 for a role the matrix does not allow,
and past authorisation for a role it allows; the matrix in code covers every route."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from gardien.api.routes import PREFIX, ROUTERS
from gardien.server.permissions import MATRIX, Permission, Role
from tests.api.conftest import Api


def endpoints(api: Api) -> list[tuple[str, str, Permission]]:
    found = []
    for route in (r for router in ROUTERS for r in router.routes):
        assert isinstance(route, APIRoute)
        permissions = [
            d.call.permission  # type: ignore[union-attr]
            for d in route.dependant.dependencies
            if hasattr(d.call, "permission")
        ]
        assert len(permissions) == 1, f"{route.path} must check exactly one permission"
        for method in route.methods:
            found.append((method, PREFIX + route.path, permissions[0]))
    return sorted(found)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)


def test_every_permission_has_roles_and_every_endpoint_is_guarded(api: Api) -> None:
    served = {p for p in api.client.get("/api/openapi.json").json()["paths"]}
    assert served == {path for _, path, _ in endpoints(api)}
    assert set(MATRIX) == set(Permission)
    used = {permission for _, _, permission in endpoints(api)}
    assert used == set(Permission), f"permissions no endpoint uses: {set(Permission) - used}"
    assert len(endpoints(api)) == 33  # 29 paths


def test_without_a_token_every_endpoint_answers_401(api: Api) -> None:
    for method, path, _ in endpoints(api):
        response = api.client.request(method, concrete(path))
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_refused(api: Api) -> None:
    good = api.tokens[Role.DPO]
    for token in ("nonsense", good[:-2] + "xx", "gdn_000000000000_abc"):
        response = api.client.get("/api/v1/registry", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_the_matrix_allows(api: Api, role: Role) -> None:
    for method, path, permission in endpoints(api):
        response = api.client.request(method, concrete(path), headers=api.headers(role))
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else None
        )
        if role in MATRIX[permission]:
            assert response.status_code not in (401, 403), (role, method, path, response.text)
            assert response.status_code < 500, (role, method, path, response.text)
        else:
            assert response.status_code == 403, (role, method, path, response.text)
            assert body is not None
            assert body["error"] == {
                "code": "forbidden",
                "message": f"the role {role.value} does not allow {permission.value}",
                "details": {"role": role.value, "permission": permission.value},
            }


# Calls that succeed (2xx) for an allowed role, one per endpoint that needs no prior state.
READS = [
    ("GET", "/api/v1/registry", None),
    ("GET", "/api/v1/notice", None),
    ("GET", "/api/v1/register", None),
    ("GET", "/api/v1/requests", None),
    (
        "POST",
        "/api/v1/consent/status",
        {"identity": {"email": "a@example.fr"}, "activity": "contract"},
    ),
    ("POST", "/api/v1/suppression/check", {"identity": {"email": "a@example.fr"}}),
    ("GET", "/api/v1/suppression", None),
    ("POST", "/api/v1/restriction/check", {"identity": {"email": "a@example.fr"}}),
    ("GET", "/api/v1/retention/plan", None),
    ("GET", "/api/v1/retention/runs", None),
    ("GET", "/api/v1/holds", None),
    ("GET", "/api/v1/audit/events", None),
    ("GET", "/api/v1/audit/verify", None),
]


def test_allowed_roles_get_2xx_on_every_read(api: Api) -> None:
    permission_of = {(m, p): perm for m, p, perm in endpoints(api)}
    for method, path, body in READS:
        for role in MATRIX[permission_of[(method, path)]]:
            response = api.client.request(method, path, json=body, headers=api.headers(role))
            assert 200 <= response.status_code < 300, (role, method, path, response.text)
