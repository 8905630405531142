"""La politique de protection des données en français, telle qu'un DPO la rédigerait.

Typographie française : espace insécable avant « : », « ; » et « ? », guillemets « … ».
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

from gardien.law.rights import Right
from gardien.publish.wording.base import EventWords, Wording
from gardien.registry.duration import Duration
from gardien.registry.events import Combination
from gardien.registry.model import (
    ActivePhase,
    EndAction,
    LegalBasis,
    RecipientKind,
    Safeguard,
    SourceKind,
)

NBSP = "\u00a0"

_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

# Événements métier courants. Un événement inconnu est nommé tel quel, jamais deviné.
_EVENTS: dict[str, EventWords] = {
    "contract_end": EventWords("la fin du contrat", "pendant toute la durée du contrat"),
    "relationship_end": EventWords(
        "la fin de la relation", "pendant toute la durée de notre relation"
    ),
    "account_closed_at": EventWords("la clôture du compte", "tant que votre compte est ouvert"),
    "removed_at": EventWords("la fin de votre désignation", "tant que vous êtes désigné"),
    "collected_at": EventWords("la collecte"),
    "created_at": EventWords("la création du dossier"),
    "last_contact_at": EventWords("le dernier contact"),
    # CNIL, référentiel gestion commerciale : le délai court du dernier contact *émanant du
    # prospect* ; un appel sortant resté sans réponse ne le prolonge pas (issue 10 §6).
    "last_inbound_contact": EventWords(
        "votre dernier contact avec nous (un appel ou un message de notre part resté sans "
        "réponse ne compte pas)"
    ),
    "last_login_at": EventWords("la dernière connexion"),
    "last_activity_at": EventWords("la dernière activité"),
    "connected_at": EventWords("la connexion"),
    "recorded_at": EventWords("l'enregistrement"),
    "logged_at": EventWords("l'enregistrement de l'événement"),
    "transaction_at": EventWords("la transaction"),
    "consent_withdrawn_at": EventWords(
        "le retrait de votre consentement", "jusqu'au retrait de votre consentement"
    ),
    "objection_at": EventWords("votre opposition", "jusqu'à votre opposition"),
    "closed_at": EventWords("la clôture du dossier", "jusqu'à la clôture du dossier"),
}

_COUNTRIES = {
    "FR": "France",
    "MA": "Maroc",
    "TN": "Tunisie",
    "SN": "Sénégal",
    "US": "États-Unis",
    "GB": "Royaume-Uni",
    "CH": "Suisse",
    "CA": "Canada",
    "IN": "Inde",
    "IL": "Israël",
    "JP": "Japon",
    "KR": "Corée du Sud",
    "NZ": "Nouvelle-Zélande",
    "UY": "Uruguay",
    "AR": "Argentine",
    "AD": "Andorre",
    "MU": "Maurice",
    "MG": "Madagascar",
    "PH": "Philippines",
    "BR": "Brésil",
    "CN": "Chine",
    "SG": "Singapour",
    "AU": "Australie",
    "DE": "Allemagne",
    "BE": "Belgique",
    "ES": "Espagne",
    "IT": "Italie",
    "IE": "Irlande",
    "LU": "Luxembourg",
    "NL": "Pays-Bas",
    "PT": "Portugal",
    "PL": "Pologne",
}


def _de(phrase: str) -> str:
    """« de » devant un groupe nominal : de + le → du, de + les → des, d' devant voyelle."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    if re.match(r"[aeiouyàâéèêëîïôûh]", phrase, re.IGNORECASE) and not phrase.startswith(
        ("la ", "l'")
    ):
        return "d'" + phrase
    return "de " + phrase


def _a(phrase: str) -> str:
    """« à » devant un groupe nominal : à + le → au, à + les → aux."""
    if phrase.startswith("le "):
        return "au " + phrase[3:]
    if phrase.startswith("les "):
        return "aux " + phrase[4:]
    return "à " + phrase


def _jusqu_a(phrase: str) -> str:
    return "jusqu'" + _a(phrase)


