"""Request and response bodies of the API, per resource (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gardien.identity import unfit_text

Identity = dict[str, str]
IDENTITY_HELP = 'The person, by declared identifier kind: {"email": "jeanne@example.fr"}.'


def _unfit(value: Any) -> str | None:
    """Why a body's value (a text, or texts inside a list or a mapping, keys too) cannot be
    stored; None when it can."""
    if isinstance(value, str):
        return unfit_text(value)
    if isinstance(value, dict):
        return next((p for k, v in value.items() if (p := _unfit(k) or _unfit(v))), None)
    if isinstance(value, list | tuple):
        return next((p for v in value if (p := _unfit(v))), None)
    return None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_texts(cls, value: Any) -> Any:
        # At the edge, once for every body: a NUL byte or a lone surrogate in any text is a 422
        # naming the field, not a database error further in (issue 9 §6).
        problem = _unfit(value)
        if problem is not None:
            raise ValueError(f"the text {problem}")
        return value


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | list[Any] = Field(default_factory=dict)


class ErrorOut(BaseModel):
    error: ErrorDetail


# --- requests ---------------------------------------------------------------------------------


class RequestCreate(Body):
    kind: str = Field(description="access, erasure, rectification, objection, …")
    identity: Identity = Field(min_length=1, description=IDENTITY_HELP)
    received_at: datetime | None = Field(
        None, description="Default now; Art. 12(3) counts from it."
    )
    channel: Literal["email", "phone"] | None = None
    text: str | None = Field(None, max_length=10_000)
    fields: dict[str, str] = Field(default_factory=dict, description="Rectification: new values.")
    activity: str | None = None
    purpose: str | None = None
    directive: str | None = None
    trusted_party: str | None = None
    directive_action: str | None = None
    send_code: bool = Field(True, description="Send a one-time code to the person's channel.")


class CodeDeliveryOut(BaseModel):
    channel: str
    to: str = Field(description="Masked destination.")
    expires_at: datetime
    where: str


class RequestOut(BaseModel):
    id: str
    kind: str
    article: str
    state: str
    identity: Identity
    channel: str | None
    received_at: datetime
    country: str
    due: date | None
    extended_due: date | None
    extended: bool
    extension_reason: str | None
    answer_by: date | None
    overdue: bool
    identity_wait_seconds: int | None
    text: str | None
    details: dict[str, Any]
    death: dict[str, Any] | None
    actionable: bool
    result: dict[str, Any] | None
    proofs: dict[str, dict[str, Any]] = Field(
        description="Identifier kind → how it was proven (code or attestation, when, by whom)."
    )
    not_searched: list[str] = Field(
        description="Identifier kinds given but not proven: no right searches them (R-RGT-11)."
    )
    timeline: list[dict[str, Any]] | None = None


class RequestCreated(BaseModel):
    request: RequestOut
    code: CodeDeliveryOut | None
    code_error: str | None = Field(None, description="Why the code could not be sent, if so.")


class Verify(Body):
    code: str | None = Field(None, max_length=64)
    attestation: str | None = Field(None, max_length=1000, description='"passport checked by …"')
    identifiers: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None,
        max_length=20,
        description="With an attestation: the identifier kinds it proves (default: all).",
    )


class Reason(Body):
    # No min_length: a blank reason is refused by the use case, with the same code and words
    # as from the command line and the back office (reason_required).
    reason: str = Field(max_length=5000)


class RunOptions(Body):
    lang: str | None = None
    pdf: bool = Field(False, description="Render the access letter as PDF too (slower).")


class FulfilmentOut(BaseModel):
    request_id: str
    kind: str
    state: str
    summary: str
    result: dict[str, Any]
    error: str | None


# --- consent ----------------------------------------------------------------------------------


class ConsentEvent(Body):
    identity: Identity = Field(min_length=1, description=IDENTITY_HELP)
    activity: str
    kind: Literal["given", "withdrawn", "objection", "objection-prospecting", "objection-lifted"]
    channel: str = "api"
    proof: str | None = Field(None, max_length=5000)
    request_id: str | None = None


class Withdrawal(Body):
    identity: Identity = Field(min_length=1, description=IDENTITY_HELP)
    activity: str
    channel: str = "api"
    proof: str | None = Field(None, max_length=5000)
    request_id: str | None = None


class ConsentRecorded(BaseModel):
    event: int
    kind: str
    activity: str
    at: datetime
    channel: str
    notice_version: str | None
    suppressed: bool


class StatusQuery(Body):
    identity: Identity = Field(min_length=1, description=IDENTITY_HELP)
    activity: str
    at: datetime | None = Field(None, description="Default now.")


class StatusOut(BaseModel):
    allowed: bool
    reason: str
    basis: str
    activity: str
    at: datetime


class SubjectQuery(Body):
    identity: Identity = Field(min_length=1, description=IDENTITY_HELP)
    at: datetime | None = None


class SuppressionOut(BaseModel):
    suppressed: bool
    since: datetime | None


class SuppressionEntryOut(BaseModel):
    kind: str
    digest: str
    since: datetime


class RestrictionOut(BaseModel):
    id: str
    placed_at: datetime
    reason: str | None
    request_id: str | None


class RestrictionCheckOut(BaseModel):
    restricted: bool
    restrictions: list[RestrictionOut]


# --- retention, holds, audit, archive ---------------------------------------------------------


class RetentionActionOut(BaseModel):
    system: str
    table: str
    stage: str
    action: str
    rows: int
    held: int


class RetentionReviewOut(BaseModel):
    """Rows kept only because their start date is unknown (issue 10 §5)."""

    system: str
    table: str
    rows: int
    first_keys: list[str]
    reasons: list[str]


class RetentionPlanOut(BaseModel):
    now: datetime
    actions: list[RetentionActionOut]
    totals: dict[str, int]


class RetentionRunStart(Body):
    fresh: bool = Field(False, description="Abandon an unfinished run instead of resuming it.")


class RetentionPlanWithReviewsOut(RetentionPlanOut):
    under_review: list[RetentionReviewOut] = []


class RetentionRunOut(RetentionPlanOut):
    run: str
    resumed: bool


class RetentionRunRecord(BaseModel):
    id: str
    now: datetime
    status: str
    started_at: datetime
    finished_at: datetime | None
    actor: str
    error: str | None


class HoldPlace(Body):
    reason: str = Field(max_length=5000, description="Why the data must be kept.")
    case: str | None = None
    subject: Identity | None = Field(None, description='One identifier: {"phone": "+33…"}.')
    system: str | None = None
    table: str | None = None
    keys: list[str] | None = Field(None, description="Primary keys of the rows to hold.")
    their_identifiers: bool = Field(
        False,
        description="A hold on a person also covers the identifiers found in their own rows "
        "(the phone of the client row found by the e-mail), stored on the hold (issue 10 §3).",
    )


class HoldRelease(Body):
    appeal_ends: date | None = Field(None, description="Keep protecting until this date.")


class HoldOut(BaseModel):
    id: str
    covers: str
    reason: str
    case: str | None
    placed_at: datetime
    placed_by: str
    released_at: datetime | None
    appeal_ends: date | None
    also_covers: list[dict[str, Any]] = Field(
        default_factory=list,
        description="A hold on a person: the identifiers read from their rows when placed, "
        "with where each was found.",
    )


class AuditEventOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    hash: str


class AuditVerificationOut(BaseModel):
    ok: bool
    events: int
    first_bad_seq: int | None
    reason: str | None
    legacy_events: int = 0
    """Events at the start sealed with plain SHA-256, before keyed seals (issue 9 §5)."""
    anchored_seq: int | None = None
    """The latest anchor checked (docs/audit.md); None: truncation cannot be detected."""
    anchored_at: datetime | None = None


class ArchiveRead(Body):
    system: str
    table: str
    reason: str = Field(max_length=5000, description="Why (audited, R-RET-08).")
    where: dict[str, str] = Field(
        min_length=1, max_length=1, description='{"email": "…"} or {"key": "42"}'
    )


# --- accounts -------------------------------------------------------------------------------


class AccountOut(BaseModel):
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    token_revoked: bool
    password_set: bool


class NewTokenOut(BaseModel):
    account: AccountOut
    token: str = Field(description="The new API token, shown only in this answer.")


class RoleChange(Body):
    role: Literal["dpo", "agent", "auditor", "admin"]
