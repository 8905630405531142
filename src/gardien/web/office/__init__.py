"""The DPO team's back office at ``/office`` (issue 5 §3): server-rendered, plain HTML forms,
no JavaScript needed, behind a session login; the server's permission matrix (``gardien.server.permissions``) governs each page.

- ``session``: the signed session cookie, ``office_user(permission)``, flash messages;
- ``pages``: the route class turning refusals into pages, rendering, CSRF checks;
- ``auth``: sign in and out; ``queue``: the request queue; ``requests``: a request's page and actions;
  ``intake``: requests received by letter or e-mail, new codes; ``retention``, ``holds``,
  ``audit``: the DPO's and the auditor's operations; ``consent``: the consent look-up;
  ``accounts``: the administrator's staff accounts.
"""

from __future__ import annotations

from fastapi import APIRouter

from gardien.web.office import (
    accounts,
    audit,
    auth,
    consent,
    holds,
    intake,
    queue,
    requests,
    retention,
)

# intake before requests: /office/requests/new is not a request id.
PARTS = (
    auth.router,
    queue.router,
    intake.router,
    requests.router,
    retention.router,
    holds.router,
    audit.router,
    consent.router,
    accounts.router,
)

router = APIRouter(include_in_schema=False)  # pages, not API endpoints: no OpenAPI entry
for _part in PARTS:
    router.include_router(_part)

__all__ = ["PARTS", "router"]
