"""A person's path through the portal: notice, form, code, status, package."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.api.conftest import Api
from tests.web.portal.conftest import STATUS_LINK, csrf_token, last_code


def submit(portal: Api, **fields: str) -> tuple[int, str, str | None]:
    form = portal.client.get("/request?lang=en")
    data = {"csrf_token": csrf_token(form.text), **fields}
    answer = portal.client.post("/request?lang=en", data=data, follow_redirects=False)
    return answer.status_code, answer.text, answer.headers.get("location")


def test_access_request_from_form_to_package(portal: Api, tmp_path: Path) -> None:
    email = portal.a_client_email()
    status, _, location = submit(portal, kind="access", id_email=email)
    assert status == 303 and location is not None
    secret = STATUS_LINK.search(location)
    assert secret
    page = portal.client.get(location)
    assert "a code has just been sent to" in page.text
    assert email not in page.text  # masked
    code = last_code(tmp_path / "outbox")
    verified = portal.client.post(
        f"/status/{secret.group(1)}/verify?lang=en",
        data={"csrf_token": csrf_token(page.text), "code": code},
        follow_redirects=True,
    )
    assert verified.status_code == 200
    assert "Identity confirmed" in verified.text
    # an agent runs it (the back office does the same through the same job)
    request_id = portal.client.get(
        "/api/v1/requests", headers=portal.headers(portal_role())
    ).json()[0]["id"]
    ran = portal.client.post(
        f"/api/v1/requests/{request_id}/run", headers=portal.headers(portal_role()), json={}
    )
    assert ran.status_code == 200, ran.text
    done = portal.client.get(f"/status/{secret.group(1)}?lang=en")
    assert "Download the answer" in done.text
    package = portal.client.get(f"/status/{secret.group(1)}/package")
    assert package.status_code == 200
    assert package.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert names


def portal_role():  # type: ignore[no-untyped-def]
    from gardien.server.permissions import Role

    return Role.DPO


def test_a_dead_page_answers_in_html_and_the_api_in_json(portal: Api) -> None:
    page = portal.client.get("/no-such-page?lang=en")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "This link does not exist" in page.text
    api = portal.client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_a_rectification_names_the_data_and_its_right_value(portal: Api, tmp_path: Path) -> None:
    import sqlalchemy as sa

    email = portal.a_client_email()
    status, page, _ = submit(portal, kind="rectification", id_email=email)
    assert status == 422
    assert "give at least one piece of data to correct" in page
    status, _, location = submit(
        portal,
        kind="rectification",
        id_email=email,
        fix_field_0="last_name",
        fix_value_0="Exact-Name",
        fix_field_1="no_such_column",
        fix_value_1="ignored",
    )
    assert status == 303 and location
    page = portal.client.get(location)
    portal.client.post(
        location.split("?")[0] + "/verify",
        data={"csrf_token": csrf_token(page.text), "code": last_code(tmp_path / "outbox")},
    )
    dpo = portal.headers(portal_role())
    request = portal.client.get("/api/v1/requests", headers=dpo).json()[0]
    assert request["details"]["fields"] == {"last_name": "Exact-Name"}
    ran = portal.client.post(f"/api/v1/requests/{request['id']}/run", headers=dpo, json={})
    assert ran.status_code == 200, ran.text
    with sa.create_engine(portal.systems_url).connect() as conn:
        names = (
            conn.execute(sa.text("SELECT last_name FROM client WHERE email = :e"), {"e": email})
            .scalars()
            .all()
        )
    assert names and set(names) == {"Exact-Name"}


def test_a_dead_back_office_page_answers_in_english(portal: Api) -> None:
    page = portal.client.get("/office/no-such-page")
    assert page.status_code == 404
    assert "This link does not exist" in page.text
