"""Schemathesis against the real app's OpenAPI schema (issue 5 §4): no server error, anywhere.

Every operation of ``/api/openapi.json`` gets generated requests, valid and invalid, sent with a
DPO token (the role every permission allows) to the real app served by uvicorn over loopback
(``tests/web/server.py``: a tmp SQLite store, the ima-protect systems filled with synthetic
people), as ``gardien serve`` runs it: real HTTP parsing, one event loop. Checks:

- ``not_a_server_error``: no 5xx, ever — a 500 is a bug (bad input gets a clear 4xx message);
- ``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``
  and ``response_headers_conformance``: what came back is what the schema promises.

Requests that POST for real (retention runs, holds, consent events) change only the tmp store
and systems. ``GARDIEN_SCHEMATHESIS_EXAMPLES`` raises the number of examples per operation for
a longer hunt (the default, 30 valid and 30 invalid per operation, takes about 25 s on 2 cores);
hypothesis prints the seed of a failure to replay it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gardien.api.routes import PREFIX, ROUTERS
from gardien.server.permissions import Role
from tests.web.server import LiveServer, start_live_server

EXAMPLES = int(os.environ.get("GARDIEN_SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: building the systems for each operation would take minutes."""
    tmp_path = tmp_path_factory.mktemp("schemathesis")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from start_live_server(
            tmp_path,
            monkeypatch,
            f"sqlite:///{tmp_path / 'gardien.db'}",
            f"sqlite:///{tmp_path / 'systems.db'}",
        )


@pytest.fixture(scope="module")
def api_schema(live: LiveServer) -> Any:
    return schemathesis.openapi.from_url(live.url("/api/openapi.json"))


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) the API's routers declare, known without building the app."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                found.extend((method, PREFIX + route.path) for method in sorted(route.methods))
    return sorted(found, key=lambda op: (op[1], op[0]))


OPERATIONS = _operations()


# Parametrized here rather than with ``schema.parametrize()``: schemathesis's fixture-based
# loader reads ``request.node._nodeid``, which pytest 9 no longer has.
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_error_and_answers_match_the_schema(
    method: str, path: str, api_schema: Any, live: LiveServer
) -> None:
    headers = live.headers(Role.DPO)
    operation = api_schema[path][method]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def exchange(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        exchange()


def test_every_api_operation_is_in_the_schema(api_schema: Any) -> None:
    # The test above passes vacuously on a schema that lost its operations: pin them down.
    operations = {
        f"{method.upper()} {path}"
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations == {f"{method} {path}" for method, path in OPERATIONS}
    for expected in (
        "POST /api/v1/consent/status",
        "POST /api/v1/requests",
        "GET /api/v1/requests/{request_id}/export",
        "POST /api/v1/retention/runs",
        "POST /api/v1/archive/read",
        "GET /api/v1/audit/verify",
    ):
        assert expected in operations


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_retention_plan_as_at_year_1_or_9999_is_refused_not_a_500(
    live: LiveServer, now: str
) -> None:
    # Found by the test above: the calendar arithmetic overflowed Python's dates.
    answer = httpx.get(
        live.url("/api/v1/retention/plan"),
        params={"now": now},
        headers=live.headers(Role.DPO),
        timeout=30,
    )
    assert answer.status_code == 422, answer.text
    assert "between the years 1900 and 2999" in answer.json()["error"]["message"]
