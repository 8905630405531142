"""The audit key that sealed each audit event (issue 9 §5: keyed seals, keys that rotate).

Events written before have no key id: they carry the plain SHA-256 seal and verify as the
trail's legacy prefix. Written out in full, a head of its own from 0001 (as 0009).

Revision ID: 0010_audit_key_id
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_audit_key_id"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_event", "key_id")
