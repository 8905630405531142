"""The fixed sentences of the access letter and the data copy, in French and in English.

Everything that also appears in the privacy notice (legal bases, retention periods, sources,
recipients, rights, the complaint to the authority, dates) is worded by gardien.publish's
wording modules, so the letter and the notice say the same thing the same way; only what is
proper to a reply to one person lives here.
"""

from __future__ import annotations

from collections.abc import Mapping

NBSP = "\u00a0"

FRENCH: Mapping[str, str] = {
    "title": "Réponse à votre demande d'accès à vos données personnelles",
    "reference": "Demande n° {id}, reçue le {received} — réponse du {answered}",
    "intro": (
        "Vous nous avez demandé le {received} si nous traitons des données personnelles vous "
        "concernant et, dans ce cas, d'y accéder (article 15 du RGPD). Nous les avons "
        "recherchées dans l'ensemble de nos systèmes à partir des identifiants suivants{colon}"
    ),
    "not_searched": (
        "Nous n'avons pas recherché de données à partir des identifiants suivants, que vous "
        "nous avez indiqués sans que leur lien avec vous soit établi (le code de vérification "
        "ne prouve que l'adresse ou le numéro auquel il a été envoyé){colon} {kinds}. Nous ne "
        "communiquons pas les données d'autrui (article 15, paragraphe 4, du RGPD){colon} pour "
        "qu'ils soient recherchés, adressez-nous une pièce justificative qui les rattache à vous."
    ),
    "searched_with_pivot": (
        "{kind}{colon} {value} — trouvé dans vos propres enregistrements ({found_in}), "
        "recherché lui aussi"
    ),
    "searched_with_withheld": (
        "Nous n'avons pas étendu la recherche aux identifiants suivants, trouvés dans vos "
        "enregistrements mais qui figurent aussi dans ceux d'une autre personne{colon} "
        "{values}. Nous ne communiquons pas les données d'autrui (article 15, paragraphe 4, "
        "du RGPD){colon} notre délégué à la protection des données examine ce cas."
    ),
    "h_confirmation": f"Détenons-nous des données vous concernant{NBSP}?",
    "found": (
        "Oui. Nous traitons des données personnelles vous concernant. Vous en trouverez la "
        "copie (article 15(3) du RGPD) dans les fichiers joints à cette lettre{colon} pour "
        "chaque table, un fichier JSON et un fichier CSV, où chaque colonne est rattachée à sa "
        "catégorie de données."
    ),
    "not_found": (
        "Non. Nous ne détenons, dans aucun de nos systèmes, de donnée personnelle associée à "
        "ces identifiants."
    ),
    "not_found_more": (
        "Si nous pouvions détenir des données vous concernant sous d'autres coordonnées, vous "
        "pouvez nous adresser une nouvelle demande en les indiquant."
    ),
    "th_where": "Où",
    "th_categories": "Catégories de données",
    "th_records": "Enregistrements",
    "th_files": "Fichiers joints",
    "records_archived": "dont {n} en archive intermédiaire",
    "archived_note": (
        "Une partie de vos données n'est plus utilisée pour la finalité d'origine{colon} elle "
        "est conservée en archive intermédiaire, à accès restreint, le temps de la durée "
        "indiquée ci-dessous, avant d'être supprimée."
    ),
    "h_purposes": f"Pourquoi traitons-nous ces données{NBSP}?",
    "purposes_intro": (
        "Vos données sont traitées pour les finalités suivantes (article 15(1)(a) à (d), (g) et "
        "(h) du RGPD){colon}"
    ),
    "l_your_data": "Vos données concernées",
    "retention_intro": (
        "Les durées ci-dessous s'appliquent à vos données selon votre situation{colon}"
    ),
    "h_closing": "Pour toute question",
    "closing": (
        "Nous restons à votre disposition pour toute question sur cette réponse. La copie de "
        "vos données est fournie gratuitement{colon} une copie supplémentaire pourrait donner "
        "lieu à des frais raisonnables (article 15(3) du RGPD)."
    ),
    "closing_none": "Nous restons à votre disposition pour toute question sur cette réponse.",
    "signature": "Pour {controller}",
    "l_key": "Référence interne de l'enregistrement",
    "l_link": "Référence de l'enregistrement lié ({table})",
    "l_undeclared": "Autre donnée (non décrite dans notre registre)",
    "portability_title": "Vos données, dans un format structuré et lisible par machine",
    "portability_note": (
        "Données que vous nous avez fournies, traitées sur la base de votre consentement ou "
        "d'un contrat (article 20 du RGPD)."
    ),
    "kind_email": "Adresse e-mail",
    "kind_phone": "Téléphone",
    "kind_customer_number": "Numéro client",
}

