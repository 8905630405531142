"""The registry model: what an organisation processes, where, why, on what basis, for how long.

Every field carries a description, so ``gardien schema`` documents itself in an editor.
Identifiers (subject categories, data categories, recipients, activities, systems) are the
keys of mappings; cross-references between them are checked by ``references.py`` so that a
registry with a dangling reference still loads and every problem is reported at once.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from gardien.law.calendar import UnknownTimeZoneError, default_zone, zone
from gardien.registry.duration import Duration
from gardien.registry.events import EventExpression
from gardien.registry.limits import MAX_TABLE_CHAIN
from gardien.registry.normalisers import Normaliser
from gardien.registry.secrets import mask_url
from gardien.registry.suppression_period import MINIMUM, shorter_than_minimum
from gardien.registry.unknown_dates import DEFAULT_IF_UNKNOWN, IfUnknown

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="A lower-case identifier: letters, digits, '_' and '-'.",
    ),
]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code: fr, en…")]
CountryCode = Annotated[
    str,
    BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code: FR, MA, US…"),
]


def _check_zone(value: str) -> str:
    # Refused at the registry's line: a wrong zone would shift every retention day silently.
    try:
        zone(value)
    except UnknownTimeZoneError:
        raise ValueError(
            f"{value!r} is not an IANA time zone: write a name such as Europe/Paris, "
            "Europe/Brussels or UTC (the list: python -c 'import zoneinfo; "
            "print(sorted(zoneinfo.available_timezones()))')"
        ) from None
    return value


IanaZone = Annotated[
    str,
    AfterValidator(_check_zone),
    Field(description="IANA time zone name: Europe/Paris, UTC…"),
]

EventName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A business event: lower-case letters, digits and '_' (contract_end).",
    ),
]
IdentityKind = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A kind of identifier: email, phone, customer_number…",
    ),
]
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def _short(value: str, limit: int = 80) -> str:
    """A value quoted for a message, cut at ``limit`` characters."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


LocalizedText = Annotated[
    dict[Language, str],
    Field(description="The same text in each declared language: {fr: '…', en: '…'}."),
]


def _parse_duration(value: Any) -> Any:
    return Duration.parse(value) if isinstance(value, str) else value


def _parse_event(value: Any) -> Any:
    return EventExpression.parse(value) if isinstance(value, str) else value


IsoDuration = Annotated[
    Duration,
    BeforeValidator(_parse_duration),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$",
            "description": "ISO 8601 duration: P5Y, P2Y6M, P6M, P30D.",
        }
    ),
]
Event = Annotated[
    EventExpression,
    BeforeValidator(_parse_event),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "A business event, or latest(a, b) / earliest(a, b) of several.",
            "examples": ["contract_end", "latest(collected_at, last_contact_at)"],
        }
    ),
]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a registry must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _label_shorthand(value: Any) -> Any:
    """Accept ``client: {fr: Client, en: Customer}`` as ``client: {label: {…}}``."""
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and re.fullmatch(r"[a-z]{2}", k) for k in value)
    ):
        return {"label": value}
    return value


# --- the controller -----------------------------------------------------------------------


class Contact(Strict):
    name: str | None = Field(
        None, description="A person or a service, e.g. 'Déléguée à la protection des données'."
    )
    email: str | None = Field(None, description="E-mail address.")
    phone: str | None = Field(None, description="Telephone number.")
    address: str | None = Field(None, description="Postal address, one line or several.")
    url: str | None = Field(None, description="Web page or form.")

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        # 254 characters at most (RFC 5321 §4.5.3.1.3), checked first; the domain's labels
        # hold no dot, so the expression cannot backtrack (the former "[^@\s]+\.[^@\s]+" took
        # 17 s on an address of 50,000 dots).
        if value is not None and (len(value) > 254 or not _EMAIL.fullmatch(value)):
            raise ValueError(f"{_short(value)} is not an e-mail address")
        return value

    def is_empty(self) -> bool:
        return not any((self.email, self.phone, self.address, self.url))


