"""The privacy notice: every Art. 13/14 item, in words, honest about gaps, escaped, golden."""

from __future__ import annotations

import re
import zlib
from html.parser import HTMLParser

import pytest

from gardien.errors import UsageError
from gardien.publish.notice import build_notice
from gardien.publish.render import NoticeFormat, notice_html, notice_markdown, render_notice
from gardien.publish.wording import resolve_language
from gardien.registry.model import LegalBasis, Recipient, RecipientKind, Registry, Safeguard
from tests.publish.conftest import check_golden, with_activity, with_controller

SECTIONS = (
    "controller",  # Art. 13(1)(a)-(b)
    "subjects",
    "data",  # Art. 14(1)(d)
    "purposes",  # Art. 13(1)(c)-(d), 13(2)(e), 14(2)(f)
    "recipients",  # Art. 13(1)(e)
    "transfers",  # Art. 13(1)(f)
    "retention",  # Art. 13(2)(a), R-RET-09
    "automated",  # Art. 13(2)(f)
    "rights",  # Art. 13(2)(b)-(c)
    "exercise",  # R-RGT-11, R-RGT-12
    "complaint",  # Art. 13(2)(d), R-RGT-13
)


def md(registry: Registry, lang: str = "fr") -> str:
    return render_notice(registry, lang, NoticeFormat.MD).decode()


def html(registry: Registry, lang: str = "fr") -> str:
    return render_notice(registry, lang, NoticeFormat.HTML).decode()


def plain(text: str) -> str:
    """Markdown without its escapes and with ordinary spaces, for assertions on wording."""
    return re.sub(r"\\(.)", r"\1", text.replace("**", "")).replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_art_13_section_is_present_in_order(ima_protect: Registry, lang: str) -> None:
    document = build_notice(ima_protect, lang)
    anchors = [s.anchor for s in document.sections]
    assert [a for a in anchors if a in SECTIONS] == list(SECTIONS)
    page = html(ima_protect, lang)
    for anchor in SECTIONS:
        assert f'<section id="{anchor}"' in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_notice_states_every_registry_value_that_art_13_requires(
    ima_protect: Registry, lang: str
) -> None:
    text = plain(md(ima_protect, lang))
    c = ima_protect.controller
    assert c.name in text.splitlines()[0]  # the controller's name is in the title
    assert c.dpo is not None and c.dpo.email in text
    assert c.authority is not None and c.authority.name in text
    assert c.notice.version in text
    for activity in ima_protect.activities.values():
        assert activity.purpose[lang] in text
        if activity.legitimate_interest:
            interest = activity.legitimate_interest[lang]
            assert interest[:1].upper() + interest[1:] in text
        for sub in activity.sub_purposes:
            assert sub[lang] in text
    for subject in ima_protect.subjects.values():
        assert subject.label[lang] in text
    for category in ima_protect.data.values():
        assert category.label[lang] in text
    for recipient in ima_protect.recipients.values():
        assert recipient.label[lang] in text
    # Art. 14(2)(f): the source of indirectly collected data.
    source = ima_protect.activities["prospecting"].source["prospect"].description
    assert source is not None and source[lang].split(",")[0].split(" ", 1)[1] in text
    # Art. 13(2)(e): mandatory data and the consequence.
    mandatory = ima_protect.activities["contract"].mandatory
    assert mandatory is not None and mandatory.consequence is not None
    assert mandatory.consequence[lang] in text


