"""Store tables of the rights executions' journal: erasures carried out across systems.

An erasure is journaled like a retention run (issue 4 §3): its steps — which rows of which
table are deleted or which columns are set, by key — are written here *before* any system is
touched, and each chunk is recorded once it has committed, so an interrupted erasure is resumed
to the same end state. The steps hold row keys and keyed hashes, never a value in clear; the
outcome holds tables, counts, activities, legal grounds and dates only.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

rights_execution = sa.Table(
    "rights_execution",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(100), nullable=False),
    # erasure; or a write made once per request (rights_journal.once): ledger_erasure,
    # restrict:list, lift:list, rectify:start, rectify:done, restrict:start, lift:done…;
    # pivot: the identifiers read from the person's rows, decided before acting (issue 10 §3)
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # running | completed | failed
    sa.Column("steps", sa.Text(), nullable=False),  # JSON list of WriteStep
    sa.Column("chunk_size", sa.Integer(), nullable=False),
    sa.Column("outcome", sa.Text(), nullable=False),  # JSON, decided before acting
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("error", sa.Text(), nullable=True),
)

# One row per step, updated after every committed chunk: where a resumed execution starts.
rights_step = sa.Table(
    "rights_step",
    metadata,
    sa.Column(
        "execution_id", sa.String(36), sa.ForeignKey("rights_execution.id"), primary_key=True
    ),
    sa.Column("position", sa.Integer(), primary_key=True),
    sa.Column("system_id", sa.String(100), nullable=False),
    sa.Column("table_name", sa.String(200), nullable=False),
    sa.Column("archived", sa.Boolean(), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("chunks_done", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("rows_done", sa.BigInteger(), nullable=False, server_default="0"),
)

# One execution per request and kind: a second run of the same request finds the first.
sa.Index(
    "ix_rights_execution_request",
    rights_execution.c.request_id,
    rights_execution.c.kind,
    unique=True,
)