class SupervisoryAuthority(Strict):
    """Art. 13(2)(d): the right to lodge a complaint with a supervisory authority."""

    name: str = Field(description="Short name, e.g. CNIL.")
    full_name: LocalizedText | None = Field(None, description="Full name in each language.")
    url: str | None = Field(None, description="Web site where a complaint can be lodged.")
    address: str | None = Field(None, description="Postal address.")


class NoticeSettings(Strict):
    """R-NOT-01: the notice is versioned and dated."""

    version: str = Field(description="Version label of the published notice, e.g. 2024-03-28.")
    date: dt.date | None = Field(None, description="Date the notice takes effect (ISO date).")
    languages: list[Language] = Field(
        min_length=1, description="Languages the notice is published in; every text needs each."
    )


class Controller(Strict):
    """Art. 13(1)(a)–(b): who is responsible and how to reach them and their DPO."""

    name: str = Field(description="Legal name of the controller.")
    description: LocalizedText | None = Field(
        None, description="One sentence on who the controller is."
    )
    address: str | None = Field(None, description="Registered postal address.")
    country: CountryCode = Field(
        "FR", description="Country of establishment (deadlines, holidays, authority)."
    )
    timezone: IanaZone | None = Field(
        None,
        description="IANA time zone whose days periods are counted in (issue 10 §1): "
        "Europe/Paris. Defaults to the legal time of the country (Europe/Paris for FR).",
    )
    contact: Contact | None = Field(None, description="How to reach the controller.")
    dpo: Contact | None = Field(
        None, description="The data protection officer's contact (Art. 37–39)."
    )
    rights_channel: Contact | None = Field(
        None,
        description="Where people exercise their rights (R-RGT-12); defaults to the DPO's contact.",
    )
    identity_proof: bool = Field(
        True,
        description="Whether proof of identity is asked before acting on a request (R-RGT-11).",
    )
    authority: SupervisoryAuthority | None = Field(
        None, description="Supervisory authority for complaints."
    )
    representative: Contact | None = Field(
        None,
        description="Art. 27 representative in the EU, for a controller established outside it.",
    )
    security_measures: list[LocalizedText] = Field(
        default_factory=list,
        description="Art. 30(1)(g) / Art. 32: technical and organisational measures.",
    )
    notice: NoticeSettings = Field(description="Version, date and languages of the notice.")

    @property
    def zone(self) -> str:
        """The time zone whose days are counted: the declared one, else the country's."""
        return self.timezone or default_zone(self.country)

    def channel(self) -> Contact | None:
        """The channel people use for their rights: the declared one, else the DPO's."""
        return self.rights_channel or self.dpo


# --- categories ---------------------------------------------------------------------------


class SubjectCategory(Strict):
    """A category of people: client, prospect, trusted person, caller…"""

    label: LocalizedText = Field(description="Name of the category in each language.")
    description: LocalizedText | None = Field(
        None, description="Who belongs to it, for the notice."
    )


class RetentionReference(StrEnum):
    """Kinds of data with a clear CNIL reference retention period (see gardien.law.retention_guidance)."""

    CALL_RECORDING = "call_recording"  # CNIL: 6 months (R-RET-05)
    CONNECTION_LOG = "connection_log"  # CNIL: 6 months to 1 year (R-RET-07)


class StoreMode(StrEnum):
    """Whether a category may be stored at all (CNIL délibération 2018-303: never the card's
    security code once the payment is made)."""

    NEVER = "never"


class ClearMethod(StrEnum):
    """How a category rule clears its columns while the row stays (issue 10 §6)."""

    NULL = "null"  # set the columns to NULL
    ANONYMISE = "anonymise"  # the neutral placeholder of erasure's ``anonymise`` (text), else NULL


