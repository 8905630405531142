"""Consent/objection ledger, restriction list and suppression list (issue 4 §3).

Written out in full (not derived from schema_consent.py) so that this revision never changes
once released.

Revision ID: 0003_consent
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_consent"
down_revision = "0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "consent_event",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activity_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.Column("notice_version", sa.String(100), nullable=True),
        sa.Column("prospecting", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("identifiers", sa.Text(), nullable=True),
    )
    op.create_table(
        "consent_event_subject",
        sa.Column("event_seq", _SEQ, sa.ForeignKey("consent_event.seq"), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
    )
    op.create_index("ix_consent_event_subject_digest", "consent_event_subject", ["digest"])
    op.create_table(
        "restriction_event",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("restriction_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=True),
    )
    op.create_table(
        "restriction_subject",
        sa.Column("event_seq", _SEQ, sa.ForeignKey("restriction_event.seq"), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
    )
    op.create_index("ix_restriction_subject_digest", "restriction_subject", ["digest"])
    op.create_table(
        "suppression",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_seq", _SEQ, sa.ForeignKey("consent_event.seq"), nullable=True),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_restriction_subject_digest", "restriction_subject"),
        ("ix_consent_event_subject_digest", "consent_event_subject"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "suppression",
        "restriction_subject",
        "restriction_event",
        "consent_event_subject",
        "consent_event",
    ):
        op.drop_table(table)
