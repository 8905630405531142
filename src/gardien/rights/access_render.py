"""The access letter laid out as HTML (Jinja2) and PDF (WeasyPrint), in the notice's style.

The letter's blocks are the notice's (gardien.publish.document), so its template includes the
notice's block template and stylesheet; every value is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from importlib import resources

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from gardien.publish.document import Section
from gardien.publish.render import linkify
from gardien.rights.access_letter import AccessLetter


@cache
def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("gardien.rights", "templates"),
                PackageLoader("gardien.publish", "templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["linkify"] = linkify
    return env


@cache
def _css(package: str, name: str) -> Markup:
    return Markup(resources.files(package).joinpath(f"templates/{name}").read_text("utf-8"))


@lru_cache(maxsize=1024)
def _section_html(section: Section, number: int) -> Markup:
    """One section of a letter. Most sections depend only on the registry and the activities
    concerned, so a batch of requests renders each of them once, not once per person."""
    template = _environment().get_template("access_section.html.j2")
    return Markup(template.render(section=section, number=number))


def letter_html(letter: AccessLetter, created: dt.date) -> str:
    """The letter as one self-contained HTML page; ``created`` dates the document's metadata."""
    text = (
        _environment()
        .get_template("access_letter.html.j2")
        .render(
            doc=letter,
            sections_html=[_section_html(s, n) for n, s in enumerate(letter.sections, start=1)],
            css=_css("gardien.publish", "notice.css"),
            letter_css=_css("gardien.rights", "access_letter.css"),
            created=created.isoformat(),
        )
    )
    return re.sub(r"\n{2,}", "\n", text)


_EPOCH_LOCK = threading.Lock()


@contextmanager
def _dated(created: dt.date) -> Iterator[None]:
    """Font subsets carry a "modified" timestamp, which fontTools takes from
    ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds): set it to the letter's date for
    the time of the rendering, so that the same letter gives the same PDF bytes."""
    epoch = int(dt.datetime.combine(created, dt.time(), tzinfo=dt.UTC).timestamp())
    with _EPOCH_LOCK:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous


def letter_pdf(letter: AccessLetter, created: dt.date) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which the data copy does not need.
    from weasyprint import HTML

    with _dated(created):
        pdf: bytes = HTML(string=letter_html(letter, created)).write_pdf()
    return pdf
