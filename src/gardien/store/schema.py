"""The tables of gardien's own store (SQLAlchemy Core). Migrations in ``migrations/`` follow this."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(500), nullable=False),
    sa.Column("details", sa.Text(), nullable=False),  # canonical JSON
    # R-RET-07: connection data is purged after six months; only its digest is chained.
    sa.Column("connection", sa.Text(), nullable=True),
    sa.Column("connection_digest", sa.String(64), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # Issue 9 §5: the audit key that sealed the event (HMAC); NULL for legacy SHA-256 seals.
    sa.Column("key_id", sa.String(16), nullable=True),
)

legal_hold = sa.Table(
    "legal_hold",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("case_ref", sa.String(200), nullable=True),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("placed_by", sa.String(200), nullable=False),
    sa.Column("identity_kind", sa.String(100), nullable=True),
    sa.Column("identity_value", sa.String(500), nullable=True),
    sa.Column("system_id", sa.String(100), nullable=True),
    sa.Column("table_name", sa.String(200), nullable=True),
    sa.Column("row_keys", sa.Text(), nullable=True),  # JSON list
    # A hold on a person: the identifiers read from their rows at placing (issue 10 §3),
    # JSON [{"identifier", "value", "found_in"}].
    sa.Column("pivoted", sa.Text(), nullable=True),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("released_by", sa.String(200), nullable=True),
    sa.Column("appeal_ends", sa.Date(), nullable=True),
)

retention_run = sa.Table(
    "retention_run",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("now", sa.DateTime(timezone=True), nullable=False),  # the clock the run uses
    sa.Column("registry_digest", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # running|completed|failed
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("error", sa.Text(), nullable=True),
)

# The journal: one row per action of a run, written before the action starts and after
# every batch, so a killed run resumes from the last batch it committed.
retention_step = sa.Table(
    "retention_step",
    metadata,
    sa.Column("run_id", sa.String(36), sa.ForeignKey("retention_run.id"), primary_key=True),
    sa.Column("position", sa.Integer(), primary_key=True),
    sa.Column("system_id", sa.String(100), nullable=False),
    sa.Column("table_name", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # pending|running|done
    sa.Column("cursor", sa.Text(), nullable=True),  # JSON: last key of the last committed batch
    sa.Column("rows_done", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("batches", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("held", sa.BigInteger(), nullable=False, server_default="0"),
    # JSON list: per foreign key of the action, the rows it blocks or changes, counted when
    # the step started (issue 10 §4; retention.constraints)
    sa.Column("effects", sa.Text(), nullable=True),
)

# Who holds a retention run's lock (store.run_lock). The lock itself is the database's (an
# advisory lock, GET_LOCK) or the OS's (a file lock beside a SQLite store), released when its
# holder dies; this row only says who took it and when, for the message a second run prints.
retention_lock = sa.Table(
    "retention_lock",
    metadata,
    sa.Column("scope", sa.String(50), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer(), nullable=False),
    sa.Column("run_id", sa.String(36), nullable=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
)

sa.Index("ix_audit_event_action", audit_event.c.action)
sa.Index("ix_retention_run_status", retention_run.c.status)
from gardien.store import schema_consent  # noqa: E402,F401,I001
from gardien.store import schema_requests  # noqa: E402,F401
from gardien.store import schema_rights  # noqa: E402,F401
from gardien.store import schema_packages  # noqa: E402,F401
from gardien.store import schema_accounts  # noqa: E402,F401
from gardien.store import schema_portal  # noqa: E402,F401
from gardien.store import schema_guesses  # noqa: E402,F401
