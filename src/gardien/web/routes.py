"""The pages on the server's app: static files, the public portal and the back office.

Mounted by ``gardien.server.app.create_app``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from gardien.web import office, portal
from gardien.web.texts_check import storable_inputs


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(packages=[("gardien.web", "static")]), name="static")
    # Every form field and query parameter checked once, before the pages read them (§6).
    checked = [Depends(storable_inputs)]
    app.include_router(portal.router, dependencies=checked)
    app.include_router(office.router, dependencies=checked)
