"""The pages on the server's app: static files, the public portal and the back office.

Mounted by ``gardien.server.app.create_app``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gardien.web import office, portal


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(packages=[("gardien.web", "static")]), name="static")
    app.include_router(portal.router)
    app.include_router(office.router)
