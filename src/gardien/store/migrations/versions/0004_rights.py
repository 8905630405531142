"""Rights executions' journal: erasures, their steps and the progress of each step.

Written out in full (not derived from schema_rights.py) so that this revision never changes
once released.

Revision ID: 0004_rights
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_rights"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_execution",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_rights_execution_request", "rights_execution", ["request_id", "kind"], unique=True
    )
    op.create_table(
        "rights_step",
        sa.Column(
            "execution_id",
            sa.String(36),
            sa.ForeignKey("rights_execution.id"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("system_id", sa.String(100), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("chunks_done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rows_done", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("rights_step")
    op.drop_index("ix_rights_execution_request", table_name="rights_execution")
    op.drop_table("rights_execution")
