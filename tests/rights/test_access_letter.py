"""The access letter gives the Art. 15(1)(a)–(h) information for the person's activities only."""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from io import BytesIO

import pytest

from gardien.publish.wording import wording_for
from gardien.rights.access import RequestReference
from gardien.rights.locate import PersonLocation, locate
from gardien.rights.package import access_package
from tests.rights.conftest import JEAN, World

REFERENCE = RequestReference("R-2026-0042", dt.datetime(2026, 6, 1, 9, 0), dt.date(2026, 6, 16))


def letter_text(world: World, location: PersonLocation, lang: str) -> str:
    package = access_package(world.registry, location, REFERENCE, lang, pdf=False)
    with zipfile.ZipFile(BytesIO(package)) as archive:
        page = archive.read("letter.html").decode("utf-8")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def found(world: World, identity: dict[str, str]) -> PersonLocation:
    return locate(world.registry, [("r", identity)], world.connectors)["r"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_customer_gets_every_article_15_item(sqlite_world: World, lang: str) -> None:
    registry = sqlite_world.registry
    w = wording_for(lang)
    text = letter_text(sqlite_world, found(sqlite_world, JEAN), lang)
    contract = registry.activities["contract"]
    recording = registry.activities["call-recording"]

    assert {"fr": "Oui.", "en": "Yes."}[lang] in text  # confirmation
    assert "jean.martin@x.fr" in text and "+33612345678" in text  # what was searched
    # (a) purposes and their legal bases
    assert contract.purpose[lang] in text and recording.purpose[lang] in text
    assert w.legal_basis(contract.legal_basis)[1:] in text
    # (b) categories of data
    assert registry.data["recording"].label[lang] in text
    assert registry.data["site"].label[lang] in text
    # (c) recipients, (d) retention in words
    assert registry.recipients["prescriber"].label[lang] in text
    assert registry.recipients["call-tech-providers"].label[lang] in text
    assert w.retention(contract.retention["client"]) in text
    assert w.retention(recording.retention["caller"]) in text
    # (e) rights, (f) complaint, (g) source, (h) automated decisions
    for right in ("Right of access", "Right to erasure", "Right to data portability"):
        name = {"Right of access": "Droit d'accès", "Right to erasure": "Droit à l'effacement",
                "Right to data portability": "Droit à la portabilité"}[right]  # fmt: skip
        assert (name if lang == "fr" else right) in text
    assert "CNIL" in text and "https://www.cnil.fr" in text
    source = contract.source["client"]
    assert w.source(source.kind, (source.description or {})[lang], source.public) in text
    assert w["automated_none"] in text
    # the restricted archive is said, with the files attached
    assert "data/crm.client.json" in text
    assert {"fr": "archive intermédiaire", "en": "intermediate archive"}[lang] in text


def test_a_caller_only_is_told_about_recordings_only(sqlite_world: World) -> None:
    registry = sqlite_world.registry
    # A recording of a number known nowhere else in the CRM.
    recordings = sqlite_world.connectors["telephony"].read_matching("call_recording", {"id": [1]})
    caller = recordings[0]["caller_number"]
    location = found(sqlite_world, {"phone": caller})
    assert {r.table for r in location.all_rows()} == {"call_recording"}
    text = letter_text(sqlite_world, location, "en")
    assert registry.activities["call-recording"].purpose["en"] in text
    assert registry.activities["call-recording-compliance"].purpose["en"] in text
    for other in ("contract", "prospecting", "alarm-handling", "service-improvement"):
        assert registry.activities[other].purpose["en"] not in text
    assert registry.recipients["prescriber"].label["en"] not in text
    assert "Right to data portability" not in text  # neither recording activity allows it
    assert "Right to erasure" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_nobody_found_is_told_no_data_is_held(sqlite_world: World, lang: str) -> None:
    location = found(sqlite_world, {"email": "personne@nulle-part.fr"})
    text = letter_text(sqlite_world, location, lang)
    no = {"fr": "Nous ne détenons, dans aucun de nos systèmes", "en": "None of our systems holds"}
    assert no[lang] in text
    assert "CNIL" in text and "dpo@ima.eu" in text
    assert sqlite_world.registry.activities["contract"].purpose[lang] not in text
    assert {"fr": "gratuitement", "en": "free of charge"}[lang] not in text


def test_letter_values_are_escaped(sqlite_world: World) -> None:
    location = found(sqlite_world, {"email": "a<b>&c@x.fr"})
    package = access_package(sqlite_world.registry, location, REFERENCE, "en", pdf=False)
    with zipfile.ZipFile(BytesIO(package)) as archive:
        page = archive.read("letter.html").decode("utf-8")
    assert "a<b>" not in page and "a&lt;b&gt;&amp;" in page
