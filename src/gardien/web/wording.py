"""The portal's words in French and English: page texts, request kinds and states.

Kept apart from the templates so that a translation is one dictionary and a test can check
that every language has every key (the notice's own wording lives in ``gardien.publish``).
"""

from __future__ import annotations

from collections.abc import Mapping

from gardien.requests.kinds import RequestKind
from gardien.requests.states import RequestState

Texts = Mapping[str, str]

LANGUAGES = ("fr", "en")

# Kinds a person may send from the portal. A post-mortem directive names a trusted third party
# and is recorded by an agent (Loi 78-17 art. 85); lifting a restriction is the controller's act.
PORTAL_KINDS = (
    RequestKind.ACCESS,
    RequestKind.RECTIFICATION,
    RequestKind.ERASURE,
    RequestKind.RESTRICTION,
    RequestKind.OBJECTION,
    RequestKind.OBJECTION_PROSPECTING,
    RequestKind.PORTABILITY,
    RequestKind.CONSENT_WITHDRAWAL,
)

KINDS: dict[str, dict[RequestKind, str]] = {
    "fr": {
        RequestKind.ACCESS: "Accéder à mes données",
        RequestKind.RECTIFICATION: "Faire corriger des données inexactes",
        RequestKind.ERASURE: "Faire effacer mes données",
        RequestKind.RESTRICTION: "Faire limiter l'utilisation de mes données",
        RequestKind.RESTRICTION_LIFT: "Lever une limitation",
        RequestKind.OBJECTION: "M'opposer à un traitement pour des raisons tenant à ma situation",
        RequestKind.OBJECTION_PROSPECTING: "Ne plus recevoir de prospection",
        RequestKind.PORTABILITY: "Recevoir mes données pour les transmettre (portabilité)",
        RequestKind.CONSENT_WITHDRAWAL: "Retirer mon consentement",
        RequestKind.POST_MORTEM_DIRECTIVE: "Directive sur le sort de mes données après mon décès",
    },
    "en": {
        RequestKind.ACCESS: "See my data (access)",
        RequestKind.RECTIFICATION: "Have inaccurate data corrected",
        RequestKind.ERASURE: "Have my data erased",
        RequestKind.RESTRICTION: "Have the use of my data restricted",
        RequestKind.RESTRICTION_LIFT: "Lift a restriction",
        RequestKind.OBJECTION: "Object to a use of my data on grounds of my situation",
        RequestKind.OBJECTION_PROSPECTING: "Stop receiving marketing",
        RequestKind.PORTABILITY: "Receive my data to pass it on (portability)",
        RequestKind.CONSENT_WITHDRAWAL: "Withdraw my consent",
        RequestKind.POST_MORTEM_DIRECTIVE: "Directive on my data after my death",
    },
}

STATES: dict[str, dict[RequestState, str]] = {
    "fr": {
        RequestState.RECEIVED: "Reçue",
        RequestState.AWAITING_IDENTITY: "En attente de la confirmation de votre identité",
        RequestState.VERIFIED: "Identité confirmée — en attente de traitement",
        RequestState.IN_PROGRESS: "En cours de traitement",
        RequestState.COMPLETED: "Traitée",
        RequestState.PARTIALLY_REFUSED: "Traitée en partie (voir ci-dessous)",
        RequestState.REFUSED: "Refusée",
        RequestState.CANCELLED: "Annulée",
    },
    "en": {
        RequestState.RECEIVED: "Received",
        RequestState.AWAITING_IDENTITY: "Waiting for you to confirm your identity",
        RequestState.VERIFIED: "Identity confirmed — waiting to be handled",
        RequestState.IN_PROGRESS: "Being handled",
        RequestState.COMPLETED: "Answered",
        RequestState.PARTIALLY_REFUSED: "Partly answered (see below)",
        RequestState.REFUSED: "Refused",
        RequestState.CANCELLED: "Cancelled",
    },
}