class DataCategory(Strict):
    """A category of personal data."""

    label: LocalizedText = Field(description="Name of the category in each language.")
    description: LocalizedText | None = Field(None, description="Examples of what it holds.")
    sensitive: bool = Field(
        False, description="Special category under Art. 9 (health, biometrics…)."
    )
    criminal: bool = Field(False, description="Data relating to offences, Art. 10.")
    retention_reference: RetentionReference | None = Field(
        None,
        description="Kind of data for which the CNIL publishes a reference retention period "
        "(call_recording, connection_log); the checker compares durations with it.",
    )
    store: StoreMode | None = Field(
        None,
        description="'never': the category must not be stored (e.g. a card's security code, "
        "CNIL délibération 2018-303); a table column mapped to it is a checker error.",
    )
    retention: CategoryRetention | None = Field(
        None,
        description="Its own period, shorter than the rows': every table column mapped to the "
        "category is cleared when it ends while the row stays (issue 10 §6), e.g. bank card "
        "data 13 months from the transaction. The table must map the rule's events.",
    )


class RecipientKind(StrEnum):
    INTERNAL = "internal"
    GROUP_ENTITY = "group_entity"
    PROCESSOR = "processor"
    THIRD_PARTY = "third_party"
    CONTROLLER = "controller"
    AUTHORITY = "authority"


class Safeguard(StrEnum):
    """Art. 46–49: what makes a transfer outside the EEA lawful when the country is not adequate."""

    SCC = "scc"  # Art. 46(2)(c) standard contractual clauses
    BCR = "bcr"  # Art. 47 binding corporate rules
    CODE_OF_CONDUCT = "code_of_conduct"  # Art. 46(2)(e)
    CERTIFICATION = "certification"  # Art. 46(2)(f)
    DEROGATION = "derogation"  # Art. 49 derogation for specific situations
    ADEQUACY = "adequacy"  # Art. 45, stated explicitly (e.g. DPF certification for the US)


class Recipient(Strict):
    """Art. 13(1)(e)–(f): who receives the data, where, under which safeguard."""

    label: LocalizedText = Field(description="Who the recipient is, in each language.")
    kind: RecipientKind = Field(
        description="internal | group_entity | processor | third_party | controller | authority."
    )
    country: CountryCode = Field("FR", description="Where the data goes or is accessed from.")
    safeguard: Safeguard | None = Field(
        None, description="Required outside the EEA unless the country is adequate."
    )
    safeguard_detail: LocalizedText | None = Field(
        None, description="Where to obtain a copy of the safeguard."
    )
    third_country_unnamed: bool = Field(
        False,
        description="The data goes to or is accessed from outside the EEA, in a country the "
        "notice does not name (R-XFR-02); 'country' is then not used.",
    )
    access_only: bool = Field(
        False,
        description="Remote access without storage, e.g. maintenance (R-XFR-02); still a transfer.",
    )


# --- activities ---------------------------------------------------------------------------


class LegalBasis(StrEnum):
    """Art. 6(1) GDPR: the lawful bases for processing."""

    CONSENT = "consent"  # Art. 6(1)(a)
    CONTRACT = "contract"  # Art. 6(1)(b)
    LEGAL_OBLIGATION = "legal_obligation"  # Art. 6(1)(c)
    VITAL_INTERESTS = "vital_interests"  # Art. 6(1)(d)
    PUBLIC_TASK = "public_task"  # Art. 6(1)(e)
    LEGITIMATE_INTEREST = "legitimate_interest"  # Art. 6(1)(f)


class SpecialCategoryCondition(StrEnum):
    """Art. 9(2)(a)–(j): the condition lifting the ban on special-category data."""

    EXPLICIT_CONSENT = "explicit_consent"  # (a)
    EMPLOYMENT = "employment"  # (b)
    VITAL_INTERESTS = "vital_interests"  # (c)
    NOT_FOR_PROFIT = "not_for_profit"  # (d)
    MADE_PUBLIC = "made_public"  # (e)
    LEGAL_CLAIMS = "legal_claims"  # (f)
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"  # (g)
    HEALTH_CARE = "health_care"  # (h)
    PUBLIC_HEALTH = "public_health"  # (i)
    ARCHIVING_RESEARCH = "archiving_research"  # (j)


class SourceKind(StrEnum):
    DIRECT = "direct"  # Art. 13
    INDIRECT = "indirect"  # Art. 14
    BOTH = "both"


