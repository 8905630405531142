"""Rights requests: the requests, their timeline of transitions, one-time verification codes.

Written out in full (not derived from schema_requests.py) so that this revision never changes.

Revision ID: 0002_requests
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_requests"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("extended_due", sa.Date(), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended_by", sa.String(200), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("died_on", sa.Date(), nullable=True),
        sa.Column("death_declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("death_declared_by", sa.String(200), nullable=True),
        sa.Column("request_text", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rights_request_state", "rights_request", ["state"])
    op.create_index("ix_rights_request_due", "rights_request", ["due"])
    op.create_table(
        "request_transition",
        sa.Column(
            "request_id", sa.String(36), sa.ForeignKey("rights_request.id"), primary_key=True
        ),
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_state", sa.String(30), nullable=True),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
    )
    op.create_table(
        "request_code",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("rights_request.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_request_code_request_id", "request_code", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_request_code_request_id", table_name="request_code")
    op.drop_table("request_code")
    op.drop_table("request_transition")
    op.drop_index("ix_rights_request_due", table_name="rights_request")
    op.drop_index("ix_rights_request_state", table_name="rights_request")
    op.drop_table("rights_request")