IDENTIFIERS: dict[str, dict[str, str]] = {
    "fr": {
        "email": "Adresse e-mail",
        "phone": "Numéro de téléphone",
        "customer_number": "Numéro de client",
        "contract_number": "Numéro de contrat",
    },
    "en": {
        "email": "E-mail address",
        "phone": "Phone number",
        "customer_number": "Customer number",
        "contract_number": "Contract number",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "skip": "Aller au contenu",
        "portal_title": "Vos données personnelles",
        "home_lead": "Consultez comment nous utilisons vos données et exercez vos droits : "
        "accès, rectification, effacement, limitation, opposition, portabilité, retrait du "
        "consentement.",
        "read_notice": "Lire la politique de confidentialité",
        "make_request": "Exercer un droit",
        "notice_title": "Politique de confidentialité",
        "contents": "Sommaire",
        "request_title": "Exercer un droit sur vos données",
        "request_lead": "Nous répondons dans un délai d'un mois à compter de la réception de "
        "votre demande (article 12 du RGPD). Pour protéger vos données, nous vous envoyons un "
        "code afin de confirmer que vous êtes bien la personne concernée.",
        "kind_legend": "Votre demande",
        "identity_legend": "Comment vous retrouver",
        "identity_help": "Indiquez les informations sous lesquelles nous vous connaissons. Le "
        "code de confirmation est envoyé à l'adresse e-mail, ou à défaut par SMS au numéro "
        "indiqué.",
        "activity_label": "Utilisation concernée (facultatif)",
        "activity_any": "Toutes les utilisations",
        "corrections_legend": "Données à corriger (pour une rectification)",
        "corrections_help": "Choisissez la donnée inexacte et indiquez sa valeur exacte.",
        "correction_field": "Donnée n° {n}",
        "correction_value": "Valeur exacte n° {n}",
        "need_correction": "Pour une rectification, indiquez au moins une donnée à corriger "
        "et sa valeur exacte.",
        "choose": "— Choisir —",
        "text_label": "Précisions (facultatif)",
        "text_help": "Tout ce qui peut nous aider à traiter votre demande.",
        "submit": "Envoyer la demande",
        "status_title": "Suivi de votre demande",
        "reference": "Référence",
        "kind": "Demande",
        "received": "Reçue le",
        "answer_by": "Réponse au plus tard le",
        "state": "État",
        "keep_link": "Conservez l'adresse de cette page : elle seule permet de suivre votre "
        "demande. Ne la communiquez pas.",
        "code_sent": "Si les informations indiquées sont exactes, un code vient d'être envoyé "
        "à {to}. Il est valable 15 minutes.",
        "code_legend": "Confirmer votre identité",
        "code_label": "Code reçu",
        "code_help": "Six chiffres.",
        "verify": "Confirmer",
        "resend": "Recevoir un nouveau code",
        "verified_ok": "Merci, votre identité est confirmée. Nous traitons votre demande.",
        "code_wrong": "Ce code n'est pas valable. Vérifiez-le, ou demandez-en un nouveau.",
        "code_expired": "Ce code n'est plus valable. Demandez-en un nouveau.",
        "code_exhausted": "Trop d'essais pour ce code. Demandez-en un nouveau.",
        "codes_locked": "Trop de codes erronés ont été saisis pour cette demande ou pour cette "
        "adresse. Pour votre protection, aucun code ne sera plus envoyé ni vérifié. Votre demande "
        "reste enregistrée : pour confirmer votre identité, contactez-nous (coordonnées en bas de "
        "page) en indiquant sa référence ; une personne la vérifiera avec un justificatif.",
        "handling": "Votre demande est en cours de traitement. Nous vous répondrons au plus "
        "tard le {due}.",
        "extended": "Le délai de réponse a été prolongé jusqu'au {due} (article 12(3) du RGPD) "
        "pour la raison suivante : {reason}",
        "answered": "Nous avons répondu à votre demande.",
        "refused_reason": "Motif : {reason}",
        "not_searched": (
            "Nous n'avons pas recherché de données à partir de : {kinds}. Le code de "
            "vérification prouve seulement l'adresse ou le numéro auquel il a été envoyé, et "
            "nous ne communiquons pas les données d'autrui (RGPD, art. 15, paragraphe 4). Pour "
            "qu'ils soient recherchés, adressez-nous une pièce justificative qui les rattache à "
            "vous, en citant la référence de la demande."
        ),
        "download": "Télécharger la réponse (archive ZIP)",
        "download_until": "Disponible jusqu'au {date}.",
        "download_gone": "La réponse n'est plus disponible au téléchargement. Contactez-nous "
        "pour la recevoir à nouveau.",
        "complaint": "Si notre réponse ne vous satisfait pas, vous pouvez adresser une réclamation à : {authority}.",
        "contact_dpo": "Délégué à la protection des données :",
        "rights_channel": "Vous pouvez aussi écrire à",
        "error_title": "La demande n'a pas pu être envoyée",
        "attention": "Une vérification est nécessaire",
        "need_channel": "Indiquez une adresse e-mail ou un numéro de téléphone pour recevoir "
        "le code de confirmation.",
        "too_long": "La valeur exacte de « {field} » est trop longue : {length} caractères au "
        "plus peuvent être enregistrés (vous en avez saisi {given}).",
        "need_identifier": "Indiquez au moins une information pour vous retrouver.",
        "bad_identifier": "{field} : la valeur indiquée n'est pas valable.",
        "bad_kind": "Choisissez le type de demande.",
        "too_many": "Trop de tentatives depuis votre connexion. Réessayez plus tard.",
        "csrf": "Le formulaire a expiré ou les cookies sont désactivés. Rechargez la page et "
        "réessayez.",
        "not_found_title": "Page introuvable",
        "not_found": "Ce lien n'existe pas ou n'est plus valable.",
        "back_home": "Retour à l'accueil",
        "notice_unavailable_title": "Politique de protection des données en cours de mise à jour",
        "notice_unavailable": "Notre politique de protection des données est en cours de mise à "
        "jour et sera publiée ici dès qu'elle sera complète. Vous pouvez exercer vos droits "
        "depuis ce portail dès maintenant.",
        "language": "Langue",
        "other_language": "English",
        "footer_rights": "Vos droits",
        "required": "obligatoire",
    },
    "en": {
        "skip": "Skip to content",
        "portal_title": "Your personal data",
        "home_lead": "Read how we use your data and exercise your rights: access, "
        "rectification, erasure, restriction, objection, portability, withdrawal of consent.",
        "read_notice": "Read the privacy notice",
        "make_request": "Exercise a right",
        "notice_title": "Privacy notice",
        "contents": "Contents",
        "request_title": "Exercise a right over your data",
        "request_lead": "We answer within one month of receiving your request (GDPR Article "
        "12). To protect your data, we send you a code to confirm that you are the person "
        "concerned.",
        "kind_legend": "Your request",
        "identity_legend": "How to find you",
        "identity_help": "Give the details under which we know you. The confirmation code is "
        "sent to the e-mail address, or else by text message to the phone number.",
        "activity_label": "Which use of your data (optional)",
        "activity_any": "All uses",
        "corrections_legend": "Data to correct (for a rectification)",
        "corrections_help": "Choose the inaccurate data and give its right value.",
        "correction_field": "Data no. {n}",
        "correction_value": "Right value no. {n}",
        "need_correction": "For a rectification, give at least one piece of data to correct "
        "and its right value.",
        "choose": "— Choose —",
        "text_label": "Details (optional)",
        "text_help": "Anything that helps us handle your request.",
        "submit": "Send the request",
        "status_title": "Your request",
        "reference": "Reference",
        "kind": "Request",
        "received": "Received on",
        "answer_by": "Answer due by",
        "state": "Status",
        "keep_link": "Keep the address of this page: it is the only way to follow your "
        "request. Do not share it.",
        "code_sent": "If the details you gave are right, a code has just been sent to {to}. "
        "It is valid for 15 minutes.",
        "code_legend": "Confirm your identity",
        "code_label": "Code received",
        "code_help": "Six digits.",
        "verify": "Confirm",
        "resend": "Send me a new code",
        "verified_ok": "Thank you, your identity is confirmed. We are handling your request.",
        "code_wrong": "This code is not valid. Check it, or ask for a new one.",
        "code_expired": "This code has expired. Ask for a new one.",
        "code_exhausted": "Too many attempts for this code. Ask for a new one.",
        "codes_locked": "Too many wrong codes were entered for this request or for this address. "
        "For your protection, no code will be sent or checked any more. Your request remains "
        "recorded: to confirm your identity, contact us (details at the foot of this page) with "
        "its reference; a person will check it with a document.",
        "handling": "Your request is being handled. We will answer by {due} at the latest.",
        "extended": "The time to answer has been extended to {due} (GDPR Article 12(3)) for "
        "this reason: {reason}",
        "answered": "We have answered your request.",
        "refused_reason": "Reason: {reason}",
        "not_searched": (
            "We did not search for data using: {kinds}. The verification code only proves the "
            "address or number it was sent to, and we do not disclose other people's data (GDPR "
            "Art. 15(4)). For them to be searched, send us a document linking them to you, "
            "quoting the request's reference."
        ),
        "download": "Download the answer (ZIP archive)",
        "download_until": "Available until {date}.",
        "download_gone": "The answer can no longer be downloaded. Contact us to receive it again.",
        "complaint": "If our answer does not satisfy you, you may complain to {authority}.",
        "contact_dpo": "Data protection officer:",
        "rights_channel": "You may also write to",
        "error_title": "The request could not be sent",
        "attention": "Please check",
        "need_channel": "Give an e-mail address or a phone number to receive the "
        "confirmation code.",
        "too_long": 'The accurate value of "{field}" is too long: at most {length} characters '
        "can be recorded (you typed {given}).",
        "need_identifier": "Give at least one detail to find you.",
        "bad_identifier": "{field}: the value given is not valid.",
        "bad_kind": "Choose the kind of request.",
        "too_many": "Too many attempts from your connection. Try again later.",
        "csrf": "The form has expired or cookies are disabled. Reload the page and try again.",
        "not_found_title": "Page not found",
        "not_found": "This link does not exist or is no longer valid.",
        "back_home": "Back to the home page",
        "notice_unavailable_title": "Privacy notice being updated",
        "notice_unavailable": "Our privacy notice is being updated and will be published here "
        "as soon as it is complete. You can exercise your rights from this portal now.",
        "language": "Language",
        "other_language": "Français",
        "footer_rights": "Your rights",
        "required": "required",
    },
}


def article(kind: RequestKind, lang: str) -> str:
    """The provision granting the right, as a French or English reader cites it."""
    if lang == "fr":
        return kind.article.replace("GDPR Art. ", "RGPD, art. ")
    return kind.article


def texts_for(lang: str) -> Texts:
    return TEXTS[lang if lang in TEXTS else "fr"]


def identifier_label(lang: str, kind: str) -> str:
    labels = IDENTIFIERS[lang if lang in IDENTIFIERS else "fr"]
    return labels.get(kind, kind.replace("_", " ").capitalize())
