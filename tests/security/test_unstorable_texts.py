"""NUL bytes and lone surrogates at every API input: 422 naming the field, never a 500 nor a
database error (issue 9 §6). The walk reads the served OpenAPI schema, so a new endpoint or
field is walked too; the store is SQLite, PostgreSQL and MariaDB (PostgreSQL refuses a NUL in a
text, no database can store a lone surrogate)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gardien.server.permissions import Role
from tests.api.conftest import Api, build_api

BAD = ("\u0000", "\ud800", "jeanne\u0000@example.fr", "a\ud800b")
ID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    if request.param == "sqlite":
        store = f"sqlite:///{tmp_path / 'gardien.db'}"
    else:
        store = request.getfixturevalue(
            {"postgresql": "postgres_url", "mariadb": "mariadb_url"}[request.param]
        )
    yield from build_api(tmp_path, monkeypatch, store, f"sqlite:///{tmp_path / 'systems.db'}")


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _takes(schema: dict[str, Any], spec: dict[str, Any], kind: str) -> bool:
    schema = _resolve(schema, spec)
    options = schema.get("anyOf", [schema])
    return any(_resolve(o, spec).get("type") == kind for o in options)


def _example(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A plausible value, so that the bad field is the only problem of the body."""
    schema = _resolve(schema, spec)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _example(next(o for o in schema["anyOf"] if o.get("type") != "null"), spec)
    kind = schema.get("type")
    if kind == "string":
        return {"date-time": "2026-11-01T10:00:00+00:00", "date": "2026-11-01"}.get(
            schema.get("format", ""), "access"
        )
    if kind == "object":
        return {"email": "jeanne@example.fr"}
    return {"boolean": False, "integer": 1, "number": 1, "array": ["x"]}.get(str(kind))


def _bodies(operation: dict[str, Any], spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(field, body) with one text of the body bad at a time: strings, list items, the keys
    and values of mappings."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return
    model = _resolve(content["schema"], spec)
    fields = model.get("properties", {})
    base = {
        name: _example(s, spec) for name, s in fields.items() if name in model.get("required", [])
    }
    for name, field in fields.items():
        for bad in BAD:
            if _takes(field, spec, "string"):
                yield name, {**base, name: bad}
            if _takes(field, spec, "object"):
                yield name, {**base, name: {"email": bad}}
                yield name, {**base, name: {bad: "x"}}
            if _takes(field, spec, "array"):
                yield name, {**base, name: [bad]}


def _answer(api: Api, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    # The DPO may call every endpoint but the accounts' (the administrator's).
    role = Role.ADMIN if path.startswith("/api/v1/accounts") else Role.DPO
    response = api.client.request(
        method,
        path,
        content=json.dumps(body) if body is not None else None,  # json.dumps keeps "\ud800"
        headers={**api.headers(role), "Content-Type": "application/json"},
    )
    assert response.status_code != 500, (method, path, body, response.text)
    return response.status_code, response.json() if response.content else {}


def test_every_body_field_refuses_nul_and_lone_surrogates(any_api: Api) -> None:
    spec = any_api.client.get("/api/openapi.json").json()
    walked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            concrete = re.sub(r"\{[^}]+\}", ID, path)
            for field, body in _bodies(operation, spec):
                status, answer = _answer(any_api, method.upper(), concrete, body)
                assert status == 422, (method, path, field, answer)
                where = [p["where"] for p in answer["error"]["details"]["problems"]]
                assert any(w.endswith(field) or f".{field}." in w for w in where), (path, where)
                walked += 1
    assert walked > 100  # every POST body of the API: a schema change must not empty the walk


def test_every_path_and_query_parameter_refuses_nul_and_lone_surrogates(any_api: Api) -> None:
    spec = any_api.client.get("/api/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            # %ED%A0%80 (a surrogate's would-be UTF-8) is decoded as U+FFFD by the framework:
            # a character, stored fine; only never a 500 is asked of it.
            for encoded, refused in (("%00", True), ("a%00b", True), ("%ED%A0%80", False)):
                concrete = re.sub(r"\{[^}]+\}", encoded, path)
                if names:
                    status, _ = _answer(any_api, method.upper(), concrete)
                    assert status in (404, 422) or not refused, (method, concrete, status)
                for query in queries:
                    target = re.sub(r"\{[^}]+\}", ID, path) + f"?{query}={encoded}"
                    status, _ = _answer(any_api, method.upper(), target)
                    assert status in (404, 422) or not refused, (method, target, status)


def test_a_nul_in_an_identifier_is_refused_by_normalise() -> None:
    from gardien.identity import MalformedIdentifier, normalise

    for kind, value in (("email", "a\x00@b.fr"), ("email", "a\ud800@b.fr"), ("phone", "\x00")):
        with pytest.raises(MalformedIdentifier):
            normalise(kind, value)


def _page_posts() -> Iterator[tuple[str, list[str]]]:
    """(path, form fields) of every POST of the portal and the back office."""
    from fastapi.routing import APIRoute

    from gardien.web import office
    from gardien.web.portal import form, pages, status

    for router in (pages.router, form.router, status.router, *office.PARTS):
        for route in router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                fields = [p.alias for p in route.dependant.body_params]
                yield re.sub(r"\{[^}]+\}", ID, route.path), fields


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_every_form_field_of_the_pages_refuses_a_nul(
    store: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'gardien.db'}"
        if store == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    for api in build_api(tmp_path, monkeypatch, url, f"sqlite:///{tmp_path / 'systems.db'}"):
        walked = 0
        for path, fields in _page_posts():
            # The portal's identity fields are read from the form by name (id_<kind>).
            for field in [*fields, "id_email", "id_customer_number"]:
                for bad in ("\u0000", "a\u0000b", "\u001b[2J"):
                    answer = api.client.post(path, data={"csrf_token": "x", field: bad})
                    assert answer.status_code == 422, (path, field, answer.status_code)
                    assert f"the field '{field}'" in html.unescape(answer.text), (path, field)
                    walked += 1
        assert walked > 100
        for page in ("/request", "/office/login", "/"):
            answer = api.client.get(page, params={"lang": "fr\u0000"})
            assert answer.status_code == 422, (page, answer.text)
