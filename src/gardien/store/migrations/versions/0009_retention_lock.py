"""Who holds the retention run's lock (issue 9 §4: one run per store at a time).

Written out in full (not derived from schema.py) so that this revision never changes once
released. A head of its own beside the others (``open_store`` upgrades to every head).

Revision ID: 0009_retention_lock
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_retention_lock"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_lock",
        sa.Column("scope", sa.String(50), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("retention_lock")
