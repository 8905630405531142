"""Lay the notice out as Markdown, HTML (Jinja2 templates beside this module) or PDF (WeasyPrint).

Every registry value reaches the output escaped: HTML through Jinja2's autoescape, Markdown
through a finalizer that backslash-escapes the characters Markdown would interpret.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from gardien.publish.document import NoticeDocument
from gardien.publish.notice import build_notice
from gardien.registry.model import Registry


class NoticeFormat(StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_LINK = re.compile(
    r"(?P<url>https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)])|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
)


# A hard line break inside a list item: backslash, newline, indentation (CommonMark).
_MD_LINE_BREAK = Markup("\\\n  ")


def markdown_escape(value: object) -> object:
    """Backslash-escape what Markdown would read as markup, so a registry value stays text."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _MD_SPECIAL.sub(r"\\\1", value.replace("\n", " "))
    return value


def linkify(value: str) -> Markup:
    """Escape ``value``, and make its web (http, https) and e-mail addresses clickable.

    The addresses are found in the text as written, then each piece is escaped on its own: an
    address ends where the text has a quote or an angle bracket, never inside an escaped
    entity, and no other scheme (``javascript:``, ``data:``) ever becomes a link (issue 9 §3).
    """
    if "@" not in value and "://" not in value:
        return escape(value)  # most texts hold no address: skip the regular expression
    pieces: list[str] = []
    end = 0
    for match in _LINK.finditer(value):
        text = match.group(0)
        href = text if match.group("url") else f"mailto:{text}"
        pieces.append(str(escape(value[end : match.start()])))
        pieces.append(f'<a href="{escape(href)}">{escape(text)}</a>')
        end = match.end()
    pieces.append(str(escape(value[end:])))
    return Markup("".join(pieces))


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) address, to put in an ``href``; else None (shown as
    text, never as a link: a registry's ``javascript:`` or ``data:`` URL must not run)."""
    if value is None:
        return None
    return value if value.strip().lower().startswith(("https://", "http://")) else None


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("gardien.publish", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        finalize=None if autoescape else markdown_escape,
    )
    env.filters["linkify"] = linkify
    return env


@cache
def _html_environment() -> Environment:
    return _environment(autoescape=True)


@cache
def _markdown_environment() -> Environment:
    return _environment(autoescape=False)


def _stylesheet() -> Markup:
    css = resources.files("gardien.publish").joinpath("templates/notice.css").read_text("utf-8")
    return Markup(css)


def notice_markdown(document: NoticeDocument) -> str:
    text = (
        _markdown_environment()
        .get_template("notice.md.j2")
        .render(doc=document, line_break=_MD_LINE_BREAK)
    )
    # Blank lines left by template logic: at most one in a row, one newline at the end.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def notice_html(document: NoticeDocument) -> str:
    text = (
        _html_environment().get_template("notice.html.j2").render(doc=document, css=_stylesheet())
    )
    return re.sub(r"\n{2,}", "\n", text)


def notice_pdf(document: NoticeDocument) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which the other formats do not need.
    from weasyprint import HTML

    pdf: bytes = HTML(string=notice_html(document)).write_pdf()
    return pdf


def render_notice(registry: Registry, lang: str, fmt: NoticeFormat) -> bytes:
    """The notice of ``registry`` in ``lang`` and ``fmt`` as it is, gaps and all: for tests
    and golden files. What is published goes through ``publish.publication.prepare_notice``
    and :func:`render_document`."""
    return render_document(build_notice(registry, lang), fmt)


def render_document(document: NoticeDocument, fmt: NoticeFormat) -> bytes:
    """A built notice (published or draft) in ``fmt``, as the bytes to write."""
    if fmt is NoticeFormat.MD:
        return notice_markdown(document).encode("utf-8")
    if fmt is NoticeFormat.HTML:
        return notice_html(document).encode("utf-8")
    return notice_pdf(document)