class DataSource(Strict):
    """Art. 14(2)(f): where data not obtained from the person comes from."""

    kind: SourceKind = Field(description="direct (Art. 13), indirect (Art. 14) or both.")
    description: LocalizedText | None = Field(
        None,
        description="For indirect collection: the source (partner, sponsor, public register…).",
    )
    public: bool = Field(
        False, description="Whether the source is publicly accessible (Art. 14(2)(f))."
    )


class MandatoryData(Strict):
    """Art. 13(2)(e) / R-MIN-02: what must be provided and what happens if it is not."""

    data: list[Identifier] = Field(description="Data categories the person must provide.")
    reason: LocalizedText | None = Field(
        None, description="Statutory, contractual or needed to enter a contract."
    )
    consequence: LocalizedText | None = Field(
        None, description="What happens if the data is not provided."
    )


class AutomatedDecision(Strict):
    """Art. 13(2)(f), Art. 22 / R-PRF-01: profiling and automated decisions."""

    profiling: bool = Field(False, description="Whether the activity profiles or scores people.")
    decision: bool = Field(
        False, description="Whether it takes decisions with legal or similar effects."
    )
    logic: LocalizedText | None = Field(
        None, description="Meaningful information about the logic involved."
    )
    consequences: LocalizedText | None = Field(
        None, description="Significance and envisaged consequences."
    )
    safeguards: LocalizedText | None = Field(
        None, description="Art. 22(3): human intervention, contesting."
    )


class ConsentSettings(Strict):
    """Art. 7(3), Art. 13(2)(c): consent can be withdrawn as easily as it was given."""

    withdrawal: LocalizedText | None = Field(None, description="How to withdraw consent (channel).")


class ActivePhase(Strict):
    """The period during which data serves the activity.

    Either ``until`` a business event (``contract_end``: active while the event has not
    happened), or ``for`` a duration ``from`` an event (or the later/earlier of several).
    """

    until: Event | None = Field(
        None, description="Active until this event happens (e.g. contract_end)."
    )
    for_: IsoDuration | None = Field(None, alias="for", description="Duration of the active phase.")
    from_: Event | None = Field(None, alias="from", description="Event the duration runs from.")

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )

    @model_validator(mode="after")
    def _one_shape(self) -> ActivePhase:
        if self.until is None and self.for_ is None:
            raise ValueError(
                "an active phase needs 'until: EVENT' or 'for: DURATION' with 'from: EVENT'"
            )
        if self.for_ is not None and self.from_ is None:
            raise ValueError("'for' needs 'from: EVENT' (the event the duration runs from)")
        if self.from_ is not None and self.for_ is None:
            raise ValueError("'from' needs 'for: DURATION'")
        return self

    def events(self) -> tuple[str, ...]:
        names: list[str] = []
        for expr in (self.until, self.from_):
            if expr is not None:
                names.extend(expr.events)
        return tuple(names)


class ArchivePhase(Strict):
    """R-RET-08: intermediate archive with restricted access, for proof, then the end action."""

    for_: IsoDuration = Field(
        alias="for", description="How long rows stay in the restricted archive."
    )
    reason: LocalizedText | None = Field(
        None, description="Why (limitation period, legal obligation)."
    )

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )


class CategoryRetention(ActivePhase):
    """A data category's own period: its columns are cleared at the end, the row stays.

    The same shapes as an active phase (``until`` an event, or ``for`` a duration ``from`` an
    event, read from each table that holds the category); an empty start date clears nothing
    (the row's own rule still bounds it).
    """

    then: ClearMethod = Field(
        ClearMethod.NULL, description="How the columns are cleared: null or anonymise."
    )
    legal_holds: bool = Field(
        True, description="Whether a legal hold keeps the columns too (R-RET-05)."
    )
    note: LocalizedText | None = Field(
        None, description="Wording for the notice, if the computed one is not enough."
    )


class EndAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


