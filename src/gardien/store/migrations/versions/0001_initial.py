"""Initial store: audit trail, legal holds, retention runs and their journal.

Written out in full (not derived from schema.py) so that this revision never changes once
released; later schema changes get their own revision.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("connection", sa.Text(), nullable=True),
        sa.Column("connection_digest", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("case_ref", sa.String(200), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("identity_kind", sa.String(100), nullable=True),
        sa.Column("identity_value", sa.String(500), nullable=True),
        sa.Column("system_id", sa.String(100), nullable=True),
        sa.Column("table_name", sa.String(200), nullable=True),
        sa.Column("row_keys", sa.Text(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("appeal_ends", sa.Date(), nullable=True),
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("now", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registry_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_retention_run_status", "retention_run", ["status"])
    op.create_table(
        "retention_step",
        sa.Column("run_id", sa.String(36), sa.ForeignKey("retention_run.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("system_id", sa.String(100), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("rows_done", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("batches", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("held", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    for table in ("retention_step", "retention_run", "legal_hold", "audit_event"):
        op.drop_table(table)
