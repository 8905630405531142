"""The privacy notice in plain English."""

from __future__ import annotations

import datetime as dt
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

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# Common business events. An unknown event is named as it is, never guessed.
_EVENTS: dict[str, EventWords] = {
    "contract_end": EventWords("the end of the contract", "for the whole term of the contract"),
    "relationship_end": EventWords(
        "the end of our relationship", "for as long as our relationship lasts"
    ),
    "account_closed_at": EventWords(
        "the closure of your account", "for as long as your account is open"
    ),
    "removed_at": EventWords("the end of your designation", "for as long as you remain named"),
    "collected_at": EventWords("collection"),
    "created_at": EventWords("the opening of the file"),
    "last_contact_at": EventWords("our last contact with you"),
    # CNIL référentiel on commercial management: the period runs from the last contact *from*
    # the prospect; an unanswered call from us does not extend it (issue 10 §6).
    "last_inbound_contact": EventWords(
        "the last time you contacted us (a call or message from us that you did not answer "
        "does not count)"
    ),
    "last_login_at": EventWords("your last log-in"),
    "last_activity_at": EventWords("your last activity"),
    "connected_at": EventWords("the connection"),
    "recorded_at": EventWords("the date of the recording"),
    "logged_at": EventWords("the logged event"),
    "transaction_at": EventWords("the transaction"),
    "consent_withdrawn_at": EventWords(
        "the withdrawal of your consent", "until you withdraw your consent"
    ),
    "objection_at": EventWords("your objection", "until you object"),
    "closed_at": EventWords("the closure of the file", "until the file is closed"),
}

_COUNTRIES = {
    "FR": "France",
    "MA": "Morocco",
    "TN": "Tunisia",
    "SN": "Senegal",
    "US": "United States",
    "GB": "United Kingdom",
    "CH": "Switzerland",
    "CA": "Canada",
    "IN": "India",
    "IL": "Israel",
    "JP": "Japan",
    "KR": "Republic of Korea",
    "NZ": "New Zealand",
    "UY": "Uruguay",
    "AR": "Argentina",
    "AD": "Andorra",
    "MU": "Mauritius",
    "MG": "Madagascar",
    "PH": "Philippines",
    "BR": "Brazil",
    "CN": "China",
    "SG": "Singapore",
    "AU": "Australia",
    "DE": "Germany",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
    "IE": "Ireland",
    "LU": "Luxembourg",
    "NL": "Netherlands",
    "PT": "Portugal",
    "PL": "Poland",
}


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


_RIGHTS: dict[Right, tuple[str, str, str]] = {
    Right.ACCESS: (
        "Right of access",
        "GDPR Art. 15",
        "to be told whether we process data about you, to receive information about that "
        "processing and to obtain a copy of your data.",
    ),
    Right.RECTIFICATION: (
        "Right to rectification",
        "GDPR Art. 16",
        "to have inaccurate data corrected and incomplete data completed.",
    ),
    Right.ERASURE: (
        "Right to erasure",
        "GDPR Art. 17",
        "to have your data deleted, except where the law requires us to keep it or where "
        "it is needed to establish, exercise or defend legal claims.",
    ),
    Right.RESTRICTION: (
        "Right to restriction",
        "GDPR Art. 18",
        "to have the use of your data frozen, for instance while we check a request for "
        "rectification or an objection: we then keep the data but no longer use it.",
    ),
    Right.PORTABILITY: (
        "Right to data portability",
        "GDPR Art. 20",
        "to receive the data you gave us in a structured, commonly used and "
        "machine-readable format, or to have us send it directly to another organisation.",
    ),
    Right.OBJECTION: (
        "Right to object",
        "GDPR Art. 21(1)",
        "to object, on grounds relating to your particular situation, to processing based "
        "on our legitimate interests. We will then stop, unless we demonstrate compelling "
        "legitimate grounds that override your interests, rights and freedoms, or need "
        "the data to establish, exercise or defend legal claims.",
    ),
    Right.OBJECTION_DIRECT_MARKETING: (
        "Objecting to direct marketing",
        "GDPR Art. 21(2)-(3)",
        "to object at any time, without giving a reason, to the use of your data for "
        "direct marketing. We will always act on it.",
    ),
    Right.HUMAN_INTERVENTION: (
        "Human intervention",
        "GDPR Art. 22(3)",
        "to obtain human intervention, to express your point of view and to contest a "
        "decision based solely on automated processing.",
    ),
    Right.CONSENT_WITHDRAWAL: (
        "Withdrawing consent",
        "GDPR Art. 7(3)",
        "to withdraw your consent at any time, as easily as you gave it. Withdrawal "
        "applies to the future: processing carried out before it remains lawful. It ends "
        "the processing based on it: from the next scheduled deletion, your data is no "
        "longer kept for that purpose.",  # Art. 7(3), issue 10 §6 (retention.withdrawal)
    ),
    Right.POST_MORTEM_DIRECTIVES: (
        "Instructions for after your death",
        "French Data Protection Act, Art. 85",
        "to give instructions on how your data is to be kept, erased or disclosed after "
        "your death.",
    ),
}


