"""``/office/login`` and ``/office/logout``: the session login of the back office (issue 5 §1).

Attempts are limited per address (``RateLimiter`` ``login``: 10 a minute) before any password
is checked, and every checked attempt is audited, ``office.login`` or ``office.login_failed``,
with the connection data (address, browser) that the trail purges after six months (R-RET-07).
A failed attempt names the account only if it exists: a password typed into the name field
must not end up in a trail kept for years. Failures in a row slow, then lock the account
(``gardien.jobs.lockout``; ``account.locked`` in the trail), whatever the address; a locked
account answers as a wrong password does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from gardien.audit.chain import NewEvent
from gardien.jobs import accounts
from gardien.server.client import client_address
from gardien.server.permissions import Role
from gardien.server.ratelimit import RateLimiter
from gardien.store import audit
from gardien.web.office import session
from gardien.web.office.pages import OfficeRoute, check_form, context, page, redirect
from gardien.web.office.session import Staff, office_user
from gardien.web.office.texts import TEXTS

router = APIRouter(prefix="/office", route_class=OfficeRoute)


def _address(request: Request) -> str:
    return client_address(request, context(request).settings)


def _connection(request: Request) -> dict[str, str]:
    return {
        "ip": _address(request),
        "user_agent": request.headers.get("user-agent", "")[:300],
    }


def _login_page(
    request: Request,
    next_url: str | None,
    *,
    name: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        None,
        "office/login.html",
        {"next_url": session.safe_next(next_url) or "", "name": name[:200]},
        title=TEXTS["login_title"],
        error=error,
        status_code=status_code,
    )


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    staff = session.signed_in(request)
    if staff is not None:
        return redirect(request, session.safe_next(next) or staff.home)
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, csrf_token)
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.allow("login", _address(request)):
        return _login_page(request, next, error=TEXTS["login_limited"], status_code=429)
    ctx = context(request)
    name = name.strip()
    attempt = accounts.by_password(ctx.engine, ctx.clock, name, password)
    account = attempt.account
    if account is None:
        known = bool(name) and accounts.enabled(ctx.engine, name) is not None
        audit.record(
            ctx.engine,
            ctx.clock,
            NewEvent(
                "office:anonymous",
                "office.login_failed",
                f"account:{name}" if known else "account:unknown",
                {"known_account": known},
                connection=_connection(request),
            ),
        )
        if attempt.locked_until is not None:
            audit.record(
                ctx.engine,
                ctx.clock,
                NewEvent(
                    "office:anonymous",
                    "account.locked",
                    f"account:{name}",
                    {
                        "failed_sign_ins": attempt.failures,
                        "until": attempt.locked_until.isoformat(),
                    },
                    connection=_connection(request),
                ),
            )
        # One message and status for an unknown name, a wrong password and a locked account.
        return _login_page(request, next, name=name, error=TEXTS["login_failed"], status_code=401)
    audit.record(
        ctx.engine,
        ctx.clock,
        NewEvent(
            f"office:{account.name}",
            "office.login",
            f"account:{account.name}",
            {"role": account.role},
            connection=_connection(request),
        ),
    )
    staff_home = Staff(account.name, Role(account.role), ctx.clock.now()).home
    response = redirect(request, session.safe_next(next) or staff_home)
    session.open_session(request, response, account)
    return response


@router.post("/logout")
def logout(
    request: Request,
    staff: Annotated[Staff, Depends(office_user(None))],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_form(request, csrf_token)
    ctx = context(request)
    accounts.sign_out(ctx.engine, staff.name)
    audit.record(
        ctx.engine,
        ctx.clock,
        NewEvent(staff.actor, "office.logout", f"account:{staff.name}", {}),
    )
    response = redirect(request, session.LOGIN, flash=("ok", TEXTS["signed_out"]))
    session.close_session(response)
    return response
