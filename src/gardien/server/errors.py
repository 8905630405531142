"""The one error shape of the API, ``{"error": {"code", "message", "details"}}``, and the one
place where gardien's errors become HTTP statuses (the server's twin of ``cli.console``).

A status derives from the error's ``kind`` (``gardien.errors.Kind``), never from its class: a
new error class gets the status of its kind without touching this module. The back office's
pages use the same table (``status_of``) for the pages they answer with.

Pages (any path outside ``/api``) answer a dead link or a bug with an HTML page instead of
JSON: the composition root (``gardien.server.app``) hands ``install`` the page renderer of
``gardien.web``, so this module never imports the pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gardien.errors import GardienError, Kind

log = logging.getLogger("gardien.server")

HTTP_STATUS: dict[Kind, int] = {
    Kind.INVALID_INPUT: 422,
    Kind.REFUSED: 422,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.FORBIDDEN: 403,
    Kind.UNAUTHENTICATED: 401,
    Kind.RATE_LIMITED: 429,
    Kind.UNAVAILABLE: 503,
    Kind.INVALID_CONFIGURATION: 503,
    Kind.INTERNAL: 500,
}

# Codes of the errors the framework raises before gardien's code runs.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

ErrorPage = Callable[[Request, int, str | None], Response]
"""Renders the HTML page for a status (``gardien.web.errors.error_page``)."""


def status_of(exc: GardienError) -> int:
    return HTTP_STATUS[exc.kind]


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def is_page(request: Request) -> bool:
    """Whether the path is one of the pages rather than the JSON API."""
    path = request.url.path
    return not (path == "/api" or path.startswith("/api/"))


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def _gardien(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GardienError)
    status = status_of(exc)
    if status >= 500 and exc.kind is Kind.INTERNAL:
        log.error("internal error", exc_info=exc)
    headers = {"WWW-Authenticate": "Bearer"} if exc.kind is Kind.UNAUTHENTICATED else None
    return _json(status, error_body(exc.code, str(exc), exc.details()), headers)


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


def install(app: FastAPI, error_page: ErrorPage | None = None) -> None:
    """Install the handlers; ``error_page`` answers the pages' dead links and bugs in HTML."""

    async def _http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if error_page is not None and is_page(request) and exc.status_code in (404, 405, 422):
            # A 422 on a page says which field (gardien.web.texts_check).
            detail = str(exc.detail) if exc.status_code == 422 else None
            return error_page(request, exc.status_code, detail)
        code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return _json(
            exc.status_code,
            error_body(code, str(exc.detail)),
            dict(exc.headers) if exc.headers else None,
        )

    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: logged with its traceback for us, never shown to the caller.
        log.exception("unexpected error", exc_info=exc)
        if error_page is not None and is_page(request):
            try:
                return error_page(request, 500, None)
            except Exception:  # the page itself failed: fall back to the API's shape
                log.exception("error page failed")
        return _json(
            500, error_body("internal_error", "an unexpected error occurred; it is logged")
        )

    app.add_exception_handler(GardienError, _gardien)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