class RetentionRule(Strict):
    """How long one subject category's data is kept for one activity (R-RET-01…09)."""

    active: ActivePhase = Field(description="The active phase.")
    archive: ArchivePhase | None = Field(
        None, description="Optional restricted archive after the active phase."
    )
    then: EndAction = Field(
        EndAction.DELETE, description="What happens at the end: delete or anonymise."
    )
    legal_holds: bool = Field(
        True, description="Whether a legal hold suspends this rule (R-RET-05)."
    )
    note: LocalizedText | None = Field(
        None, description="Wording for the notice, if the computed one is not enough."
    )
    if_unknown: IfUnknown | None = Field(
        None,
        description="What a row whose start date ('from') is empty means: delete (past the "
        "rule), keep (kept, as decided) or review (not touched, listed by every plan; the "
        "default). Only for 'for … from' rules (Art. 5(1)(e); issue 10 §5).",
    )

    @model_validator(mode="after")
    def _unknown_needs_a_start(self) -> RetentionRule:
        if self.if_unknown is not None and self.active.from_ is None:
            raise ValueError(
                "'if_unknown' is for a duration 'from' an event: with 'until', an empty date "
                "means the event has not happened yet, so nothing is unknown"
            )
        return self

    def events(self) -> tuple[str, ...]:
        return self.active.events()

    def unknown_start(self) -> IfUnknown:
        """What an empty start means for this rule, declared or by default (review)."""
        return self.if_unknown or DEFAULT_IF_UNKNOWN


class ProcessingActivity(Strict):
    """A processing activity: one purpose, its legal basis, data, people, recipients, retention."""

    name: LocalizedText = Field(description="Short title of the activity.")
    purpose: LocalizedText = Field(
        description="The purpose, as the notice states it (Art. 13(1)(c))."
    )
    sub_purposes: list[LocalizedText] = Field(
        default_factory=list, description="Detailed purposes, listed in the notice and register."
    )
    legal_basis: LegalBasis = Field(description="Art. 6(1) legal basis.")
    legitimate_interest: LocalizedText | None = Field(
        None, description="Art. 13(1)(d): the interest pursued, required for legitimate_interest."
    )
    legal_obligation: LocalizedText | None = Field(
        None, description="The obligation, for legal_obligation (the text that imposes it)."
    )
    consent: ConsentSettings | None = Field(None, description="Consent settings, for consent.")
    special_category_condition: SpecialCategoryCondition | None = Field(
        None, description="Art. 9(2) condition, required if sensitive data is processed."
    )
    direct_marketing: bool = Field(
        False, description="Prospecting: objection is absolute (Art. 21(3))."
    )
    subjects: list[Identifier] = Field(min_length=1, description="Subject categories concerned.")
    data: list[Identifier] = Field(min_length=1, description="Data categories processed.")
    source: dict[Identifier, DataSource] = Field(
        default_factory=dict, description="Per subject category: where the data comes from."
    )
    mandatory: MandatoryData | None = Field(
        None, description="Mandatory data and the consequence of not providing it."
    )
    recipients: list[Identifier] = Field(
        default_factory=list, description="Recipients of the data."
    )
    automated: AutomatedDecision | None = Field(
        None, description="Profiling or automated decisions."
    )
    retention: dict[Identifier, RetentionRule] = Field(
        default_factory=dict, description="Per subject category: the retention rule."
    )


# --- systems ------------------------------------------------------------------------------


class ErasureMethod(StrEnum):
    NULL = "null"  # set the column to NULL
    HASH = "hash"  # keyed hash: keeps joins/deduplication, loses the value
    ANONYMISE = "anonymise"  # replace with a neutral placeholder
    DELETE = "delete"  # whole row (only meaningful as the table's strategy)


class ParentLink(Strict):
    """A child table reached through its subject's row (orders → customer)."""

    table: Identifier = Field(description="The parent table in the same system.")
    column: str = Field(description="The column of this table holding the parent's key.")


def _erase_shorthand(value: Any) -> Any:
    """``erase: row`` deletes rows; ``erase: {col: null, col2: hash}`` is a per-column strategy."""
    if value in ("row", "delete"):
        return {"row": True}
    if isinstance(value, dict) and value and not set(value) & {"row", "columns"}:
        return {"columns": value}
    return value


