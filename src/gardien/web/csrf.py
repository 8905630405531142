"""Cross-site request forgery protection for every form (issue 5 §2: "CSRF protection on forms").

Signed double submit: the browser holds a random value in an HttpOnly, SameSite=Lax cookie, and
each form carries HMAC(key, value) in a hidden field. Another site can make the browser post a
form, but it can neither read the cookie nor compute the field for it, so the check fails. No
server-side state is needed, which keeps the public portal cheap to serve.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "gardien_csrf"
FIELD = "csrf_token"
_STATE = "gardien_csrf_value"


class CsrfError(Exception):
    """A form arrived without a valid token: an old page, cookies refused, or a forgery."""


def _sign(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _cookie_value(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    # Only values we could have made: 43 URL-safe characters (32 random bytes).
    if value and len(value) == 43 and value.replace("-", "").replace("_", "").isalnum():
        return value
    return None


def form_token(request: Request, key: bytes) -> str:
    """The hidden field's value for a page being rendered; ``attach`` sets the cookie after."""
    value = getattr(request.state, _STATE, None) or _cookie_value(request)
    if value is None:
        value = secrets.token_urlsafe(32)
    setattr(request.state, _STATE, value)
    return _sign(key, value)


def attach(request: Request, response: Response, *, secure: bool) -> None:
    """Set the cookie if this page issued a new value (or refresh it: same value)."""
    value = getattr(request.state, _STATE, None)
    if value is not None and value != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE, value, httponly=True, samesite="lax", secure=secure, path="/", max_age=None
        )


def check(request: Request, submitted: str | None, key: bytes) -> None:
    value = _cookie_value(request)
    if value is None or not submitted or not hmac.compare_digest(_sign(key, value), submitted):
        raise CsrfError("the form's security token is missing or does not match")
