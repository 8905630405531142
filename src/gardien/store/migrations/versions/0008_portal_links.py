"""Status links of the public portal (issue 5 §2).

Written out in full (not derived from schema_portal.py) so that this revision never changes
once released. Numbered 0008: 0007 is the staff passwords revision.

Revision ID: 0008_portal_links
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_portal_links"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_link",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_link_request_id", "portal_link", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_link_request_id", "portal_link")
    op.drop_table("portal_link")