ENGLISH: Mapping[str, str] = {
    "title": "Reply to your request for access to your personal data",
    "reference": "Request {id}, received on {received} — answered on {answered}",
    "intro": (
        "On {received} you asked us whether we process personal data about you and, if we do, "
        "for access to it (Article 15 GDPR). We searched all our systems using the following "
        "identifiers{colon}"
    ),
    "not_searched": (
        "We did not search using the following identifiers, which you gave us without their "
        "link to you being established (the verification code only proves the address or "
        "number it was sent to){colon} {kinds}. We do not disclose other people's data "
        "(Article 15(4) GDPR){colon} for them to be searched, send us a document that links "
        "them to you."
    ),
    "searched_with_pivot": (
        "{kind}{colon} {value} — found in your own records ({found_in}), searched with too"
    ),
    "searched_with_withheld": (
        "We did not extend the search to the following identifiers, found in your records "
        "but also in another person's{colon} {values}. We do not disclose other people's data "
        "(Article 15(4) GDPR){colon} our data protection officer reviews this case."
    ),
    "h_confirmation": "Do we hold data about you?",
    "found": (
        "Yes. We process personal data about you. A copy of it (Article 15(3) GDPR) is in the "
        "files that come with this letter{colon} for each table, a JSON file and a CSV file, "
        "in which each column is labelled with its category of data."
    ),
    "not_found": ("No. None of our systems holds personal data linked to these identifiers."),
    "not_found_more": (
        "If we might hold data about you under other contact details, you may send us a new "
        "request giving them."
    ),
    "th_where": "Where",
    "th_categories": "Categories of data",
    "th_records": "Records",
    "th_files": "Files attached",
    "records_archived": "of which {n} in the intermediate archive",
    "archived_note": (
        "Some of your data is no longer used for its original purpose{colon} it is kept in a "
        "restricted-access intermediate archive for the period stated below, and then deleted."
    ),
    "h_purposes": "Why do we process this data?",
    "purposes_intro": (
        "Your data is processed for the following purposes (Article 15(1)(a) to (d), (g) and "
        "(h) GDPR){colon}"
    ),
    "l_your_data": "Your data concerned",
    "retention_intro": "The following periods apply to your data, according to your situation:",
    "h_closing": "Any questions",
    "closing": (
        "Please contact us with any question about this reply. This copy of your data is free "
        "of charge{colon} a further copy may be subject to a reasonable fee (Article 15(3) "
        "GDPR)."
    ),
    "closing_none": "Please contact us with any question about this reply.",
    "signature": "For {controller}",
    "l_key": "Internal reference of the record",
    "l_link": "Reference of the related record ({table})",
    "l_undeclared": "Other data (not described in our register)",
    "portability_title": "Your data, in a structured, machine-readable format",
    "portability_note": (
        "Data you provided to us, processed on the basis of your consent or of a contract "
        "(Article 20 GDPR)."
    ),
    "kind_email": "E-mail address",
    "kind_phone": "Telephone",
    "kind_customer_number": "Customer number",
}

_LETTER_WORDS: dict[str, Mapping[str, str]] = {"fr": FRENCH, "en": ENGLISH}


def letter_words(lang: str) -> Mapping[str, str]:
    """The letter's sentences in ``lang`` (a language gardien.publish can write)."""
    return _LETTER_WORDS[lang]


def identifier_kind(words: Mapping[str, str], kind: str) -> str:
    """'Adresse e-mail' for ``email``; an undeclared kind is shown as the registry names it."""
    return words.get(f"kind_{kind}", kind)
