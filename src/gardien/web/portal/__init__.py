"""The public rights portal (issue 5 §2): the notice, a form for every right, identity by
one-time code, a status page behind a secret link, and the answer package to download.

What protects it (issue 5 §2 "Abuse"):
- every form carries a CSRF token (``web.csrf``);
- each client address is rate limited per action (``web.ratelimit``);
- one-time codes are single-use, expire and allow a few attempts (``requests.verification``);
- the answer to a submission is the same whether or not the person is known to any system: the
  request is recorded and a code sent to the address the person typed, nothing is looked up
  before the identity is proved (R-RGT-11), so nothing leaks;
- the status link carries 256 random bits, is stored only as a digest and expires
  (``store.portal_links``); the package is downloadable for 30 days, each download audited.
"""

from __future__ import annotations

from fastapi import APIRouter

from gardien.web.portal import form, pages, status

router = APIRouter(include_in_schema=False)
for _part in (pages.router, form.router, status.router):
    router.include_router(_part)

__all__ = ["router"]
