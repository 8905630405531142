"""Who is signed in to the back office: a signed cookie, re-checked against the store each time.

The cookie holds the account name and the sign-in instant, signed with a key derived for this
purpose alone (``security.derived_key(ctx.key, "session")``); nothing secret is in it, and it
cannot be forged or moved to another name. It is not a capability on its own: every page reads
the account again (one indexed look-up), so a disabled account or a changed role takes effect
at the next click, not at the cookie's expiry. The cookie also carries the account's session
epoch, which signing out and setting a password bump: then every session opened before is
closed, a copied cookie included. A session lasts 8 hours from sign-in, a working day (ANSSI's guidance on
administration sessions: bounded, not renewed silently).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from gardien.consent.keys import DEVELOPMENT_KEY
from gardien.jobs import accounts
from gardien.server.context import Context
from gardien.server.permissions import Permission, Role, allowed
from gardien.store.accounts import Account
from gardien.web.security import derived_key

COOKIE = "gardien_office"
FLASH_COOKIE = "gardien_flash"
PATH = "/office"
LOGIN = "/office/login"
MAX_AGE = timedelta(hours=8)
FLASH_SECONDS = 120

# The pages a role lands on after signing in, first allowed first (an admin reads no request).
HOMES: tuple[tuple[str, Permission], ...] = (
    ("/office", Permission.REQUESTS_READ),
    ("/office/retention", Permission.RETENTION_READ),
    ("/office/audit", Permission.AUDIT_READ),
    ("/office/consent", Permission.CONSENT_CHECK),
)


@dataclass(frozen=True)
class Staff:
    name: str
    role: Role
    signed_in_at: datetime

    @property
    def actor(self) -> str:
        """As written in the audit trail."""
        return f"office:{self.name}"

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset(p.value for p in Permission if allowed(self.role, p))

    @property
    def home(self) -> str:
        return next((path for path, p in HOMES if self.can(p)), "/office/consent")


class NotSignedIn(Exception):
    """No valid session: the page answers with a redirection to the sign-in form."""

    def __init__(self, next_url: str | None) -> None:
        super().__init__("not signed in")
        self.next_url = next_url


class Forbidden(Exception):
    """Signed in, but the role lacks the permission: a 403 page saying which."""

    def __init__(self, staff: Staff, permission: Permission) -> None:
        super().__init__(f"{staff.role.value} does not allow {permission.value}")
        self.staff, self.permission = staff, permission


def _context(request: Request) -> Context:
    ctx: Context = request.app.state.gardien
    return ctx


# With the public development key (GARDIEN_ENV=dev and no GARDIEN_SECRET_KEY), a key derived
# from it would be public too, and anyone could sign a session cookie for any account: sessions
# are then signed with a key drawn at start instead (they do not survive a restart).
_PROCESS_KEY = secrets.token_bytes(32)


def _signing_key(ctx: Context) -> bytes:
    if ctx.key.secret == DEVELOPMENT_KEY.encode():
        return _PROCESS_KEY
    return derived_key(ctx.key, "session")


def _serializer(ctx: Context) -> URLSafeSerializer:
    return URLSafeSerializer(_signing_key(ctx), salt="gardien office session")


def open_session(request: Request, response: Response, account: Account) -> None:
    ctx = _context(request)
    now = ctx.clock.now()
    value = _serializer(ctx).dumps(
        {"n": account.name, "t": now.timestamp(), "e": account.session_epoch}
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(MAX_AGE.total_seconds()),
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.production,
    )


def close_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)


def signed_in(request: Request) -> Staff | None:
    """The staff member of a valid session, read again from the store; None otherwise."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 1000:
        return None
    ctx = _context(request)
    try:
        data: Any = _serializer(ctx).loads(raw)
        name, stamp, epoch = str(data["n"]), float(data["t"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    at = datetime.fromtimestamp(stamp, UTC)
    now = ctx.clock.now()
    # Measured on gardien's clock (not the cookie's own attribute, which a client may keep).
    if not (at - timedelta(minutes=5) <= now <= at + MAX_AGE):
        return None
    account = accounts.enabled(ctx.engine, name)
    if account is None or account.session_epoch != epoch:
        return None  # disabled, or signed out / password changed since this session opened
    try:
        role = Role(account.role)
    except ValueError:
        return None
    return Staff(account.name, role, at)


def safe_next(value: str | None) -> str | None:
    """A back-office path to return to after signing in, or None: never another site.

    Only a path on this server under /office is accepted ("//evil.example", "https://…",
    "/\\\\evil.example" and the like are open redirects; browsers read a backslash as a slash).
    """
    if not value or len(value) > 2000:
        return None
    if "\\" in value or any(ord(c) < 0x20 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/"):
        return None
    if not (parts.path == PATH or parts.path.startswith(PATH + "/")):
        return None
    if parts.path.startswith("//"):
        return None
    return value


def login_url(next_url: str | None) -> str:
    target = safe_next(next_url)
    return f"{LOGIN}?next={quote(target, safe='/')}" if target else LOGIN


def office_user(permission: Permission | None) -> Callable[[Request], Staff]:
    """A dependency: the signed-in staff member, if their role has ``permission``.

    Not signed in: a redirection (303) to the sign-in form, coming back here after (GET only:
    a form posted without a session cannot be replayed). Signed in without the permission: a
    403 page. The same matrix as the API's (``gardien.server.permissions``) governs the pages.
    """

    def dependency(request: Request) -> Staff:
        staff = signed_in(request)
        if staff is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise NotSignedIn(here if request.method == "GET" else None)
        if permission is not None and not staff.can(permission):
            raise Forbidden(staff, permission)
        return staff

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the tests
    return dependency


# --- flash messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Flash:
    kind: str  # ok, warn or error: the .alert class
    message: str


def _flash_serializer(ctx: Context) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_signing_key(ctx), salt="gardien office flash")


def set_flash(request: Request, response: Response, kind: str, message: str) -> None:
    """A message for the next page (after a redirection), signed: a link cannot plant one."""
    ctx = _context(request)
    value = _flash_serializer(ctx).dumps({"k": kind, "m": message[:2000]})
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=FLASH_SECONDS,
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.production,
    )


def take_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data: Any = _flash_serializer(_context(request)).loads(raw, max_age=FLASH_SECONDS)
        kind, message = str(data["k"]), str(data["m"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return Flash(kind if kind in ("ok", "warn", "error") else "ok", message)


def clear_flash(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path=PATH)
