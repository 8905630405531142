"""Store tables of the rights-request workflow: requests, their timeline, one-time codes."""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

rights_request = sa.Table(
    "rights_request",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("state", sa.String(30), nullable=False),
    sa.Column("identity", sa.Text(), nullable=False),  # JSON {kind: normalised value}
    sa.Column("channel", sa.String(20), nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("due", sa.Date(), nullable=True),
    sa.Column("extended_due", sa.Date(), nullable=True),
    sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("extended_by", sa.String(200), nullable=True),
    sa.Column("extension_reason", sa.Text(), nullable=True),
    sa.Column("died_on", sa.Date(), nullable=True),
    sa.Column("death_declared_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("death_declared_by", sa.String(200), nullable=True),
    sa.Column("request_text", sa.Text(), nullable=True),
    sa.Column("details", sa.Text(), nullable=False),  # JSON, see RequestDetails
    sa.Column("result", sa.Text(), nullable=True),  # JSON, set by complete
    # JSON {kind: proof} (requests.proofs); NULL on requests stored before it was kept
    sa.Column("proofs", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

request_transition = sa.Table(
    "request_transition",
    metadata,
    sa.Column("request_id", sa.String(36), sa.ForeignKey("rights_request.id"), primary_key=True),
    sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("from_state", sa.String(30), nullable=True),
    sa.Column("to_state", sa.String(30), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("details", sa.Text(), nullable=False),  # JSON
)

# R-RGT-11: the code itself is never stored, only its argon2 hash.
request_code = sa.Table(
    "request_code",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("rights_request.id"), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("code_hash", sa.String(200), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
)

sa.Index("ix_rights_request_state", rights_request.c.state)
sa.Index("ix_rights_request_due", rights_request.c.due)
sa.Index("ix_request_code_request_id", request_code.c.request_id)
