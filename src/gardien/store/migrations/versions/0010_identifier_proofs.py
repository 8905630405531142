"""How each identifier of a rights request was proven (issue 9 §1, R-RGT-11).

Written out in full (not derived from schema_requests.py) so that this revision never changes
once released. Requests stored before it keep ``proofs`` NULL: the store reads their proofs
from their timeline (``requests.proofs.proofs_from_timeline``: a code proved its channel
only, an attestation every identifier the request then held).

Revision ID: 0010_identifier_proofs
Revises: 0002_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_identifier_proofs"
down_revision = "0002_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rights_request", sa.Column("proofs", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rights_request") as batch:
        batch.drop_column("proofs")
