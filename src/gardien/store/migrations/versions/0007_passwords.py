"""Passwords of staff accounts, for the back office's session login (issue 5 §1).

Written out in full (not derived from schema_accounts.py) so that this revision never changes
once released.

Revision ID: 0007_passwords
Revises: 0006_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_passwords"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("session_epoch")
        batch.drop_column("password_set_at")
        batch.drop_column("password_hash")
