"""One error shape on every error path: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from gardien.connectors.errors import SchemaMismatch, SystemUnreachable
from gardien.errors import GardienError, UsageError
from gardien.server.errors import status_of
from gardien.server.permissions import Role
from gardien.store.requests import RequestNotFound
from tests.api.conftest import Api


def shape(body: Any) -> dict[str, Any]:
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


def test_unknown_path_and_wrong_method(api: Api) -> None:
    missing = api.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert shape(missing.json())["code"] == "not_found"
    wrong = api.client.delete("/api/v1/registry", headers=api.headers(Role.DPO))
    assert wrong.status_code == 405
    assert shape(wrong.json())["code"] == "method_not_allowed"


def test_validation_errors_name_the_field(api: Api) -> None:
    response = api.client.post(
        "/api/v1/consent/status",
        json={"identity": {"email": "a@example.fr"}},
        headers=api.headers(Role.AGENT),
    )
    assert response.status_code == 422
    error = shape(response.json())
    assert error["code"] == "invalid_input"
    assert "body.activity" in error["message"]
    assert error["details"]["problems"][0]["where"] == "body.activity"
    bad_query = api.client.get(
        "/api/v1/requests", params={"state": "sleeping"}, headers=api.headers(Role.AGENT)
    )
    assert bad_query.status_code == 422
    assert "query.state" in shape(bad_query.json())["message"]


def test_malformed_json_is_a_400(api: Api) -> None:
    response = api.client.post(
        "/api/v1/consent/status",
        content=b"{not json",
        headers={**api.headers(Role.AGENT), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert shape(response.json())["code"] == "bad_request"


def test_domain_errors_are_mapped_once(api: Api) -> None:
    agent = api.headers(Role.AGENT)
    missing = api.client.get("/api/v1/requests/no-such-request", headers=agent)
    assert missing.status_code == 404
    assert shape(missing.json())["code"] == "request_not_found"
    unknown_kind = api.client.post(
        "/api/v1/consent/status",
        json={"identity": {"passport": "X1"}, "activity": "contract"},
        headers=agent,
    )
    assert unknown_kind.status_code == 422
    assert "passport" in shape(unknown_kind.json())["message"]
    malformed = api.client.post(
        "/api/v1/consent/status",
        json={"identity": {"email": "not-an-address"}, "activity": "contract"},
        headers=agent,
    )
    assert malformed.status_code == 422
    assert shape(malformed.json())["code"] == "malformed_identifier"
    request_kind = api.client.post(
        "/api/v1/requests",
        json={"kind": "teleport", "identity": {"email": "a@example.fr"}},
        headers=agent,
    )
    assert request_kind.status_code == 422
    assert shape(request_kind.json())["code"] == "unknown_request_kind"
    both = api.client.post(
        "/api/v1/requests/x/verify", json={"code": "1", "attestation": "x"}, headers=agent
    )
    assert both.status_code == 422
    assert shape(both.json())["code"] == "invalid_input"
    export = api.client.get("/api/v1/requests/x/export", headers=agent)
    assert export.status_code == 404
    assert shape(export.json())["code"] == "package_not_found"


def test_unverified_request_cannot_run(api: Api) -> None:
    agent = api.headers(Role.AGENT)
    created = api.client.post(
        "/api/v1/requests",
        json={"kind": "access", "identity": {"email": "a@example.fr"}, "send_code": False},
        headers=agent,
    ).json()["request"]
    ran = api.client.post(f"/api/v1/requests/{created['id']}/run", headers=agent)
    # The batch runner reports a request it cannot start and leaves it as it is.
    assert ran.status_code == 200
    assert ran.json()["error"]
    assert ran.json()["state"] == "received"
    extend = api.client.post(
        f"/api/v1/requests/{created['id']}/extend",
        json={"reason": ""},
        headers=api.headers(Role.DPO),
    )
    assert extend.status_code == 422
    shape(extend.json())


def test_unreachable_system_is_a_503(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = api.client.app.state.gardien  # type: ignore[attr-defined]
    for connector in ctx.connectors().values():
        monkeypatch.setattr(connector, "ping", _unreachable)
    response = api.client.get("/api/v1/retention/plan", headers=api.headers(Role.DPO))
    assert response.status_code == 503
    error = shape(response.json())
    assert error["details"]["system"] in ctx.registry.systems


def _unreachable() -> None:
    raise SystemUnreachable("crm", "connection refused")


def test_status_table() -> None:
    assert status_of(RequestNotFound("x")) == 404
    assert status_of(SchemaMismatch("crm", ["no table client"])) == 503
    assert status_of(UsageError("x")) == 422
    assert status_of(GardienError("x")) == 409