def test_french_notice_gives_each_retention_period_in_words(ima_protect: Registry) -> None:
    text = plain(md(ima_protect, "fr"))
    assert (
        "Pendant toute la durée du contrat, puis 5 ans en archive intermédiaire à accès restreint"
        in text
    )  # R-RET-01, R-RET-08
    assert (
        "2 ans à compter de la collecte ou de votre dernier contact avec nous (un appel ou un "
        "message de notre part resté sans réponse ne compte pas), la date la plus récente étant "
        "retenue" in text
    )  # R-RET-02
    assert (
        "nous conservons la trace de votre opposition (liste d'opposition) 3 ans à compter de "
        "votre dernière opposition" in text
    )  # issue 10 §6: the suppression list's own period, not for ever
    assert (
        "Tant que vous êtes désigné, et au plus tard jusqu'à la fin du contrat" in text
    )  # R-RET-03
    assert "6 mois à compter de l'enregistrement" in text  # R-RET-05
    assert (
        "jusqu'à l'issue de la procédure et l'expiration des voies de recours" in text
    )  # R-RET-05
    assert "Suppression" in text
    # R-RET-09: one table per subject category, with header cells.
    page = html(ima_protect, "fr")
    assert page.count('<table class="retention">') == len(ima_protect.subjects)
    assert '<th scope="col">Durée de conservation</th>' in page


def test_english_notice_gives_each_retention_period_in_words(ima_protect: Registry) -> None:
    text = plain(md(ima_protect, "en"))
    assert (
        "For the whole term of the contract, then 5 years in a restricted-access intermediate archive"
        in text
    )
    assert (
        "2 years from collection or from the last time you contacted us (a call or message "
        "from us that you did not answer does not count), whichever is later"
    ) in text
    assert "6 months from the date of the recording" in text
    assert "until the proceedings are over and all avenues of appeal are exhausted" in text


def test_rights_follow_the_legal_bases_and_say_how_to_exercise_them(ima_protect: Registry) -> None:
    text = plain(md(ima_protect, "fr"))
    assert "Droit d'accès" in text and "Droit de rectification" in text
    assert "Droit à la limitation" in text
    # R-RGT-05: objection to prospecting at any time, without justification.
    assert "à tout moment, sans avoir à vous justifier" in text
    # R-RGT-03: erasure does not reach what the law obliges to keep.
    assert "ne s'applique pas aux traitements que la loi nous impose" in text
    assert "utilisation des enregistrements pour nos obligations légales" in text
    # R-RGT-08: portability only where the basis is the contract.
    assert "Ce droit concerne les traitements suivants : gestion du contrat" in text
    assert "Directives après votre décès" in text  # R-RGT-09, French controller
    assert "Retrait du consentement" not in text  # no activity rests on consent
    assert "justifier de votre identité" in text  # R-RGT-11
    assert "Courriel : dpo@ima.eu" in text  # R-RGT-12
    assert "d'un mois à compter de la réception" in text  # Art. 12(3)
    assert "Commission nationale de l'informatique et des libertés (CNIL)" in text  # R-RGT-13


def test_consent_withdrawal_appears_for_an_activity_based_on_consent(ima_protect: Registry) -> None:
    registry = with_activity(ima_protect, "prospecting", legal_basis=LegalBasis.CONSENT)
    text = plain(md(registry, "fr"))
    assert "Retrait du consentement (art. 7.3 du RGPD)" in text
    assert (
        "il ne remet pas en cause la licéité des traitements effectués auparavant" in text
    )  # R-RGT-10
    # Art. 7(3), seed 004: the withdrawal "met fin au traitement", and the run acts on it.
    assert "Il met fin au traitement fondé sur ce consentement" in text


def test_a_missing_dpo_is_stated_as_not_provided_not_as_absent(ima_protect: Registry) -> None:
    registry = with_controller(ima_protect, dpo=None, rights_channel=None)
    text = plain(md(registry, "fr"))
    assert "Délégué à la protection des données (DPO) : Information non renseignée." in text
    assert "aucun délégué" not in text.lower()
    assert "Les coordonnées auxquelles adresser vos demandes ne sont pas renseignées" in text
    english = plain(md(registry, "en"))
    assert "Data protection officer (DPO): Not provided." in english


def test_a_missing_authority_still_tells_people_they_may_complain(ima_protect: Registry) -> None:
    text = plain(md(with_controller(ima_protect, authority=None), "fr"))
    assert "introduire une réclamation auprès d'une autorité de contrôle" in text
    assert "L'autorité compétente n'est pas précisée" in text


