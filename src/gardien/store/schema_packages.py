"""Response packages of rights requests (access, portability), kept until they expire."""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

request_package = sa.Table(
    "request_package",
    metadata,
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # A package is a copy of personal data: it goes once its download window closes.
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
)
sa.Index("ix_request_package_expires_at", request_package.c.expires_at)