def of_name(name: str) -> str:
    """« de IMA PROTECT » → « d'IMA PROTECT »."""
    return ("d'" if re.match(r"[aeiouyàâéèêîôûh]", name, re.IGNORECASE) else "de ") + name


_RIGHTS: dict[Right, tuple[str, str, str]] = {
    Right.ACCESS: (
        "Droit d'accès",
        "art. 15 du RGPD",
        "obtenir la confirmation que nous traitons des données vous concernant, les "
        "informations relatives à ce traitement et une copie de vos données.",
    ),
    Right.RECTIFICATION: (
        "Droit de rectification",
        "art. 16 du RGPD",
        "faire corriger vos données si elles sont inexactes, ou les faire compléter si "
        "elles sont incomplètes.",
    ),
    Right.ERASURE: (
        "Droit à l'effacement",
        "art. 17 du RGPD",
        "demander la suppression de vos données, sauf lorsque la loi nous oblige à les "
        "conserver ou qu'elles sont nécessaires à la constatation, à l'exercice ou à la "
        "défense de droits en justice.",
    ),
    Right.RESTRICTION: (
        "Droit à la limitation",
        "art. 18 du RGPD",
        "demander le gel de l'utilisation de vos données, par exemple le temps que nous "
        "vérifiions une demande de rectification ou d'opposition : elles sont alors "
        "conservées, mais nous ne les utilisons plus.",
    ),
    Right.PORTABILITY: (
        "Droit à la portabilité",
        "art. 20 du RGPD",
        "recevoir les données que vous nous avez fournies dans un format structuré, "
        "couramment utilisé et lisible par machine, ou nous demander de les transmettre "
        "directement à un autre organisme.",
    ),
    Right.OBJECTION: (
        "Droit d'opposition",
        "art. 21.1 du RGPD",
        "vous opposer, pour des raisons tenant à votre situation particulière, à un "
        "traitement fondé sur notre intérêt légitime. Nous cesserons alors de traiter vos "
        "données, à moins de justifier de motifs légitimes et impérieux qui prévalent sur "
        "vos intérêts, droits et libertés, ou d'en avoir besoin pour la constatation, "
        "l'exercice ou la défense de droits en justice.",
    ),
    Right.OBJECTION_DIRECT_MARKETING: (
        "Opposition à la prospection commerciale",
        "art. 21.2 et 21.3 du RGPD",
        "vous opposer à tout moment, sans avoir à vous justifier, à l'utilisation de vos "
        "données à des fins de prospection commerciale. Votre opposition est prise en "
        "compte sans condition.",
    ),
    Right.HUMAN_INTERVENTION: (
        "Intervention humaine",
        "art. 22.3 du RGPD",
        "obtenir l'intervention d'une personne, exprimer votre point de vue et contester "
        "une décision prise sur le seul fondement d'un traitement automatisé.",
    ),
    Right.CONSENT_WITHDRAWAL: (
        "Retrait du consentement",
        "art. 7.3 du RGPD",
        "retirer à tout moment votre consentement, aussi simplement que vous l'avez "
        "donné. Le retrait vaut pour l'avenir : il ne remet pas en cause la licéité des "
        "traitements effectués auparavant. Il met fin au traitement fondé sur ce "
        "consentement : dès la prochaine suppression programmée, vos données ne sont plus "
        "conservées pour cette finalité.",  # art. 7.3, issue 10 §6 (seed 004)
    ),
    Right.POST_MORTEM_DIRECTIVES: (
        "Directives après votre décès",
        "art. 85 de la loi Informatique et Libertés",
        "définir des directives relatives à la conservation, à l'effacement et à la "
        "communication de vos données après votre décès.",
    ),
}