def _with_recipient(registry: Registry, recipient: Recipient) -> Registry:
    recipients = {**registry.recipients, "wafa": recipient}
    registry = registry.model_copy(update={"recipients": recipients})
    contract = registry.activities["contract"]
    return with_activity(registry, "contract", recipients=[*contract.recipients, "wafa"])


def test_a_transfer_outside_the_eea_names_country_and_safeguard(ima_protect: Registry) -> None:
    label = {"fr": "Wafa IMA Assistance", "en": "Wafa IMA Assistance"}
    missing = _with_recipient(
        ima_protect, Recipient(label=label, kind=RecipientKind.GROUP_ENTITY, country="MA")
    )
    text = plain(md(missing, "fr"))
    assert "| Wafa IMA Assistance | Maroc | Garantie non renseignée. |" in text  # R-XFR-01
    covered = _with_recipient(
        ima_protect,
        Recipient(
            label=label, kind=RecipientKind.GROUP_ENTITY, country="MA", safeguard=Safeguard.SCC
        ),
    )
    text = plain(md(covered, "en"))
    assert "Morocco" in text and "Standard contractual clauses" in text
    assert "You can obtain a copy of these safeguards" in text


def test_no_transfer_is_stated_when_every_recipient_is_in_the_eea(ima_protect: Registry) -> None:
    assert "ne sont pas transférées en dehors de l'Espace économique européen" in plain(
        md(ima_protect, "fr")
    )


def test_registry_text_is_escaped_in_html_and_markdown(ima_protect: Registry) -> None:
    hostile = "<script>alert('x')</script> *gras* | pipe"
    registry = with_activity(ima_protect, "contract", purpose={"fr": hostile, "en": hostile})
    page = html(registry, "fr")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    markdown = md(registry, "fr")
    assert "<script>" not in markdown
    assert r"\<script\>" in markdown and r"\*gras\*" in markdown and r"\|" in markdown


class _Nesting(HTMLParser):
    VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_is_well_formed_accessible_and_self_contained(
    ima_protect: Registry, lang: str
) -> None:
    page = html(ima_protect, lang)
    checker = _Nesting()
    checker.feed(page)
    assert checker.problems == [] and checker.stack == []
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page
    assert (
        f"<title>{ima_protect.controller.name}" in page
        or ima_protect.controller.name in page.split("</title>")[0]
    )
    assert "<style>" in page and "@page" in page  # printable without an external stylesheet
    assert page.count("<h1>") == 1
    assert '<a href="mailto:dpo@ima.eu">dpo@ima.eu</a>' in page


def test_pdf_is_produced(ima_protect: Registry) -> None:
    pdf = render_notice(ima_protect, "fr", NoticeFormat.PDF)
    assert pdf.startswith(b"%PDF")
    # Page objects may sit in compressed object streams: inflate every stream to count them.
    objects = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            objects.append(zlib.decompress(stream))
        except zlib.error:
            continue
    pages = sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", o)) for o in objects)
    assert pages >= 1


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", [NoticeFormat.MD, NoticeFormat.HTML])
def test_notice_matches_golden_file(ima_protect: Registry, lang: str, fmt: NoticeFormat) -> None:
    first = render_notice(ima_protect, lang, fmt)
    assert render_notice(ima_protect, lang, fmt) == first  # same registry, same bytes
    check_golden(f"ima-protect.notice.{lang}.{fmt.value}", first)


def test_markdown_and_html_say_the_same_thing(ima_protect: Registry) -> None:
    document = build_notice(ima_protect, "fr")
    markdown, page = notice_markdown(document), notice_html(document)
    for section in document.sections:
        assert section.title in markdown
        assert section.title.replace("'", "&#39;") in page


def test_a_language_the_registry_does_not_declare_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="declares fr, en"):
        resolve_language(["fr", "en"], "de")
    assert resolve_language(["en", "fr"], None) == "en"
    with pytest.raises(UsageError, match="cannot write a notice in 'de'"):
        resolve_language(["de"], None)
