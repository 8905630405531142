"""The identifiers a hold on a person also covers, read from the person's rows (issue 10 §3).

Written out in full (not derived from schema.py) so that this revision never changes once
released. A branch of its own from the initial revision, whose table it changes.

Revision ID: 0013_hold_pivots
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_hold_pivots"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("legal_hold") as batch:
        batch.add_column(sa.Column("pivoted", sa.Text(), nullable=True))  # JSON list


def downgrade() -> None:
    with op.batch_alter_table("legal_hold") as batch:
        batch.drop_column("pivoted")
