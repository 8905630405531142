"""Store table of the portal's status links (issue 5 §2: "a status page reachable with the
request's secret link", "package links unguessable and expiring").

Only the SHA-256 of each link's secret is kept: the secret has 256 random bits, so its digest
cannot be reversed, and a copy of the store gives no working link.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

portal_link = sa.Table(
    "portal_link",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("request_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
