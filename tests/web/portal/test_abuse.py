"""The portal's defences (issue 5 §2 "Abuse"): CSRF, rate limits, no answer that tells whether
a person is known, unguessable expiring links, single-use codes with attempt limits."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.server.ratelimit import Limits, RateLimiter
from gardien.store.schema_portal import portal_link
from tests.api.conftest import Api
from tests.web.portal.conftest import STATUS_LINK, csrf_token, last_code


def _form(portal: Api) -> str:
    return csrf_token(portal.client.get("/request?lang=en").text)


def _submit(portal: Api, email: str, token: str | None = None) -> tuple[int, str]:
    data = {"kind": "access", "id_email": email}
    if token is not None:
        data["csrf_token"] = token
    answer = portal.client.post("/request?lang=en", data=data, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", answer.text)


def test_a_form_without_its_csrf_token_changes_nothing(portal: Api) -> None:
    _form(portal)  # the visitor has the cookie, but the forged form has no token
    status, page = _submit(portal, "a@example.org")
    assert status == 400
    assert "The form has expired or cookies are disabled" in page
    status, page = _submit(portal, "a@example.org", "0" * 64)
    assert status == 400
    with sa.create_engine(portal.store_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM rights_request")).scalar() == 0


def test_a_token_from_another_visitor_is_refused(portal: Api) -> None:
    token = _form(portal)
    portal.client.cookies.clear()
    _form(portal)  # a new visitor, a new cookie
    status, _ = _submit(portal, "a@example.org", token)
    assert status == 400


def test_an_address_is_limited_in_how_many_requests_it_files(portal: Api) -> None:
    app = portal.client.app
    app.state.rate_limiter = RateLimiter(limits=Limits(submit="2/hour"))  # type: ignore[attr-defined]
    token = _form(portal)
    assert _submit(portal, "a@example.org", token)[0] == 303
    assert _submit(portal, "b@example.org", token)[0] == 303
    status, page = _submit(portal, "c@example.org", token)
    assert status == 429
    assert "Too many attempts from your connection" in page


def _normalised(page: str) -> str:
    """The page without what legitimately differs: the masked address, the link, the ids."""
    page = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "ID", page)
    page = re.sub(r"sent to [^ ]+\.", "sent to X.", page)
    page = re.sub(r"/status/[A-Za-z0-9_-]{43}", "/status/LINK", page)
    return re.sub(r'value="[0-9a-f]{64}"', 'value="CSRF"', page)


def test_the_answer_does_not_tell_whether_the_person_is_known(portal: Api, tmp_path: Path) -> None:
    known = portal.a_client_email()
    unknown = "nobody.at.all@example.org"
    token = _form(portal)
    pages = []
    for email in (known, unknown):
        status, location = _submit(portal, email, token)
        assert status == 303
        page = portal.client.get(location)
        pages.append((page.status_code, _normalised(page.text)))
    assert pages[0] == pages[1]
    # both got a code: nothing was looked up before the identity is proved (R-RGT-11)
    outbox = "\n".join(
        p.read_text("utf-8") for p in (tmp_path / "outbox").rglob("*") if p.is_file()
    )
    assert known in outbox and unknown in outbox


def test_the_status_link_is_stored_as_a_digest_and_expires(portal: Api) -> None:
    token = _form(portal)
    _, location = _submit(portal, "a@example.org", token)
    match = STATUS_LINK.search(location)
    assert match
    secret = match.group(1)
    with sa.create_engine(portal.store_url).connect() as conn:
        rows = conn.execute(sa.select(portal_link)).all()
    assert len(rows) == 1
    assert rows[0].digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(rows[0])
    assert portal.client.get(f"/status/{secret}").status_code == 200
    # a link differing by one character opens nothing
    other = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert portal.client.get(f"/status/{other}").status_code == 404
    # six months later the link is dead
    ctx = portal.client.app.state.gardien  # type: ignore[attr-defined]
    ctx.clock = FixedClock(ctx.clock.now() + timedelta(days=190))
    assert portal.client.get(f"/status/{secret}").status_code == 404


def test_a_code_works_once_and_allows_five_attempts(portal: Api, tmp_path: Path) -> None:
    token = _form(portal)
    _, location = _submit(portal, "a@example.org", token)
    secret = STATUS_LINK.search(location).group(1)  # type: ignore[union-attr]
    code = last_code(tmp_path / "outbox")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = portal.client.post(
            f"/status/{secret}/verify?lang=en", data={"csrf_token": token, "code": wrong}
        )
        assert answer.status_code == 422
    answer = portal.client.post(
        f"/status/{secret}/verify?lang=en", data={"csrf_token": token, "code": code}
    )
    assert answer.status_code == 422
    assert "Too many attempts for this code" in answer.text
    # a new code, then it works once
    portal.client.post(f"/status/{secret}/resend?lang=en", data={"csrf_token": token})
    fresh = last_code(tmp_path / "outbox")
    ok = portal.client.post(
        f"/status/{secret}/verify?lang=en",
        data={"csrf_token": token, "code": fresh},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    again = portal.client.post(
        f"/status/{secret}/verify?lang=en", data={"csrf_token": token, "code": fresh}
    )
    assert again.status_code == 422


def test_pages_are_not_cached_and_not_framed(portal: Api) -> None:
    page = portal.client.get("/request")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_package_download_is_audited(portal: Api, tmp_path: Path) -> None:
    from gardien.server.permissions import Role

    token = _form(portal)
    _, location = _submit(portal, portal.a_client_email(), token)
    secret = STATUS_LINK.search(location).group(1)  # type: ignore[union-attr]
    assert portal.client.get(f"/status/{secret}/package").status_code == 404  # not run yet
    portal.client.post(
        f"/status/{secret}/verify",
        data={"csrf_token": token, "code": last_code(tmp_path / "outbox")},
    )
    dpo = portal.headers(Role.DPO)
    request_id = portal.client.get("/api/v1/requests", headers=dpo).json()[0]["id"]
    assert (
        portal.client.post(f"/api/v1/requests/{request_id}/run", headers=dpo, json={}).status_code
        == 200
    )
    assert portal.client.get(f"/status/{secret}/package").status_code == 200
    events = portal.client.get(
        "/api/v1/audit/events?action=request.package.exported", headers=dpo
    ).json()
    assert [e["actor"] for e in events] == ["portal"]
