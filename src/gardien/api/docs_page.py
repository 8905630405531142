"""``/api/docs``: Swagger UI served from this server, not from a CDN.

FastAPI's default page loads Swagger UI's script and stylesheet from a public CDN, which tells a
third party of every staff visit and shows a blank page on a network without the internet. The
files come from the ``fastapi-swagger`` package instead (Swagger UI 5, which reads OpenAPI 3.1).

The page starts Swagger UI with an inline script: its Content-Security-Policy allows that one
script by its SHA-256 (CSP level 2), not inline scripts in general; Swagger UI sets inline
styles. Every other response gets the server's stricter policy (``gardien.server.headers``).
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/docs/assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def install(app: FastAPI, openapi_url: str) -> None:
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_swagger", "resources")]), name="swagger-ui")

    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} — API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )
    body = bytes(page.body)
    policy = _policy(body.decode("utf-8"))

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(body, headers={"Content-Security-Policy": policy})


def _policy(html: str) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
