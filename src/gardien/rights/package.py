"""The zip a person receives: the access package (Art. 15) and the portability package (Art. 20).

Access: ``letter.html`` and ``letter.pdf`` (the reply, with the Art. 15(1) information), and
for each table holding the person's rows ``data/<system>.<table>.json`` and ``.csv``.
Portability: ``data.json``, the data the person provided, structured for another controller.

The same inputs give the same bytes: entries in a fixed order, dated by the request's receipt,
with fixed permissions, so that a package can be re-exported and compared with the one sent.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from gardien.registry.model import Registry
from gardien.rights.access import (
    RequestReference,
    TableCopy,
    access_copies,
    dump_json,
    package_language,
    portability_copies,
    table_csv,
    table_json,
)
from gardien.rights.access_letter import build_access_letter
from gardien.rights.access_wording import letter_words
from gardien.rights.locate import PersonLocation

PORTABILITY_FORMAT = "gardien-portability/1"


def deterministic_zip(entries: Mapping[str, bytes], at: dt.datetime) -> bytes:
    """A zip of ``entries`` in name order, every entry dated ``at`` (to the day), mode 0644."""
    stamp = (max(at.year, 1980), at.month, at.day, 0, 0, 0)  # the zip format starts in 1980
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the platform writing it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()


def _data_files(copies: list[TableCopy], archive_label: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for copy in copies:
        files[f"data/{copy.where}.json"] = dump_json(table_json(copy))
        files[f"data/{copy.where}.csv"] = table_csv(copy, archive_label)
    return files


def _request(reference: RequestReference) -> dict[str, Any]:
    return {"id": reference.id, "received_at": reference.received_at.isoformat()}


def access_package(
    registry: Registry,
    location: PersonLocation,
    reference: RequestReference,
    lang: str | None = None,
    *,
    pdf: bool = True,
) -> bytes:
    """The access package of one request (Art. 15): the letter and a copy of every row found.

    ``lang`` is fr or en, default the registry's first language. ``pdf=False`` leaves the PDF
    out (it is the slow part) for a caller that only needs the data.
    """
    # Imported here: the letter's layout needs Jinja2 (and WeasyPrint for the PDF).
    from gardien.rights.access_render import letter_html, letter_pdf

    lang = package_language(registry, lang)
    copies = access_copies(registry, location, lang)
    files = _data_files(copies, "archive" if lang == "fr" else "archived")
    names = {copy.where: [f"data/{copy.where}.json", f"data/{copy.where}.csv"] for copy in copies}
    letter = build_access_letter(registry, location, copies, names, reference, lang)
    files["letter.html"] = letter_html(letter, reference.answered_on).encode("utf-8")
    if pdf:
        files["letter.pdf"] = letter_pdf(letter, reference.answered_on)
    return deterministic_zip(files, reference.received_at)


def portability_data(
    registry: Registry,
    location: PersonLocation,
    reference: RequestReference,
    lang: str | None = None,
) -> dict[str, Any]:
    """Art. 20: the provided data, as one JSON document another controller can read."""
    lang = package_language(registry, lang)
    words = letter_words(lang)
    return {
        "format": PORTABILITY_FORMAT,
        "controller": registry.controller.name,
        "request": _request(reference),
        "description": words["portability_note"],
        "tables": [
            table_json(copy, with_archive=False)
            for copy in portability_copies(registry, location, lang)
        ],
    }


def portability_package(
    registry: Registry,
    location: PersonLocation,
    reference: RequestReference,
    lang: str | None = None,
) -> bytes:
    """The portability package of one request: ``data.json`` in a zip."""
    data = portability_data(registry, location, reference, lang)
    return deterministic_zip({"data.json": dump_json(data)}, reference.received_at)
