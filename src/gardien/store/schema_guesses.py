"""Store table of wrong one-time codes (issue 9 §3: a cap that survives resending, R-RGT-11).

One row a wrong code: the request it was for and a keyed digest of the identifier the code
went to (HMAC with the store's subject key, so the table names nobody), and when. Counted per
request (``MAX_WRONG_PER_REQUEST``) and per identifier within a day
(``MAX_WRONG_PER_IDENTIFIER``, ``gardien.requests.verification``).
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

code_failure = sa.Table(
    "code_failure",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False, index=True),
    sa.Column("identifier_digest", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

sa.Index("ix_code_failure_identifier", code_failure.c.identifier_digest, code_failure.c.at)
