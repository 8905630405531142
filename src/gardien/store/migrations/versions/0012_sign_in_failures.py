"""Failed back-office sign-ins per account and the lock they set (issue 9 §3).

Written out in full (not derived from schema_accounts.py) so that this revision never changes
once released. After the passwords revision, whose table it changes.

Revision ID: 0012_sign_in_failures
Revises: 0007_passwords
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_sign_in_failures"
down_revision = "0007_passwords"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
