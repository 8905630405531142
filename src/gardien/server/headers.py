"""The security headers of every response: pages, JSON, downloads, redirects, 404s and 500s
(issue 9 §3).

One pure ASGI middleware, wrapped around the whole application by ``gardien.server.app``, even
outside Starlette's own error middleware, so that an unexpected error's 500 carries them as
well. A header a route set itself is kept (the API's docs page has its own policy, for Swagger
UI's inline script); otherwise:

- ``Content-Security-Policy``: only this server's stylesheets, images and forms; no scripts
  from anywhere else, no plugins, no ``<base>``; never framed (clickjacking on the back office's
  buttons);
- ``X-Frame-Options: DENY``: the same for browsers without ``frame-ancestors``;
- ``Referrer-Policy: no-referrer``: status links are secrets, and must not leak to a site a
  page links to;
- ``Cache-Control: no-store``: responses carry personal data (status pages, the back office,
  requests, packages, consent answers), so no proxy or browser keeps them; the stylesheets
  and Swagger UI's files under ``/static`` and ``/api/docs/assets`` may be cached;
- ``X-Content-Type-Options: nosniff``: a download is what it says it is;
- ``Strict-Transport-Security`` in production (``GARDIEN_ENV=production``).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PUBLIC_FILES = ("/static/", "/api/docs/assets/")
"""Files without personal data: the browser may keep them."""

COMMON: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
)
HSTS = ("strict-transport-security", "max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, production: bool = False) -> None:
        self.app = app
        self.production = production

    def defaults(self, path: str) -> list[tuple[str, str]]:
        public = path.startswith(PUBLIC_FILES)
        cache = ("cache-control", "public, max-age=3600" if public else "no-store")
        return [*COMMON, cache, *((HSTS,) if self.production else ())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self.defaults(str(scope.get("path", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in defaults:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
