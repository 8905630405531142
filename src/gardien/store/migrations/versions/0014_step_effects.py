"""What the target databases' foreign keys do to each retention step, journaled when the step
starts (issue 10 §4), so that a resumed run reports the counts an uninterrupted one does.

Written out in full (not derived from schema.py) so that this revision never changes once
released. A branch of its own from the initial revision, whose table it changes.

Revision ID: 0014_step_effects
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_step_effects"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("retention_step") as batch:
        batch.add_column(sa.Column("effects", sa.Text(), nullable=True))  # JSON list of counts


def downgrade() -> None:
    with op.batch_alter_table("retention_step") as batch:
        batch.drop_column("effects")
