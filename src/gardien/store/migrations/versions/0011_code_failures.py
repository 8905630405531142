"""Wrong one-time codes, counted per request and per identifier (issue 9 §3).

Written out in full (not derived from schema_guesses.py) so that this revision never changes
once released. A head of its own beside the others (``open_store`` upgrades to every head).

Revision ID: 0011_code_failures
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_code_failures"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_failure",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("identifier_digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_code_failure_request_id", "code_failure", ["request_id"])
    op.create_index("ix_code_failure_identifier", "code_failure", ["identifier_digest", "at"])


def downgrade() -> None:
    op.drop_index("ix_code_failure_identifier", "code_failure")
    op.drop_index("ix_code_failure_request_id", "code_failure")
    op.drop_table("code_failure")
