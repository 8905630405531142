"""Carrying out a post-mortem directive once the death is declared (Loi 78-17 art. 85, R-RGT-09).

Art. 85 I lets a person define directives on the conservation, the erasure and the
communication of their data after their death; the controller carries them out, and the
person may designate someone to have them carried out. The action was recorded at submission
(``gardien.requests.directive``); here it is executed by ``gardien request run``:

- ``keep``: nothing is changed; the data goes on living by the registry's retention rules,
  which a directive cannot suspend (it asks for conservation, not for longer retention);
- ``erase``: the erasure engine, as for an erasure request (Art. 17): what no activity needs
  any more is erased, what the law obliges to keep stays with its ground and until when, and
  the request ends ``partially_refused`` with those reasons; the consent ledger keeps only its
  digests, as after an erasure;
- ``communicate``: the access package (letter and a copy of every row, Art. 15 read for the
  deceased), its letter addressed to the trusted third party the directive designates, stored
  like an access package so that ``gardien request export`` hands it over.

The stored result holds counts, the action and the dates only: the third party's name stays in
the request's details, never in the result or the audit trail.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from gardien.errors import GardienError
from gardien.jobs.erasure import erase
from gardien.jobs.fulfil import Fulfilment, _keep_reason, _located_summary, _Runner
from gardien.publish.document import Paragraph
from gardien.publish.wording import wording_for
from gardien.registry.model import Registry
from gardien.requests.directive import DirectiveAction
from gardien.requests.model import Death, RightsRequest
from gardien.rights.access import (
    RequestReference,
    access_copies,
    dump_json,
    package_language,
    table_csv,
    table_json,
)
from gardien.rights.access_letter import AccessLetter, build_access_letter
from gardien.rights.erasure import located_rows
from gardien.rights.locate import PersonLocation
from gardien.rights.package import deterministic_zip

ARTICLE = "Loi n° 78-17 art. 85"

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Communication des données d'une personne décédée (directive post-mortem)",
        "to": "À l'attention de {party}",
        "intro": (
            "La personne désignée par les identifiants ci-dessous nous a confié le {received} "
            "des directives relatives à ses données personnelles après son décès, demandant "
            "qu'elles vous soient communiquées (article 85 de la loi n° 78-17 du 6 janvier "
            "1978). Son décès, survenu le {died}, nous a été signalé le {declared}{colon} nous "
            "exécutons ses directives. Dans cette lettre, « vous » et « vos données » désignent "
            "la personne décédée. Nous avons recherché ses données dans l'ensemble de nos "
            "systèmes à partir des identifiants suivants{colon}"
        ),
    },
    "en": {
        "title": "Communication of a deceased person's data (post-mortem directive)",
        "to": "For the attention of {party}",
        "intro": (
            "On {received}, the person identified below gave us directives about their personal "
            "data after their death, asking that it be communicated to you (Article 85 of French "
            "law 78-17 of 6 January 1978). Their death on {died} was declared to us on "
            '{declared}{colon} we are carrying out their directives. In this letter, "you" '
            'and "your data" refer to the deceased person. We searched all our systems using '
            "the following identifiers{colon}"
        ),
    },
}


def fulfil_directive(
    runner: _Runner, request: RightsRequest, location: PersonLocation
) -> Fulfilment:
    """Carry out the action a post-mortem directive recorded; only after a declared death."""
    if request.death is None:
        # start() already refuses it; said again here because erasing a living person's data
        # on a directive would be irreparable.
        raise GardienError(
            f"request {request.id}: a post-mortem directive is carried out only once the "
            f"person's death is declared ({ARTICLE})"
        )
    action = request.details.directive_action
    if action is None:
        raise GardienError(
            f"request {request.id}: the directive records no action (keep, erase or "
            "communicate): refuse it with a reason and record it again with its action",
            field="directive_action",
        )
    directive: dict[str, Any] = {
        "action": action.value,
        "law_term": action.law_term,
        "article": ARTICLE,
        "died_on": request.death.died_on.isoformat(),
    }
    if action is DirectiveAction.ERASE:
        return _erase(runner, request, location, directive)
    if action is DirectiveAction.COMMUNICATE:
        return _communicate(runner, request, location, request.death, directive)
    result = {
        "directive": directive,
        **_located_summary(location),
        "changed": 0,
        "retention": "the registry's retention rules still apply",
    }
    return runner.complete(
        request,
        result,
        "directive to keep the data: nothing was changed; the retention rules still apply",
    )


def _erase(
    runner: _Runner, request: RightsRequest, location: PersonLocation, directive: dict[str, Any]
) -> Fulfilment:
    """As an erasure request (``_Runner.erasure``), the directive named as the reason."""
    run = erase(
        runner.registry, runner.store, runner.clock, request.id, located_rows(location),
        runner.connectors, actor=runner.actor,
        language=runner.lang or runner.registry.languages[0], observe=runner.observe,
    )  # fmt: skip
    data = run.outcome.to_dict()
    result: dict[str, Any] = {"directive": directive}
    result.update(
        {k: data[k] for k in ("found", "erased", "kept", "complete", "tables", "recipients")}
    )
    # As after an erasure request: the ledger keeps its proof as digests only (Art. 7(1)).
    result["ledger_identifiers_erased"] = runner.erase_ledger_identifiers(request)
    summary = (
        f"directive to erase: {data['erased']} row(s) erased, {data['kept']} kept with their "
        "legal ground"
    )
    reasons = None
    if data["kept"]:
        grounds = sorted(
            {_keep_reason(r) for t in data["tables"] for r in t.get("kept_because", [])}
        )
        reasons = "kept under " + (
            "; ".join(grounds) if grounds else "an obligation to keep some data (Art. 17(3))"
        )
    return runner.complete(request, result, summary, reasons)


def _communicate(
    runner: _Runner,
    request: RightsRequest,
    location: PersonLocation,
    death: Death,
    directive: dict[str, Any],
) -> Fulfilment:
    third_party = request.details.trusted_third_party
    if not third_party:
        raise GardienError(
            f"request {request.id}: a directive to communicate the data names who receives it "
            f"({ARTICLE}); none is recorded"
        )
    content = directive_package(
        runner.registry,
        location,
        runner.reference(request),
        death,
        third_party,
        runner.lang,
        pdf=runner.pdf,
    )
    # Stored like an access package, with the request's completion (``_Runner.flush``).
    runner.pending_packages.append((request.id, request.kind.value, content))
    result = {
        "directive": {**directive, "addressed_to": "trusted_third_party"},
        **_located_summary(location),
        "package": {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)},
    }
    found = "data found" if location.found else "no data held"
    return runner.complete(
        request,
        result,
        f"directive to communicate: {found}; package for the trusted third party ready for export",
    )


def directive_package(
    registry: Registry,
    location: PersonLocation,
    reference: RequestReference,
    death: Death,
    third_party: str,
    lang: str | None = None,
    *,
    pdf: bool = True,
) -> bytes:
    """The access package of ``gardien.rights.package``, its letter to the third party."""
    # Imported here, as in gardien.rights.package: the layout needs Jinja2 and WeasyPrint.
    from gardien.rights.access_render import letter_html, letter_pdf

    lang = package_language(registry, lang)
    copies = access_copies(registry, location, lang)
    files: dict[str, bytes] = {}
    names: dict[str, list[str]] = {}
    for copy in copies:
        json_name, csv_name = f"data/{copy.where}.json", f"data/{copy.where}.csv"
        files[json_name] = dump_json(table_json(copy))
        files[csv_name] = table_csv(copy, "archive" if lang == "fr" else "archived")
        names[copy.where] = [json_name, csv_name]
    letter = _addressed(
        build_access_letter(registry, location, copies, names, reference, lang),
        reference,
        death,
        third_party,
    )
    files["letter.html"] = letter_html(letter, reference.answered_on).encode("utf-8")
    if pdf:
        files["letter.pdf"] = letter_pdf(letter, reference.answered_on)
    return deterministic_zip(files, reference.received_at)


def _addressed(
    letter: AccessLetter, reference: RequestReference, death: Death, third_party: str
) -> AccessLetter:
    """The access letter, its title and opening written to the trusted third party."""
    words, w = _WORDS.get(letter.lang, _WORDS["en"]), wording_for(letter.lang)
    # The identifiers searched and, if any, those not searched (R-RGT-11): all but the opening.
    identifiers = letter.intro[1:]
    intro = words["intro"].format(
        received=w.date(reference.received_at.date()),
        died=w.date(death.died_on),
        declared=w.date(death.declared_at.date()),
        colon=w.colon,
    )
    return dataclasses.replace(
        letter,
        title=words["title"],
        intro=(Paragraph(words["to"].format(party=third_party)), Paragraph(intro), *identifiers),
    )