class ErasureStrategy(Strict):
    """How a table's rows are erased: the whole row, or per column."""

    row: bool = Field(False, description="Delete the whole row.")
    columns: dict[str, ErasureMethod] = Field(
        default_factory=dict, description="Per column: null, hash or anonymise."
    )

    @model_validator(mode="after")
    def _something(self) -> ErasureStrategy:
        if not self.row and not self.columns:
            raise ValueError("an erasure strategy needs 'row' or at least one column")
        return self


ColumnName = Annotated[
    str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="A column name.")
]
EventColumn = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,3}$",
        description=(
            "A date column of this table (contract_ended_on), or RELATION.COLUMN: the column "
            "of the rows a relation of this table leads to (client.contract_ended_on), "
            "relations chained up to three (designations.client.contract_ended_on)."
        ),
    ),
]


class Relation(Strict):
    """A link from this table's rows to the rows of another table of the same system.

    ``column``: many-to-one, this table's column holds the other table's key (a trusted
    person's ``client_id``). ``referenced_by``: one-to-many, the other table's column holds
    this table's key (a client's designations). Events read through a relation
    (``events: {contract_end: client.contract_ended_on}``) and locating a person's rows follow
    it (docs/registry.md, docs/retention.md).
    """

    table: Identifier = Field(description="The related table, declared in the same system.")
    column: ColumnName | None = Field(
        None, description="Many-to-one: the column of this table holding the related key."
    )
    referenced_by: ColumnName | None = Field(
        None, description="One-to-many: the column of the related table holding this key."
    )

    @model_validator(mode="after")
    def _one_side(self) -> Relation:
        if (self.column is None) == (self.referenced_by is None):
            raise ValueError(
                "a relation needs either 'column' (this table holds the related key: "
                "many-to-one) or 'referenced_by' (the related table holds this key: one-to-many)"
            )
        return self

    @property
    def many(self) -> bool:
        """One-to-many: several related rows may answer for one row."""
        return self.referenced_by is not None


class Table(Strict):
    """A table holding personal data, mapped to the registry's vocabulary."""

    subject: Identifier | None = Field(
        None, description="Subject category of its rows (omit for a child table)."
    )
    belongs_to: ParentLink | None = Field(
        None, description="For a child table: its parent table and link column."
    )
    key: ColumnName = Field("id", description="Primary key column.")
    activities: list[Identifier] = Field(
        default_factory=list,
        description="Activities that use this table (inherited by child tables).",
    )
    identity: dict[IdentityKind, ColumnName] = Field(
        default_factory=dict,
        description="Identifier kind → column (email, phone, customer_number).",
    )
    normalise: dict[ColumnName, Normaliser] = Field(
        default_factory=dict,
        description="Identity column → how its stored values are brought to one form before "
        "they are compared: email, phone, trim, casefold, compact or none (default: email for "
        "e-mail columns, phone for telephone columns, trim otherwise).",
    )
    relations: dict[Identifier, Relation] = Field(
        default_factory=dict,
        description="Name → link to rows of another table (events and look-ups follow it).",
    )
    events: dict[EventName, EventColumn] = Field(
        default_factory=dict,
        description="Business event → date column, or RELATION.COLUMN of a related table.",
    )
    columns: dict[ColumnName, Identifier] = Field(
        default_factory=dict, description="Column → data category."
    )
    erase: Annotated[ErasureStrategy | None, BeforeValidator(_erase_shorthand)] = Field(
        None, description="'row', or {columns: {col: null|hash|anonymise}}."
    )
    restriction_flag: ColumnName | None = Field(
        None, description="Boolean column marking rows restricted (Art. 18)."
    )
    provided_by_subject: list[ColumnName] | None = Field(
        None,
        description="Columns the person provided (portability, Art. 20); default: identity and mapped columns.",
    )

    @property
    def own_events(self) -> dict[str, str]:
        """Events read from this table's own columns (event → column)."""
        return {e: c for e, c in self.events.items() if "." not in c}

    @property
    def related_events(self) -> dict[str, tuple[str, str]]:
        """Events read through a relation: event → (first relation, the rest of the path on
        the related table: a column, or RELATION.COLUMN again)."""
        out: dict[str, tuple[str, str]] = {}
        for event, source in self.events.items():
            if "." in source:
                relation, rest = source.split(".", 1)
                out[event] = (relation, rest)
        return out

    @model_validator(mode="after")
    def _subject_or_parent(self) -> Table:
        if self.subject is None and self.belongs_to is None:
            raise ValueError(
                "a table needs 'subject' (whose rows these are) or 'belongs_to' (its parent)"
            )
        if self.subject is not None and self.belongs_to is not None:
            raise ValueError("a table has either 'subject' or 'belongs_to', not both")
        return self


