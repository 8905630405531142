"""What every back-office page shares: the route class that turns refusals into pages, the
navigation, rendering with the flash message, and the CSRF check of forms."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from gardien.errors import GardienError
from gardien.server.context import Context
from gardien.server.errors import status_of
from gardien.server.permissions import Permission
from gardien.web import csrf
from gardien.web.office import session
from gardien.web.office.session import Forbidden, NotSignedIn, Staff
from gardien.web.office.texts import LANG, TEXTS
from gardien.web.templating import csrf_key, render

log = logging.getLogger("gardien.web.office")

NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/office", "queue", Permission.REQUESTS_READ),
    ("/office/retention", "retention", Permission.RETENTION_READ),
    ("/office/holds", "holds", Permission.HOLDS_READ),
    ("/office/audit", "audit", Permission.AUDIT_READ),
    ("/office/consent", "consent", Permission.CONSENT_CHECK),
    ("/office/accounts", "accounts", Permission.ACCOUNTS_MANAGE),
)


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    current: bool


def context(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


def _nav(staff: Staff | None, path: str) -> list[NavItem]:
    if staff is None:
        return []
    items = []
    for href, key, permission in NAV:
        if staff.can(permission):
            current = path == href or (href != "/office" and path.startswith(href + "/"))
            current = current or (href == "/office" and path.startswith("/office/requests/"))
            items.append(NavItem(href, TEXTS[key], current))
    return items


def page(
    request: Request,
    staff: Staff | None,
    name: str,
    values: Mapping[str, Any],
    *,
    title: str,
    status_code: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    """Render an office template with the staff member, navigation, flash and error message."""
    flash = session.take_flash(request)
    response = render(
        request,
        name,
        {
            "o": TEXTS,
            "staff": staff,
            "can": staff.permissions if staff else frozenset(),
            "nav": _nav(staff, request.url.path),
            "flash": flash,
            "error": error,
            "page_title": title,
            **values,
        },
        lang=LANG,
        status_code=status_code,
    )
    if request.cookies.get(session.FLASH_COOKIE):
        session.clear_flash(response)
    return response


def redirect(request: Request, to: str, *, flash: tuple[str, str] | None = None) -> Response:
    """303 See Other to a back-office page, with a message for it (post/redirect/get)."""
    response = RedirectResponse(to, status_code=303)
    if flash is not None:
        session.set_flash(request, response, *flash)
    return response


def check_form(request: Request, token: str) -> None:
    """Every posted form carries the CSRF token (raises ``csrf.CsrfError``, a 403 page)."""
    csrf.check(request, token, csrf_key(context(request)))


def message_page(
    request: Request, staff: Staff | None, *, title: str, message: str, status_code: int
) -> HTMLResponse:
    return page(
        request,
        staff,
        "office/message.html",
        {"message": message},
        title=title,
        status_code=status_code,
        error=message,
    )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class OfficeRoute(APIRoute):
    """Office routes answer in pages, never in the API's JSON errors.

    Not signed in → 303 to the sign-in form; role without the permission → 403 page; a form
    without its CSRF token → 403 page; a gardien error the page did not handle → its message
    in a page with the API's status for it (404 for an unknown request…), never a traceback.
    """

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except NotSignedIn as exc:
                return RedirectResponse(session.login_url(exc.next_url), status_code=303)
            except Forbidden as exc:
                message = TEXTS["forbidden"].format(
                    role=exc.staff.role.value, permission=exc.permission.value
                )
                return message_page(
                    request,
                    exc.staff,
                    title=TEXTS["forbidden_title"],
                    message=message,
                    status_code=403,
                )
            except csrf.CsrfError:
                return message_page(
                    request,
                    session.signed_in(request),
                    title=TEXTS["error_title"],
                    message=TEXTS["csrf"],
                    status_code=403,
                )
            except GardienError as exc:
                status = status_of(exc)
                title = TEXTS["not_found_title"] if status == 404 else TEXTS["error_title"]
                return message_page(
                    request,
                    session.signed_in(request),
                    title=title,
                    message=str(exc),
                    status_code=status,
                )

        return guarded
