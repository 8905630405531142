"""Store tables of the consent/objection ledger, the restriction list and the suppression list.

Append-only by construction: the repository (``gardien.store.consent``) only inserts into these
tables; states are folded from the events. The one exception is the ``identifiers`` column,
which holds the person's identifiers *in clear* (so that the DPO's team can see whom an event
concerns and act on it) and which an erasure may set to NULL (Art. 17): look-ups never use it,
they use the keyed digests in the ``*_subject`` tables (see ``gardien.consent.keys``), so the
proof — who (as a digest), what, when, how, under which notice — survives the erasure.

The suppression list keeps digests only: it must outlive the person's data (R-RGT-05).
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

consent_event = sa.Table(
    "consent_event",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("activity_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),  # gardien.consent.ledger.EventKind
    sa.Column("channel", sa.String(20), nullable=False),  # gardien.consent.ledger.Channel
    sa.Column("proof", sa.Text(), nullable=True),
    sa.Column("notice_version", sa.String(100), nullable=True),
    sa.Column("prospecting", sa.Boolean(), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("request_id", sa.String(100), nullable=True),
    sa.Column("identifiers", sa.Text(), nullable=True),  # JSON {kind: value}, erasable
)

# One row per identifier of the event's subject: the look-up path of `consent status`.
consent_event_subject = sa.Table(
    "consent_event_subject",
    metadata,
    sa.Column("event_seq", _SEQ, sa.ForeignKey("consent_event.seq"), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
)

restriction_event = sa.Table(
    "restriction_event",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("restriction_id", sa.String(36), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # placed | lifted
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("request_id", sa.String(100), nullable=True),
    sa.Column("notice", sa.Text(), nullable=True),  # Art. 18(3): what the person was told
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("identifiers", sa.Text(), nullable=True),  # JSON {kind: value}, erasable
)

restriction_subject = sa.Table(
    "restriction_subject",
    metadata,
    sa.Column("event_seq", _SEQ, sa.ForeignKey("restriction_event.seq"), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
)

suppression = sa.Table(
    "suppression",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event_seq", _SEQ, sa.ForeignKey("consent_event.seq"), nullable=True),
)

sa.Index("ix_consent_event_subject_digest", consent_event_subject.c.digest)
sa.Index("ix_restriction_subject_digest", restriction_subject.c.digest)
