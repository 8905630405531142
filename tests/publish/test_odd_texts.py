"""Registry texts that are odd but valid reach every output as written (issue 9 §6).

Control characters, lone surrogates and non-characters are refused when the registry is read
(tests/data/invalid/*-in-a-*.yaml); everything else is text a notice may hold: other scripts
and their direction marks, emoji, combining accents, line separators, markup-like text, very
long words. Each is published in every format, PDF included.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_notice
from gardien.registry.loader import load_registry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
ODD = [
    "\u202eevil\u202c and \u2066isolated\u2069",  # bidi override and isolate
    "مراقبة عن بعد",  # right-to-left script
    "zero\u200bwidth and \ufeffBOM inside",
    "\U0001f600 emoji and e\u0301 combining",
    "line\u2028separator\u2029paragraph",
    "tab\tand\rreturn",
    "<script>alert(1)</script> & *_[`#|\\",
    "x" * 5000,  # one word far wider than a page
    "${HOME} stays as written",
]


@pytest.fixture(scope="module")
def odd_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    tree["controller"]["name"] = ODD[0]
    for index, (activity, odd) in enumerate(zip(tree["activities"].values(), ODD, strict=False)):
        activity["purpose"] = {"fr": odd, "en": ODD[-1 - index]}
    first = next(iter(tree["data"].values()))
    first["label"] = {"fr": ODD[4], "en": ODD[5]}
    path = tmp_path_factory.mktemp("odd") / "odd.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", list(NoticeFormat), ids=str)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_notice_publishes_odd_texts(odd_registry: Path, fmt: NoticeFormat, lang: str) -> None:
    data = render_notice(load_registry(odd_registry), lang, fmt)
    if fmt is NoticeFormat.PDF:
        assert data.startswith(b"%PDF")
        return
    text = data.decode("utf-8")
    assert ODD[0] in text
    assert "<script>" not in text  # escaped, in Markdown as in HTML


@pytest.mark.parametrize("fmt", list(RecordFormat), ids=str)
def test_the_record_publishes_odd_texts(odd_registry: Path, fmt: RecordFormat) -> None:
    data = render_record(load_registry(odd_registry), "fr", fmt)
    if fmt is RecordFormat.XLSX:
        workbook = load_workbook(io.BytesIO(data))
        values = {c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row}
        assert ODD[1] in values
    elif fmt is RecordFormat.JSON:
        purposes = [a["purpose"] for a in json.loads(data)["activities"]]
        assert ODD[1] in purposes
    else:
        assert ODD[1] in data.decode("utf-8-sig")