class English(Wording):
    lang = "en"
    colon = ":"
    not_provided = "Not provided."
    yes = "Yes"
    no = "No"

    text: ClassVar[Mapping[str, str]] = {
        "title": "Privacy notice",
        "draft_label": "DRAFT — not for publication",
        "draft_intro": (
            "This document is a draft: it cannot be published until the following points "
            "are fixed in the registry."
        ),
        "intro": (
            "This notice explains what personal data we process, why, who we share it with, how "
            "long we keep it and how you can exercise your rights. It gives the information "
            "required by Articles 13 and 14 of the General Data Protection Regulation (GDPR)."
        ),
        "toc": "Contents",
        "h_controller": "Who is responsible for your data?",
        "controller_intro": "The controller of your personal data is {name}.",
        "l_controller": "Controller",
        "l_address": "Address",
        "l_contact": "Contact",
        "l_dpo": "Data protection officer (DPO)",
        "l_representative": "Representative in the European Union",
        "country_unnamed": "Country not named, outside the EEA",
        "contact_details_missing": "contact details not provided",
        "h_subjects": "Who does this notice concern?",
        "subjects_intro": "This notice is addressed to the following people:",
        "h_data": "What data do we process?",
        "data_intro": (
            "Depending on your situation, we process some or all of the following categories of "
            "data:"
        ),
        "sensitive": "Special-category data under Article 9 GDPR.",
        "criminal": "Data relating to criminal convictions and offences (Article 10 GDPR).",
        "h_purposes": "Why do we process your data?",
        "purposes_intro": (
            "Each processing activity has a specific purpose and relies on one of the legal "
            "bases listed in Article 6 GDPR."
        ),
        "sub_purposes_intro": "In particular:",
        "l_legal_basis": "Legal basis",
        "l_legitimate_interest": "Legitimate interest pursued",
        "l_legal_obligation": "Legal obligation",
        "l_consent_withdrawal": "Withdrawing consent",
        "l_subjects": "People concerned",
        "l_data": "Data processed",
        "l_source": "Where the data comes from",
        "l_mandatory": "Required data",
        "h_recipients": "Who has access to your data?",
        "recipients_intro": (
            "Your data is only available to those who need it for the purposes stated:"
        ),
        "recipients_none": "No recipient is declared for these processing activities.",
        "th_recipient": "Recipient",
        "th_kind": "Role",
        "th_purposes": "Purposes",
        "h_transfers": "Is your data transferred outside the European Union?",
        "transfers_none": "Your data is not transferred outside the European Economic Area (EEA).",
        "transfers_intro": (
            "Some recipients are located outside the European Economic Area (EEA), or access "
            "your data from abroad. These transfers are protected as follows:"
        ),
        "th_country": "Country",
        "th_safeguard": "Safeguard",
        "access_only": "occasional remote access, without storage",
        "safeguard_missing": "Safeguard not provided.",
        "adequate_country": (
            "A country the European Commission recognises as providing an adequate level of "
            "protection (GDPR Art. 45)."
        ),
        "safeguard_copy": (
            "You can obtain a copy of these safeguards by writing to the address given under "
            "“How can you exercise your rights?”."
        ),
        "h_retention": "How long do we keep your data?",
        "retention_intro": (
            "We keep your data only for as long as the purposes require. The periods below are "
            "set out according to your situation, purpose by purpose."
        ),
        # issue 10 §6, CNIL référentiel on commercial management: at least 3 years.
        "objection_proof": (
            "If you object to marketing, we keep the record of your objection (our suppression "
            "list) for {duration} from your latest objection, so that we honour it, then "
            "delete it."
        ),
        "objection_proof_short": (
            "suppression list: {duration} from the latest objection, then deletion"
        ),
        # issue 10 §6: a category with its own, shorter period (CNIL 2018-303: bank card data).
        "category_retention_short": "{category}: {period}, then erased",
        "category_retention": (
            "{category}: {period}, then erased, the rest of the record following the periods above."
        ),
        "retention_archive": (
            "In the intermediate archive, data is kept apart with restricted access: only "
            "specially authorised people may consult it, occasionally and for a stated reason, "
            "for example to provide evidence."
        ),
        "th_purpose": "Purpose",
        "th_retention": "Retention period",
        "th_end": "At the end",
        "retention_missing": "Period not provided.",
        "legal_hold": (
            "If a dispute arises, the data needed to establish, exercise or defend legal claims "
            "is kept until the proceedings are over and all avenues of appeal are exhausted."
        ),
        "h_automated": "Automated decisions and profiling",
        "automated_none": (
            "We take no decision based solely on automated processing, including profiling, that "
            "produces legal effects concerning you or similarly significantly affects you."
        ),
        "l_profiling": "Profiling",
        "l_decision": "Solely automated decision",
        "l_logic": "Logic involved",
        "l_consequences": "Significance and consequences for you",
        "l_safeguards": "Your safeguards",
        "h_rights": "What are your rights?",
        "rights_intro": (
            "You have the following rights over your data, under the conditions and within the "
            "limits set by law:"
        ),
        "h_exercise": "How can you exercise your rights?",
        "exercise_intro": (
            "To exercise your rights, or with any question about how we process your data, "
            "please contact {channel}:"
        ),
        "channel_dpo": "our data protection officer",
        "channel_other": "the following contact",
        "l_channel": "Contact",
        "l_email": "E-mail",
        "l_post": "Post",
        "l_phone": "Telephone",
        "l_online": "Online",
        "channel_missing": (
            "The contact details for exercising your rights are not provided in this notice."
        ),
        "identity_proof": (
            "So that your data is never disclosed to anyone but you, we will ask you to prove "
            "your identity before acting on your request."
        ),
        "identity_doubt": (
            "If we have reasonable doubts about your identity, we may ask you for additional "
            "information."
        ),
        "deadline": (
            "We will reply within one month of receiving your request. This period may be "
            "extended by two further months where necessary, taking into account the complexity "
            "and number of requests; we will then tell you so within the first month, with the "
            "reasons for the delay."
        ),
        "h_complaint": "Complaints to the supervisory authority",
        "complaint": (
            "If you consider, after contacting us, that your rights have not been respected, "
            "you may lodge a complaint with the competent supervisory authority: {authority}."
        ),
        "complaint_missing": (
            "You may lodge a complaint with a supervisory authority, in particular in the Member "
            "State of your habitual residence, place of work or place of the alleged "
            "infringement (GDPR Art. 77). The competent authority is not stated in this notice."
        ),
        "l_website": "Website",
        # Art. 30 record (CNIL register template)
        "r_controller": "Controller",
        "r_controller_contact": "Controller's contact details",
        "r_dpo": "Data protection officer",
        "r_ref": "Reference",
        "r_name": "Processing activity",
        "r_purpose": "Main purpose",
        "r_sub_purposes": "Sub-purposes",
        "r_sub_purpose": "Sub-purpose {n}",
        "r_legal_basis": "Legal basis",
        "r_subjects": "Categories of data subjects",
        "r_data": "Categories of personal data",
        "r_sensitive": "Special-category data",
        "r_recipients": "Categories of recipients",
        "r_transfers": "Transfers outside the EU",
        "r_retention": "Time limits for erasure",
        "r_security": "Security measures",
        "r_updated": "Created / last updated",
        "r_none_f": "None",
        "r_none": "None",
        "r_criminal": "criminal convictions and offences (GDPR Art. 10)",
        "r_representative": "Representative in the EU",
        "f_title": "Record of processing",
        "f_summary": "Record",
        "f_description": "Description of the processing",
        "f_actors": "Parties",
        "f_purposes": "Purpose(s) of the processing",
        "f_category": "Category",
        "f_detail": "Details",
        "f_country": "Country",
        "f_safeguard": "Safeguard",
        "f_kind": "Role",
        "f_end": "At the end",
        "h_security": "How do we protect your data?",
        "security_intro": (
            "We apply technical and organisational measures suited to the risks, including:"
        ),
    }

    def join(self, items: Sequence[str]) -> str:
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]

    def date(self, day: dt.date) -> str:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

    def duration(self, duration: Duration) -> str:
        parts = []
        if duration.years:
            parts.append(_plural(duration.years, "year"))
        if duration.months:
            parts.append(_plural(duration.months, "month"))
        if duration.days:
            parts.append(_plural(duration.days, "day"))
        return self.join(parts) if parts else "0 days"

    def event(self, name: str) -> EventWords:
        return _EVENTS.get(name, EventWords(f"the event “{name}”"))

    def legal_basis(self, basis: LegalBasis) -> str:
        return {
            LegalBasis.CONSENT: "your consent (GDPR Art. 6(1)(a))",
            LegalBasis.CONTRACT: (
                "performance of a contract with you, or steps taken at your request before "
                "entering into one (GDPR Art. 6(1)(b))"
            ),
            LegalBasis.LEGAL_OBLIGATION: (
                "compliance with a legal obligation we are subject to (GDPR Art. 6(1)(c))"
            ),
            LegalBasis.VITAL_INTERESTS: (
                "protecting your vital interests or those of another person (GDPR Art. 6(1)(d))"
            ),
            LegalBasis.PUBLIC_TASK: (
                "performance of a task carried out in the public interest (GDPR Art. 6(1)(e))"
            ),
            LegalBasis.LEGITIMATE_INTEREST: "our legitimate interests (GDPR Art. 6(1)(f))",
        }[basis]

    def recipient_kind(self, kind: RecipientKind) -> str:
        return {
            RecipientKind.INTERNAL: "Internal department",
            RecipientKind.GROUP_ENTITY: "Group company",
            RecipientKind.PROCESSOR: "Processor",
            RecipientKind.THIRD_PARTY: "Third party",
            RecipientKind.CONTROLLER: "Another controller",
            RecipientKind.AUTHORITY: "Authority entitled by law",
        }[kind]

    def safeguard(self, safeguard: Safeguard) -> str:
        return {
            Safeguard.SCC: (
                "Standard contractual clauses adopted by the European Commission "
                "(GDPR Art. 46(2)(c))."
            ),
            Safeguard.BCR: "Binding corporate rules (GDPR Art. 47).",
            Safeguard.CODE_OF_CONDUCT: "An approved code of conduct (GDPR Art. 46(2)(e)).",
            Safeguard.CERTIFICATION: "An approved certification mechanism (GDPR Art. 46(2)(f)).",
            Safeguard.DEROGATION: "A derogation for a specific situation (GDPR Art. 49).",
            Safeguard.ADEQUACY: "An adequacy decision of the European Commission (GDPR Art. 45).",
        }[safeguard]

    def country(self, code: str) -> str:
        return _COUNTRIES.get(code, code)

    def end_action(self, action: EndAction) -> str:
        return {EndAction.DELETE: "Deletion", EndAction.ANONYMISE: "Anonymisation"}[action]

    def active_phase(self, phase: ActivePhase) -> str:
        if phase.until is not None:
            combination, events = self.combine(phase.until)
            if combination is Combination.SINGLE:
                return events[0].period or f"until {events[0].moment}"
            if combination is Combination.EARLIEST and len(events) == 2:
                first = events[0].period or f"until {events[0].moment}"
                return f"{first}, and at the latest until {events[1].moment}"
            which = "later" if combination is Combination.LATEST else "earlier"
            return "until " + " or ".join(e.moment for e in events) + f", whichever is {which}"
        assert phase.for_ is not None and phase.from_ is not None  # the model guarantees it
        combination, events = self.combine(phase.from_)
        words = f"{self.duration(phase.for_)} from " + " or from ".join(e.moment for e in events)
        if combination is Combination.LATEST:
            words += ", whichever is later"
        elif combination is Combination.EARLIEST:
            words += ", whichever is earlier"
        return words

    def with_archive(self, active: str, archive: Duration) -> str:
        return (
            f"{active}, then {self.duration(archive)} in a restricted-access intermediate archive"
        )

    def archive_reason(self, reason: str) -> str:
        return f"Why it is archived: {reason}."

    def source(self, kind: SourceKind, description: str | None, public: bool) -> str:
        elsewhere = (
            f"from {description}" if description else "from a third party (source not provided)"
        )
        if public:
            elsewhere += " (a publicly accessible source)"
        if kind is SourceKind.DIRECT:
            return "Directly from you."
        if kind is SourceKind.INDIRECT:
            return elsewhere[:1].upper() + elsewhere[1:] + "."
        return f"Directly from you, or {elsewhere}."

    def right(self, right: Right) -> tuple[str, str, str]:
        name, citation, what = _RIGHTS[right]
        return name, citation, f"You have the right {what}"

    def right_scope(self, right: Right, applies_to: Sequence[str], excluded: Sequence[str]) -> str:
        if not excluded:
            return ""
        if right is Right.ERASURE:
            return (
                "This right does not apply to processing the law requires of us: "
                f"{self.join(excluded)}."
            )
        return f"Processing concerned: {self.join(applies_to)}."

    def version_line(self, version: str, date: dt.date | None) -> str:
        if date is None:
            return f"Version {version} — date of last update not provided"
        return f"Version {version} — last updated {self.date(date)}"

    def title_of(self, controller: str) -> str:
        return f"{controller} — {self['title']}"
