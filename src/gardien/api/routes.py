"""The API's routers under ``/api/v1``, the statuses every endpoint may answer, and the docs page.

Mounted on the server's app by ``gardien.server.app.create_app``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from gardien.api import (
    docs_page,
    routes_accounts,
    routes_consent,
    routes_operations,
    routes_registry,
    routes_requests,
)
from gardien.api.deps import storable_params
from gardien.api.models import ErrorOut

PREFIX = "/api/v1"
OPENAPI_URL = "/api/openapi.json"
# Consent first: routes are matched in order, and the consent checks are the hot path.
ROUTERS = (
    routes_consent.router,
    routes_requests.router,
    routes_registry.router,
    routes_operations.router,
    routes_accounts.router,
)

# Every endpoint may answer these, in the one error shape (the statuses of docs/api.md, which
# gardien.server.errors derives from the errors' kinds; schemathesis checks the schema lists
# them).
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (400, "The body is not JSON"),
        (401, "No or unknown API token"),
        (403, "The caller's role does not allow this"),
        (404, "No such request, hold or package"),
        (409, "The state of things does not allow this (e.g. the request's state)"),
        (422, "Invalid input"),
        (503, "A declared system, the store or the notifier is unavailable"),
    )
}


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(
            router,
            prefix=PREFIX,
            responses=ERROR_RESPONSES,
            dependencies=[Depends(storable_params)],
        )
    docs_page.install(app, OPENAPI_URL)
