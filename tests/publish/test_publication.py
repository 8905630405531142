"""Issue 11 §1: a notice is published only when nothing blocks it; otherwise a marked draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.app import app
from gardien.publish.publication import NoticeNotPublishable, prepare_notice
from gardien.publish.render import NoticeFormat, render_document
from gardien.registry.checker import check_path
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _without_notice_date(tmp_path: Path) -> Path:
    text = (EXAMPLES / "ima-protect.yaml").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.strip().startswith("date:")]
    assert len(lines) == len(text.splitlines()) - 1, "the example has one notice date"
    path = tmp_path / "undated.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_a_registry_without_error_or_gap_is_published_as_it_is(ima_protect: Registry) -> None:
    publication = prepare_notice(ima_protect, "fr")
    assert publication.publishable and publication.document.draft is None
    text = render_document(publication.document, NoticeFormat.MD).decode()
    assert "PROJET" not in text and "non renseign" not in text


def test_a_registry_in_error_is_refused_with_each_blocking_finding_named() -> None:
    report = check_path(EXAMPLES / "ima-group.yaml")
    assert report.reading.registry is not None
    with pytest.raises(NoticeNotPublishable) as refused:
        prepare_notice(
            report.reading.registry,
            "fr",
            findings=report.findings,
            source=report.reading.source,
        )
    lines = [b.render() for b in refused.value.blocking]
    # the check's error, at its line, and the placeholder the notice would have printed
    assert any("ima-group.yaml:92:" in line and "GD401" in line for line in lines)
    assert any("recipients.wafa-ima.safeguard" in line for line in lines)
    assert refused.value.details()["blocking"] == lines


def test_an_undated_notice_only_warned_about_by_check_is_still_not_published(
    tmp_path: Path,
) -> None:
    path = _without_notice_date(tmp_path)
    report = check_path(path)
    assert not report.errors and any(f.code == "GD105" for f in report.warnings)
    with pytest.raises(NoticeNotPublishable) as refused:
        prepare_notice(load_registry(path), "en")
    assert [b.code for b in refused.value.blocking] == ["gap"]
    assert "controller.notice.date" in refused.value.blocking[0].message


@pytest.mark.parametrize(
    ("lang", "label"), [("fr", "PROJET — ne pas publier"), ("en", "DRAFT — not for publication")]
)
def test_a_draft_is_marked_and_lists_what_blocks_it(lang: str, label: str) -> None:
    publication = prepare_notice(load_registry(EXAMPLES / "ima-group.yaml"), lang, draft=True)
    assert not publication.publishable
    markdown = render_document(publication.document, NoticeFormat.MD).decode()
    assert markdown.startswith(f"> **{label}**")
    assert f"# {label} · " in markdown  # the title, and
    assert markdown.rstrip().splitlines()[-1].startswith(label)  # the closing line
    html = render_document(publication.document, NoticeFormat.HTML).decode()
    assert f'<aside class="draft-notice" role="alert" data-draft-label="{label}">' in html
    assert f"<title>{label} · " in html
    for blocking in publication.blocking:
        assert blocking.code in markdown and blocking.code in html
    # the printed label on every PDF page comes from the aside (notice.css, string-set)
    assert "string-set: draft attr(data-draft-label)" in html


def test_gardien_notice_refuses_exit_1_and_writes_a_draft_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    target = tmp_path / "notice.md"
    refused = runner.invoke(app, ["notice", "examples/ima-group.yaml", "-o", str(target)])
    assert refused.exit_code == 1
    assert "GD401" in refused.output and "cannot be published" in refused.output
    assert not target.exists()
    draft = runner.invoke(
        app, ["notice", "examples/ima-group.yaml", "--lang", "fr", "--draft", "-o", str(target)]
    )
    assert draft.exit_code == 0, draft.output
    assert target.read_text("utf-8").startswith("> **PROJET — ne pas publier**")
    published = runner.invoke(app, ["notice", "examples/ima-protect.yaml", "-o", str(target)])
    assert published.exit_code == 0, published.output
    assert "PROJET" not in target.read_text("utf-8")