class French(Wording):
    lang = "fr"
    colon = NBSP + ":"
    not_provided = "Information non renseignée."
    yes = "Oui"
    no = "Non"

    text: ClassVar[Mapping[str, str]] = {
        "title": "Politique de protection des données personnelles",
        "draft_label": "PROJET — ne pas publier",
        "draft_intro": (
            f"Ce document est un projet{NBSP}: il ne peut pas être publié tant que les "
            "points suivants ne sont pas corrigés dans le registre."
        ),
        "intro": (
            "La présente politique vous explique quelles données personnelles nous traitons, "
            "pour quelles raisons, avec qui nous les partageons, combien de temps nous les "
            f"conservons et comment exercer vos droits{NBSP}; elle répond aux articles 13 et 14 "
            "du Règlement général sur la protection des données (RGPD)."
        ),
        "toc": "Sommaire",
        "h_controller": f"Qui est responsable du traitement de vos données{NBSP}?",
        "controller_intro": "Le responsable de traitement est {name}.",
        "l_controller": "Responsable de traitement",
        "l_address": "Adresse",
        "l_contact": "Contact",
        "l_dpo": "Délégué à la protection des données (DPO)",
        "l_representative": "Représentant dans l'Union européenne",
        "country_unnamed": "Pays non précisé, hors de l'EEE",
        "contact_details_missing": "coordonnées non renseignées",
        "h_subjects": f"Qui est concerné{NBSP}?",
        "subjects_intro": f"La présente politique s'adresse aux personnes suivantes{NBSP}:",
        "h_data": f"Quelles données traitons-nous{NBSP}?",
        "data_intro": (
            "Selon votre situation, nous traitons tout ou partie des catégories de données "
            f"suivantes{NBSP}:"
        ),
        "sensitive": "Donnée sensible au sens de l'article 9 du RGPD.",
        "criminal": "Donnée relative aux infractions et condamnations (article 10 du RGPD).",
        "h_purposes": f"Pourquoi traitons-nous vos données{NBSP}?",
        "purposes_intro": (
            "Chacun de nos traitements poursuit une finalité déterminée et repose sur l'une des "
            "bases légales prévues par l'article 6 du RGPD."
        ),
        "sub_purposes_intro": f"Plus précisément{NBSP}:",
        "l_legal_basis": "Base légale",
        "l_legitimate_interest": "Intérêt légitime poursuivi",
        "l_legal_obligation": "Obligation légale",
        "l_consent_withdrawal": "Retrait du consentement",
        "l_subjects": "Personnes concernées",
        "l_data": "Données traitées",
        "l_source": "Origine des données",
        "l_mandatory": "Données obligatoires",
        "h_recipients": f"Qui a accès à vos données{NBSP}?",
        "recipients_intro": (
            "Vos données ne sont accessibles qu'aux personnes qui en ont besoin pour les "
            f"finalités indiquées{NBSP}:"
        ),
        "recipients_none": "Aucun destinataire n'est déclaré pour ces traitements.",
        "th_recipient": "Destinataire",
        "th_kind": "Qualité",
        "th_purposes": "Finalités concernées",
        "h_transfers": f"Vos données sont-elles transférées hors de l'Union européenne{NBSP}?",
        "transfers_none": (
            "Vos données ne sont pas transférées en dehors de l'Espace économique européen (EEE)."
        ),
        "transfers_intro": (
            "Certains destinataires sont situés en dehors de l'Espace économique européen (EEE) "
            f"ou accèdent à vos données depuis l'étranger. Ces transferts sont encadrés ainsi{NBSP}:"
        ),
        "th_country": "Pays",
        "th_safeguard": "Garantie",
        "access_only": "accès ponctuel à distance, sans stockage",
        "safeguard_missing": "Garantie non renseignée.",
        "adequate_country": (
            "Pays reconnu par la Commission européenne comme offrant un niveau de protection "
            "adéquat (art. 45 du RGPD)."
        ),
        "safeguard_copy": (
            "Vous pouvez obtenir une copie de ces garanties en écrivant à l'adresse indiquée à la "
            f"rubrique « Comment exercer vos droits{NBSP}? »."
        ),
        "h_retention": f"Combien de temps conservons-nous vos données{NBSP}?",
        "retention_intro": (
            "Nous ne conservons vos données que le temps nécessaire aux finalités poursuivies. "
            "Les durées sont présentées ci-dessous selon votre situation, finalité par finalité."
        ),
        # issue 10 §6, CNIL référentiel gestion commerciale : au moins 3 ans.
        "objection_proof": (
            "Si vous vous opposez à la prospection, nous conservons la trace de votre opposition "
            "(liste d'opposition) {duration} à compter de votre dernière opposition, afin de la "
            "respecter, puis nous la supprimons."
        ),
        "objection_proof_short": (
            "liste d'opposition : {duration} à compter de la dernière opposition, puis suppression"
        ),
        # issue 10 §6 : une catégorie à durée propre, plus courte (CNIL 2018-303 : carte bancaire).
        "category_retention_short": "{category} : {period}, puis effacement",
        "category_retention": (
            "{category} : {period}, puis effacement, le reste de l'enregistrement suivant les "
            "durées ci-dessus."
        ),
        "retention_archive": (
            "L'archivage intermédiaire signifie que les données sont conservées à part, avec un "
            "accès restreint : seules des personnes spécialement habilitées peuvent les "
            "consulter, ponctuellement et pour un motif précis, par exemple pour apporter une "
            "preuve."
        ),
        "th_purpose": "Finalité",
        "th_retention": "Durée de conservation",
        "th_end": "À l'issue",
        "retention_missing": "Durée non renseignée.",
        "legal_hold": (
            "En cas de litige, les données nécessaires à la constatation, à l'exercice ou à la "
            "défense de droits en justice sont conservées jusqu'à l'issue de la procédure et "
            "l'expiration des voies de recours."
        ),
        "h_automated": "Décisions automatisées et profilage",
        "automated_none": (
            "Nous ne prenons aucune décision fondée exclusivement sur un traitement automatisé, "
            "y compris le profilage, qui produirait des effets juridiques à votre égard ou vous "
            "affecterait de manière significative."
        ),
        "l_profiling": "Profilage",
        "l_decision": "Décision entièrement automatisée",
        "l_logic": "Logique sous-jacente",
        "l_consequences": "Importance et conséquences pour vous",
        "l_safeguards": "Vos garanties",
        "h_rights": f"Quels sont vos droits{NBSP}?",
        "rights_intro": (
            "Vous disposez des droits suivants sur vos données, dans les conditions et limites "
            f"prévues par la réglementation{NBSP}:"
        ),
        "h_exercise": f"Comment exercer vos droits{NBSP}?",
        "exercise_intro": (
            "Pour exercer vos droits, ou pour toute question sur le traitement de vos données, "
            f"adressez votre demande à {{channel}}{NBSP}:"
        ),
        "channel_dpo": "notre délégué à la protection des données",
        "channel_other": "l'interlocuteur suivant",
        "l_channel": "Interlocuteur",
        "l_email": "Courriel",
        "l_post": "Courrier",
        "l_phone": "Téléphone",
        "l_online": "En ligne",
        "channel_missing": (
            "Les coordonnées auxquelles adresser vos demandes ne sont pas renseignées dans la "
            "présente politique."
        ),
        "identity_proof": (
            "Afin de ne jamais communiquer vos données à une autre personne que vous, nous vous "
            "demanderons de justifier de votre identité avant de donner suite à votre demande."
        ),
        "identity_doubt": (
            "Si nous avons un doute raisonnable sur votre identité, nous pourrons vous demander "
            "des informations complémentaires."
        ),
        "deadline": (
            "Nous vous répondrons dans un délai d'un mois à compter de la réception de votre "
            "demande. Ce délai peut être prolongé de deux mois, compte tenu de la complexité ou "
            f"du nombre de demandes{NBSP}; nous vous en informerons alors dans le premier mois, en "
            "vous en indiquant les raisons."
        ),
        "h_complaint": "Réclamation auprès de l'autorité de contrôle",
        "complaint": (
            "Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, "
            "vous pouvez introduire une réclamation auprès de l'autorité de contrôle "
            f"compétente{NBSP}: {{authority}}."
        ),
        "complaint_missing": (
            "Vous pouvez introduire une réclamation auprès d'une autorité de contrôle, notamment "
            "dans l'État membre de votre résidence habituelle, de votre lieu de travail ou du "
            "lieu de la violation alléguée (article 77 du RGPD). L'autorité compétente n'est pas "
            "précisée dans la présente politique."
        ),
        "l_website": "Site internet",
        # Art. 30 record (CNIL register template)
        "r_controller": "Responsable du traitement",
        "r_controller_contact": "Coordonnées du responsable",
        "r_dpo": "Délégué à la protection des données",
        "r_ref": "Référence",
        "r_name": "Nom du traitement",
        "r_purpose": "Finalité principale",
        "r_sub_purposes": "Sous-finalités",
        "r_sub_purpose": "Sous-finalité {n}",
        "r_legal_basis": "Base légale",
        "r_subjects": "Catégories de personnes concernées",
        "r_data": "Catégories de données personnelles",
        "r_sensitive": "Données sensibles",
        "r_recipients": "Catégories de destinataires",
        "r_transfers": "Transferts hors UE",
        "r_retention": "Durées de conservation",
        "r_security": "Mesures de sécurité",
        "r_updated": "Date de création / mise à jour",
        "r_none_f": "Aucune",
        "r_none": "Aucun",
        "r_criminal": "infractions et condamnations (art. 10 du RGPD)",
        "r_representative": "Représentant dans l'UE",
        "f_title": "Fiche de registre",
        "f_summary": "Registre",
        "f_description": "Description du traitement",
        "f_actors": "Acteurs",
        "f_purposes": "Finalité(s) du traitement",
        "f_category": "Catégorie",
        "f_detail": "Détail",
        "f_country": "Pays",
        "f_safeguard": "Garantie",
        "f_kind": "Qualité",
        "f_end": "À l'issue",
        "h_security": f"Comment protégeons-nous vos données{NBSP}?",
        "security_intro": (
            "Nous mettons en œuvre des mesures techniques et organisationnelles adaptées aux "
            f"risques, notamment{NBSP}:"
        ),
    }

    def join(self, items: Sequence[str]) -> str:
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " et " + items[-1]

    def date(self, day: dt.date) -> str:
        first = "1er" if day.day == 1 else str(day.day)
        return f"{first} {_MONTHS[day.month - 1]} {day.year}"

    def duration(self, duration: Duration) -> str:
        parts = []
        if duration.years:
            parts.append(f"{duration.years} an" + ("s" if duration.years > 1 else ""))
        if duration.months:
            parts.append(f"{duration.months} mois")
        if duration.days:
            parts.append(f"{duration.days} jour" + ("s" if duration.days > 1 else ""))
        return self.join(parts) if parts else "0 jour"

    def event(self, name: str) -> EventWords:
        return _EVENTS.get(name, EventWords(f"l'événement « {name} »"))

    def legal_basis(self, basis: LegalBasis) -> str:
        return {
            LegalBasis.CONSENT: "votre consentement (art. 6.1.a du RGPD)",
            LegalBasis.CONTRACT: (
                "l'exécution du contrat conclu avec vous, ou de mesures précontractuelles prises "
                "à votre demande (art. 6.1.b du RGPD)"
            ),
            LegalBasis.LEGAL_OBLIGATION: (
                "le respect d'une obligation légale à laquelle nous sommes soumis "
                "(art. 6.1.c du RGPD)"
            ),
            LegalBasis.VITAL_INTERESTS: (
                "la sauvegarde de vos intérêts vitaux ou de ceux d'une autre personne "
                "(art. 6.1.d du RGPD)"
            ),
            LegalBasis.PUBLIC_TASK: (
                "l'exécution d'une mission d'intérêt public (art. 6.1.e du RGPD)"
            ),
            LegalBasis.LEGITIMATE_INTEREST: "notre intérêt légitime (art. 6.1.f du RGPD)",
        }[basis]

    def recipient_kind(self, kind: RecipientKind) -> str:
        return {
            RecipientKind.INTERNAL: "Service interne",
            RecipientKind.GROUP_ENTITY: "Société du groupe",
            RecipientKind.PROCESSOR: "Sous-traitant",
            RecipientKind.THIRD_PARTY: "Tiers",
            RecipientKind.CONTROLLER: "Autre responsable de traitement",
            RecipientKind.AUTHORITY: "Autorité habilitée",
        }[kind]

    def safeguard(self, safeguard: Safeguard) -> str:
        return {
            Safeguard.SCC: (
                "Clauses contractuelles types de la Commission européenne (art. 46.2.c du RGPD)."
            ),
            Safeguard.BCR: "Règles d'entreprise contraignantes (art. 47 du RGPD).",
            Safeguard.CODE_OF_CONDUCT: "Code de conduite approuvé (art. 46.2.e du RGPD).",
            Safeguard.CERTIFICATION: "Mécanisme de certification approuvé (art. 46.2.f du RGPD).",
            Safeguard.DEROGATION: "Dérogation pour une situation particulière (art. 49 du RGPD).",
            Safeguard.ADEQUACY: (
                "Décision d'adéquation de la Commission européenne (art. 45 du RGPD)."
            ),
        }[safeguard]

    def country(self, code: str) -> str:
        return _COUNTRIES.get(code, code)

    def end_action(self, action: EndAction) -> str:
        return {EndAction.DELETE: "Suppression", EndAction.ANONYMISE: "Anonymisation"}[action]

    def active_phase(self, phase: ActivePhase) -> str:
        if phase.until is not None:
            combination, events = self.combine(phase.until)
            if combination is Combination.SINGLE:
                return events[0].period or _jusqu_a(events[0].moment)
            if combination is Combination.EARLIEST and len(events) == 2:
                first = events[0].period or _jusqu_a(events[0].moment)
                return f"{first}, et au plus tard {_jusqu_a(events[1].moment)}"
            moments = [_a(e.moment) for e in events]
            which = "tardive" if combination is Combination.LATEST else "proche"
            return "jusqu'" + " ou ".join(moments) + f", la date la plus {which} étant retenue"
        assert phase.for_ is not None and phase.from_ is not None  # the model guarantees it
        combination, events = self.combine(phase.from_)
        starts = " ou ".join(_de(e.moment) for e in events)
        words = f"{self.duration(phase.for_)} à compter {starts}"
        if combination is Combination.LATEST:
            words += ", la date la plus récente étant retenue"
        elif combination is Combination.EARLIEST:
            words += ", la date la plus ancienne étant retenue"
        return words

    def with_archive(self, active: str, archive: Duration) -> str:
        return f"{active}, puis {self.duration(archive)} en archive intermédiaire à accès restreint"

    def archive_reason(self, reason: str) -> str:
        return f"Motif de l'archivage{NBSP}: {reason}."

    def source(self, kind: SourceKind, description: str | None, public: bool) -> str:
        elsewhere = (
            "auprès " + _de(description)
            if description
            else "auprès d'un tiers (source non renseignée)"
        )
        if public:
            elsewhere += " (source accessible au public)"
        if kind is SourceKind.DIRECT:
            return "Directement auprès de vous."
        if kind is SourceKind.INDIRECT:
            return elsewhere[:1].upper() + elsewhere[1:] + "."
        return f"Directement auprès de vous, ou {elsewhere}."

    def right(self, right: Right) -> tuple[str, str, str]:
        name, citation, what = _RIGHTS[right]
        return name, citation, f"Vous pouvez {what}"

    def right_scope(self, right: Right, applies_to: Sequence[str], excluded: Sequence[str]) -> str:
        if right is Right.ERASURE:
            if not excluded:
                return ""
            return (
                "Ce droit ne s'applique pas aux traitements que la loi nous impose"
                f"{NBSP}: {self.join(excluded)}."
            )
        if not excluded:
            return ""
        if right is Right.PORTABILITY:
            return f"Ce droit concerne les traitements suivants{NBSP}: {self.join(applies_to)}."
        return f"Traitements concernés{NBSP}: {self.join(applies_to)}."

    def version_line(self, version: str, date: dt.date | None) -> str:
        if date is None:
            return f"Version {version} — date de mise à jour non renseignée"
        return f"Version {version} — mise à jour le {self.date(date)}"

    def title_of(self, controller: str) -> str:
        return f"{self['title']} {of_name(controller)}"
