"""The API's dependencies: the shared context and the caller, if their role allows the route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gardien.errors import UsageError
from gardien.identity import unfit_text
from gardien.server.auth import PermissionDenied, Principal, TokenCache, Unauthenticated
from gardien.server.client import client_address
from gardien.server.context import Context
from gardien.server.permissions import Permission, allowed

bearer = HTTPBearer(auto_error=False, description="An API token from `gardien user add`.")


async def context(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


def storable_params(request: Request) -> None:
    """Every path and query parameter of the API, checked once at the edge: a NUL byte or a
    lone surrogate (``%00``, ``%ED%A0%80``) is a 422 naming the parameter, never a database
    error in a look-up (issue 9 §6)."""
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        problem = unfit_text(str(value), lines=False) or unfit_text(name, lines=False)
        if problem is not None:
            shown = name if unfit_text(name) is None else "?"
            raise UsageError(f"the parameter {shown!r} {problem}", field=shown)


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, if their token is valid and their role has ``permission``."""

    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per call that the
    # hot consent check should not pay for a dictionary look-up.
    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthenticated("give an API token: Authorization: Bearer gdn_…")
        cache: TokenCache = request.app.state.tokens
        ctx = await context(request)
        address = client_address(request, ctx.settings)
        principal = await cache.principal(ctx, credentials.credentials, address)
        if principal is None:
            raise Unauthenticated("unknown, wrong or disabled API token")
        if not allowed(principal.role, permission):
            raise PermissionDenied(principal.role, permission)
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the matrix tests
    return dependency
