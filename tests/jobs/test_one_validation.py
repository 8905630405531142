"""One validation, one wording, whatever the edge (issue 9 §6, §7): a blank reason for an
archive read, a legal hold, an extension or a refusal is refused by the use case in
``gardien.jobs``, with the same code and the same message from the command line, the API and
the back office. Before, the API accepted a blank archive-read reason the CLI refused, a
blank hold reason gave 409 instead of 422, and the API's schema answered blank reasons with
its own words."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from typer.testing import CliRunner

from gardien.cli.app import app as cli
from gardien.errors import ReasonRequired
from gardien.jobs import archive, holds
from gardien.requests import workflow
from gardien.server.permissions import Role
from tests.api.conftest import EXAMPLE
from tests.web.office.conftest import Office

BLANK = "   "


def cli_refusal(office: Office, *args: str) -> tuple[int, str]:
    """Run a command on the office's store; its exit code and its error line, unwrapped."""
    env = {
        "GARDIEN_DATABASE_URL": office.api.store_url,
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_ACTOR": "dpo@test",
        "COLUMNS": "500",
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())


def api_refusal(office: Office, path: str, body: dict[str, object]) -> dict[str, object]:
    response = office.api.client.post(path, json=body, headers=office.api.headers(Role.DPO))
    assert response.status_code == 422, response.text
    error: dict[str, object] = response.json()["error"]
    return error


def office_refusal(office: Office, path: str, token_page: str, **data: str) -> str:
    dpo = office.as_role(Role.DPO)
    token = office.token(dpo, token_page)
    response: httpx.Response = dpo.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 422, response.text
    found = re.search(
        r'<div class="alert (\w+)" role="(?:alert|status)">(.*?)</div>', response.text, re.S
    )
    assert found, "no message on the page"
    return html.unescape(found[2])


def assert_refused_alike(
    message: str, cli_result: tuple[int, str], api_error: dict[str, object], page: str | None
) -> None:
    code, output = cli_result
    assert code == 2, output  # invalid input: nothing was done
    assert f"error: {message} (--reason) [reason_required]" in output
    assert api_error == {
        "code": "reason_required",
        "message": message,
        "details": {"field": "reason"},
    }
    if page is not None:
        assert page == message


def new_request(office: Office) -> str:
    response = office.api.client.post(
        "/api/v1/requests",
        json={
            "kind": "access",
            "identity": {"email": office.api.a_client_email()},
            "send_code": False,
        },
        headers=office.api.headers(Role.DPO),
    )
    assert response.status_code == 201, response.text
    request_id: str = response.json()["request"]["id"]
    return request_id


def test_a_blank_archive_read_reason_is_refused_alike(office: Office) -> None:
    message = archive.NO_REASON
    email = office.api.a_client_email()
    from_cli = cli_refusal(
        office, "archive", "read", "--system", "crm", "--table", "client",
        "--where", f"email={email}", "--reason", BLANK,
    )  # fmt: skip
    from_api = api_refusal(
        office,
        "/api/v1/archive/read",
        {"system": "crm", "table": "client", "where": {"email": email}, "reason": BLANK},
    )
    # The office has no archive page: reading the archive is the CLI's and the API's.
    assert_refused_alike(message, from_cli, from_api, None)
    assert api_refusal(
        office, "/api/v1/archive/read",
        {"system": "crm", "table": "client", "where": {"email": email}, "reason": ""},
    )["code"] == "reason_required"  # fmt: skip


def test_a_blank_hold_reason_is_refused_alike(office: Office) -> None:
    message = holds.NO_REASON
    from_cli = cli_refusal(
        office, "hold", "place", "--subject", "phone=0612345678", "--reason", BLANK
    )
    from_api = api_refusal(
        office, "/api/v1/holds", {"subject": {"phone": "0612345678"}, "reason": BLANK}
    )
    page = office_refusal(
        office, "/office/holds", "/office/holds", kind="phone", value="0612345678", reason=BLANK
    )
    assert_refused_alike(message, from_cli, from_api, page)
    assert (
        office.api.client.get("/api/v1/holds", headers=office.api.headers(Role.DPO)).json() == []
    )  # nothing was placed


@pytest.mark.parametrize(
    ("action", "message"),
    [("extend", workflow.NO_EXTENSION_REASON), ("refuse", workflow.NO_REFUSAL_REASON)],
)
def test_a_blank_decision_reason_is_refused_alike(
    office: Office, action: str, message: str
) -> None:
    request_id = new_request(office)
    from_cli = cli_refusal(office, "request", action, request_id, "--reason", BLANK)
    from_api = api_refusal(office, f"/api/v1/requests/{request_id}/{action}", {"reason": BLANK})
    page = office_refusal(
        office,
        f"/office/requests/{request_id}/{action}",
        f"/office/requests/{request_id}",
        reason=BLANK,
    )
    assert_refused_alike(message, from_cli, from_api, page)
    empty = api_refusal(office, f"/api/v1/requests/{request_id}/{action}", {"reason": ""})
    assert empty["code"] == "reason_required"  # not the schema's own wording


def test_the_refusal_is_the_use_case_s() -> None:
    with pytest.raises(ReasonRequired, match="a hold needs a reason") as refused:
        ReasonRequired.check(BLANK, holds.NO_REASON)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")


def test_a_rectified_value_longer_than_its_column_is_refused_alike_at_filing(
    office: Office,
) -> None:
    # issue 9 §4: such a value used to be filed, then fail at execution and leave the request
    # in progress for ever; a person could do it from the portal. last_name is VARCHAR(255).
    email, long_name = office.api.a_client_email(), "N" * 300
    message = "field 'last_name': 300 characters, but crm.client.last_name holds at most 255"
    env = {
        "GARDIEN_DATABASE_URL": office.api.store_url,
        "GARDIEN_REGISTRY": str(EXAMPLE),
        "GARDIEN_ACTOR": "dpo@test",
        "COLUMNS": "500",
    }
    result = CliRunner().invoke(
        cli,
        ["request", "submit", "--kind", "rectification", "--identity", f"email={email}",
         "--field", f"last_name={long_name}", "--no-code"],
        env=env,
    )  # fmt: skip
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"error: {message} (--field NAME=VALUE) [field_too_long]" in output
    from_api = api_refusal(
        office,
        "/api/v1/requests",
        {"kind": "rectification", "identity": {"email": email},
         "fields": {"last_name": long_name}, "send_code": False},
    )  # fmt: skip
    assert from_api == {
        "code": "field_too_long",
        "message": message,
        "details": {"field": "fields"},
    }
    page = office_refusal(
        office, "/office/requests/new", "/office/requests/new",
        kind="rectification", id_email=email, fields=f"last_name={long_name}",
    )  # fmt: skip
    assert page == message
    portal = office.api.client
    form = portal.get("/request?lang=en")
    answer = portal.post(
        "/request?lang=en",
        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1],  # type: ignore[index]
              "kind": "rectification", "id_email": email, "fix_field_0": "last_name",
              "fix_value_0": long_name},
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    # The person is told in their language which value is too long, and by how much.
    assert (
        'The accurate value of "last_name" is too long: at most 255 characters can be '
        "recorded (you typed 300)." in html.unescape(answer.text)
    )
    listed = office.api.client.get("/api/v1/requests", headers=office.api.headers(Role.DPO))
    assert listed.json() == []  # nothing was filed, on any edge
