"""Store table of the staff accounts that may call the HTTP API (issue 5 §1).

One row per person or system: a role (``gardien.server.permissions``), one API token and, for the
back office, an optional password, both kept only as argon2 hashes; ``token_prefix`` (not
secret) finds the row to verify a token against, so a look-up never scans hashes.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.store.schema import metadata

staff_account = sa.Table(
    "staff_account",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("token_prefix", sa.String(32), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    # The back office's session login (migration 0007): an argon2 hash, NULL until a password
    # is set. A session carries the account's ``session_epoch``; setting the password or
    # signing out bumps it, which closes every session opened before (sessions are signed
    # cookies, so this number is what makes them revocable).
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"),
    # Failed sign-ins in a row and the lock they set (migration 0012, issue 9 §3): counted in
    # the store, so that neither new addresses nor a restart resets them.
    sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)