class System(Strict):
    """A data store (database) of the organisation."""

    description: str | None = Field(None, description="What the system is.")
    url: str = Field(
        description="SQLAlchemy URL; ${VAR} or ${VAR:-default} read from the environment.",
        repr=False,
    )
    tables: dict[ColumnName, Table] = Field(
        default_factory=dict, description="Tables holding personal data."
    )

    @field_serializer("url")
    def _masked(self, url: str) -> str:
        # Every dump (API, JSON output, digests) shows the URL without its password: the
        # connectors read ``self.url``, nothing else needs the secret (issue 9 §2).
        return mask_url(url)


# --- the registry ---------------------------------------------------------------------------


class SuppressionList(Strict):
    """How long an objection to prospecting stays on the suppression list (issue 10 §6)."""

    for_: IsoDuration = Field(
        MINIMUM,
        alias="for",
        description="How long each entry is kept from the objection (the person's latest "
        "objection to prospecting); at least P3Y (CNIL référentiel gestion commerciale).",
    )

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )

    @field_validator("for_")
    @classmethod
    def _at_least_three_years(cls, value: Duration) -> Duration:
        if shorter_than_minimum(value):
            raise ValueError(
                f"{value.iso()} is shorter than the {MINIMUM.iso()} the CNIL requires for the "
                "proof of an objection to prospecting (référentiel gestion commerciale): "
                "an objection would be forgotten while it must still be honoured"
            )
        return value


class Registry(Strict):
    """The whole declaration (format version 1)."""

    gardien: Literal[1] = Field(description="Registry format version; always 1 for now.")
    controller: Controller
    subjects: dict[Identifier, Annotated[SubjectCategory, BeforeValidator(_label_shorthand)]] = (
        Field(description="Categories of people.")
    )
    data: dict[Identifier, Annotated[DataCategory, BeforeValidator(_label_shorthand)]] = Field(
        description="Categories of personal data."
    )
    recipients: dict[Identifier, Recipient] = Field(default_factory=dict, description="Recipients.")
    activities: dict[Identifier, ProcessingActivity] = Field(
        description="Processing activities (purposes)."
    )
    systems: dict[Identifier, System] = Field(
        default_factory=dict, description="Where the data lives."
    )
    suppression_list: SuppressionList = Field(
        default_factory=SuppressionList,
        description="How long objections to prospecting stay on the suppression list "
        "(default P3Y from the objection, never less).",
    )

    @property
    def languages(self) -> list[str]:
        return list(self.controller.notice.languages)

    def table_subject(self, system_id: str, table_name: str) -> str | None:
        """The subject category of a table, following ``belongs_to`` up to the subject's table."""
        tables = self.systems[system_id].tables
        seen: set[str] = set()
        name: str | None = table_name
        while name is not None and name in tables and name not in seen:
            if len(seen) == MAX_TABLE_CHAIN:
                return None  # references.py reports the chain as too long
            seen.add(name)
            table = tables[name]
            if table.subject is not None:
                return table.subject
            name = table.belongs_to.table if table.belongs_to else None
        return None

    def table_activities(self, system_id: str, table_name: str) -> list[str]:
        """Activities of a table; a child table without its own inherits its parent's."""
        tables = self.systems[system_id].tables
        seen: set[str] = set()
        name: str | None = table_name
        while name is not None and name in tables and name not in seen:
            if len(seen) == MAX_TABLE_CHAIN:
                return []
            seen.add(name)
            table = tables[name]
            if table.activities:
                return list(table.activities)
            name = table.belongs_to.table if table.belongs_to else None
        return []
