"""``/office/accounts``: the administrator revokes and rotates tokens, disables and enables
accounts and changes roles (issue 9 §2); thin over ``gardien.jobs.accounts``, like the CLI
and the API. The server forgets the account's cached tokens at once (``TokenCache.forget``).
A new token is shown once, in the answer to the form (never in a redirect or a cookie)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.errors import GardienError
from gardien.jobs import accounts
from gardien.roles import Role
from gardien.server.auth import TokenCache
from gardien.server.errors import status_of
from gardien.server.permissions import Permission as P
from gardien.store.accounts import Account
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)
Admin = Annotated[Staff, Depends(office_user(P.ACCOUNTS_MANAGE))]
Csrf = Annotated[str, Form()]


def _accounts(
    request: Request,
    staff: Staff,
    *,
    error: str | None = None,
    status_code: int = 200,
    token: tuple[str, str] | None = None,
) -> Response:
    return page(
        request,
        staff,
        "office/accounts.html",
        {
            "accounts": accounts.listing(context(request).engine),
            "roles": [r.value for r in Role],
            "new_token": token,
        },
        title=TEXTS["accounts_title"],
        error=error,
        status_code=status_code,
    )


@router.get("/accounts")
def accounts_page(request: Request, staff: Admin) -> Response:
    return _accounts(request, staff)


def _forget(request: Request, name: str) -> None:
    tokens: TokenCache = request.app.state.tokens
    tokens.forget(name)


def _act(
    request: Request, staff: Staff, name: str, act: Callable[[], Account], done: str
) -> Response:
    try:
        account = act()
    except GardienError as exc:
        return _accounts(request, staff, error=str(exc), status_code=status_of(exc))
    _forget(request, name)
    message = TEXTS[done].format(name=account.name, role=account.role)
    return redirect(request, "/office/accounts", flash=("ok", message))


@router.post("/accounts/{name}/token")
def rotate(request: Request, name: str, staff: Admin, csrf_token: Csrf = "") -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    try:
        rotated = accounts.rotate_token(ctx.engine, ctx.clock, name, actor=staff.actor)
    except GardienError as exc:
        return _accounts(request, staff, error=str(exc), status_code=status_of(exc))
    _forget(request, name)
    return _accounts(request, staff, token=(name, rotated.token))


@router.post("/accounts/{name}/revoke")
def revoke(request: Request, name: str, staff: Admin, csrf_token: Csrf = "") -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    return _act(
        request,
        staff,
        name,
        lambda: accounts.revoke_token(ctx.engine, ctx.clock, name, actor=staff.actor),
        "token_revoked_ok",
    )


@router.post("/accounts/{name}/disable")
def disable(request: Request, name: str, staff: Admin, csrf_token: Csrf = "") -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    return _act(
        request,
        staff,
        name,
        lambda: accounts.disable(ctx.engine, ctx.clock, name, actor=staff.actor),
        "disabled_ok",
    )


@router.post("/accounts/{name}/enable")
def enable(request: Request, name: str, staff: Admin, csrf_token: Csrf = "") -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    return _act(
        request,
        staff,
        name,
        lambda: accounts.enable(ctx.engine, ctx.clock, name, actor=staff.actor),
        "enabled_ok",
    )


@router.post("/accounts/{name}/role")
def change_role(
    request: Request,
    name: str,
    staff: Admin,
    role: Annotated[str, Form()] = "",
    csrf_token: Csrf = "",
) -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    return _act(
        request,
        staff,
        name,
        lambda: accounts.change_role(ctx.engine, ctx.clock, name, role, actor=staff.actor),
        "role_ok",
    )
