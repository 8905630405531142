"""Registry texts are data, never markup, in every output (issue 9 §3.5).

A registry copied from examples/ with markup in its texts, as a careless or hostile editor
could write it: script tags, event handlers, ``javascript:`` links in HTML and in Markdown,
Markdown images and autolinks, and spreadsheet formulas. The notice (Markdown, rendered the
way a site would render it, and HTML), the record (CSV, XLSX), the portal and the back office
show each text as written, and nothing in them runs or links anywhere.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from csv import reader as csv_reader
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from gardien.clock import FixedClock
from gardien.jobs import requests as jobs
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_notice
from gardien.registry.loader import load_registry
from gardien.server.app import create_app
from gardien.server.permissions import Role
from gardien.settings import Settings
from gardien.store import accounts
from gardien.store.database import open_store
from tests.api.conftest import EXAMPLE, NOW
from tests.web.portal.conftest import csrf_token

HOSTILE = [
    "<script>alert('purpose')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![pixel](https://tracker.example/p.png)",
    "<javascript:alert(2)>",
    '"><svg onload=alert(3)>',
    '=HYPERLINK("https://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
FORBIDDEN_TAGS = {"script", "img", "svg", "iframe", "object", "embed"}


class _Elements(HTMLParser):
    """What a browser would build from the HTML: the elements and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action") and value is not None:
                target = value.strip().lower()
                if not target.startswith(("/", "#", "?", "https://", "http://", "mailto:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if any(c in value for c in "\"'<> "):  # an address ends at a quote
                    self.problems.append(f"<{tag} {name}={value!r}>")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    tree["controller"]["name"] = HOSTILE[0]
    tree["controller"]["description"] = {"fr": HOSTILE[1], "en": HOSTILE[2]}
    tree["controller"]["authority"]["url"] = "javascript:alert('authority')"
    for index, activity in enumerate(tree["activities"].values()):
        activity["purpose"] = {
            "fr": HOSTILE[index % len(HOSTILE)],
            "en": HOSTILE[(index + 3) % len(HOSTILE)],
        }
    for index, item in enumerate(tree["data"].values()):
        item["label"] = {"fr": HOSTILE[(index + 1) % len(HOSTILE)], "en": HOSTILE[index % 3]}
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _inert(html: str, where: str) -> None:
    elements = _Elements()
    elements.feed(html)
    elements.close()
    assert not elements.problems, f"{where}: registry text came out as markup: {elements.problems}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_html_notice_shows_markup_as_text(hostile: Path, lang: str) -> None:
    html = render_notice(load_registry(hostile), lang, NoticeFormat.HTML).decode()
    _inert(html, "notice.html")
    assert "&lt;script&gt;alert(&#39;purpose&#39;)&lt;/script&gt;" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_markdown_notice_renders_to_text_only(hostile: Path, lang: str) -> None:
    markdown = render_notice(load_registry(hostile), lang, NoticeFormat.MD).decode()
    # As a site would publish it: CommonMark with raw HTML allowed, and GFM's autolinks.
    html = MarkdownIt("commonmark", {"html": True, "linkify": False}).render(markdown)
    _inert(html, "notice.md rendered")
    assert "[click me](javascript:alert(1))" in html  # shown as typed


def test_the_record_holds_no_formula(hostile: Path) -> None:
    text = render_record(load_registry(hostile), "fr", RecordFormat.CSV).decode("utf-8-sig")
    cells = [cell for row in csv_reader(io.StringIO(text)) for cell in row]
    assert any(HOSTILE[6] in cell for cell in cells)  # the text is there, as written
    formulas = [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert not formulas, f"CSV cells a spreadsheet would run: {formulas}"
    workbook = load_workbook(
        io.BytesIO(render_record(load_registry(hostile), "fr", RecordFormat.XLSX))
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


@pytest.fixture
def app_on(
    hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, str]]:
    systems = f"sqlite:///{tmp_path / 'systems.db'}"
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems)
    monkeypatch.setenv("GARDIEN_OUTBOX", str(tmp_path / "outbox"))
    store = f"sqlite:///{tmp_path / 'gardien.db'}"
    engine = open_store(store)
    accounts.create(engine, FixedClock(NOW), name="dpo", role=Role.DPO.value, actor="test")
    accounts.set_password(engine, FixedClock(NOW), "dpo", "a long enough passphrase", "test")
    engine.dispose()
    settings = Settings(database_url=store, registry=hostile, env="dev")
    with TestClient(
        create_app(settings, clock=FixedClock(NOW)), raise_server_exceptions=False
    ) as client:
        yield client, store


def test_the_portal_and_the_office_show_markup_as_text(app_on: tuple[TestClient, str]) -> None:
    client, store = app_on
    for lang in ("fr", "en"):
        for path in ("/", "/request", "/notice"):
            page = client.get(f"{path}?lang={lang}")
            assert page.status_code == 200, (path, page.status_code)
            _inert(page.text, f"{path}?lang={lang}")
    # A request answered: its status page names the authority and links to its site.
    token = csrf_token(client.get("/request?lang=en").text)
    filed = client.post(
        "/request?lang=en",
        data={"kind": "access", "id_email": "a@example.org", "csrf_token": token},
        follow_redirects=False,
    )
    engine = open_store(store)
    (request_id,) = [r.id for r in jobs.list_requests(engine)]
    jobs.refuse(engine, FixedClock(NOW), request_id, actor="agent", reason=HOSTILE[1])
    engine.dispose()
    status = client.get(filed.headers["location"])
    assert "javascript:alert(&#39;authority&#39;)" in status.text  # shown, not linked
    _inert(status.text, "status page")
    # The back office, signed in.
    form = client.get("/office/login")
    client.post(
        "/office/login",
        data={
            "name": "dpo",
            "password": "a long enough passphrase",
            "csrf_token": csrf_token(form.text),
        },
    )
    for path in (
        "/office",
        f"/office/requests/{request_id}",
        "/office/requests/new",
        "/office/retention",
        "/office/consent",
        "/office/holds",
    ):
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        _inert(page.text, path)
