"""The one error shape of the API, ``{"error": {"code", "message", "details"}}``, and the one
place where gardien's errors become HTTP statuses (the API's twin of ``cli.console``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gardien.connectors.errors import ConnectorError, SchemaMismatch, SystemUnreachable
from gardien.errors import GardienError, RegistryError, UsageError
from gardien.notify import NotificationError
from gardien.requests.states import IllegalTransition
from gardien.requests.verification import CodeRejected
from gardien.store.database import StoreUnavailable
from gardien.store.holds import HoldNotFound
from gardien.store.packages import PackageNotFound
from gardien.store.requests import RequestNotFound
from gardien.web.errors import error_page, is_page

log = logging.getLogger("gardien.api")

# Most specific first: the first match wins.
STATUS: tuple[tuple[type[GardienError], int], ...] = (
    (RequestNotFound, 404),
    (HoldNotFound, 404),
    (PackageNotFound, 404),
    (IllegalTransition, 409),
    (CodeRejected, 422),
    (RegistryError, 503),
    (SchemaMismatch, 503),
    (SystemUnreachable, 503),
    (StoreUnavailable, 503),
    (ConnectorError, 503),
    (NotificationError, 503),
    (UsageError, 422),
    (GardienError, 409),  # refused by the state of things (a code never sent…)
)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, permissions)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.details = status, code, details or {}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def status_of(exc: GardienError) -> int:
    return next(status for kind, status in STATUS if isinstance(exc, kind))


def details_of(exc: GardienError) -> dict[str, Any]:
    if isinstance(exc, RegistryError):
        return {"findings": [f.render() for f in exc.findings]}
    if isinstance(exc, IllegalTransition):
        return {
            "request_id": exc.request_id,
            "state": exc.state.value,
            "action": exc.action.value,
        }
    if isinstance(exc, SchemaMismatch):
        return {"system": exc.system, "problems": exc.problems}
    if isinstance(exc, ConnectorError):
        return {"system": exc.system}
    if isinstance(exc, CodeRejected):
        return {"outcome": exc.outcome.value}
    return {}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _gardien(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GardienError)
    return _json(status_of(exc), error_body(snake(type(exc).__name__), str(exc), details_of(exc)))


async def _api(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _json(exc.status, error_body(exc.code, str(exc), exc.details), headers)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "where": ".".join(str(p) for p in e.get("loc", ())),
            "message": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return _json(
            400, error_body("bad_request", "the body is not valid JSON", {"problems": problems})
        )
    first = problems[0] if problems else {"where": "?", "message": "invalid"}
    message = f"{first['where']}: {first['message']}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more)"
    return _json(422, error_body("invalid_input", message, {"problems": problems}))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_page(request) and exc.status_code in (404, 405):
        return error_page(request, exc.status_code)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return _json(
        exc.status_code,
        error_body(code, str(exc.detail)),
        dict(exc.headers) if exc.headers else None,
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug, not bad input: logged with its traceback for us, never shown to the caller.
    log.exception("unexpected error", exc_info=exc)
    if is_page(request):
        try:
            return error_page(request, 500)
        except Exception:  # the page itself failed: fall back to the API's shape
            log.exception("error page failed")
    return _json(500, error_body("internal_error", "an unexpected error occurred; it is logged"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(GardienError, _gardien)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
