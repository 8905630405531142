"""The restricted archive (R-RET-08): a table beside the active one, created on first use.

``<table>_gardien_archive`` has the active table's columns plus when and by which run each row
was archived. Ordinary queries on the active table never see it; grant access to it only to
the people who may read archives.

Its name fits every database's identifier limit (63 bytes on PostgreSQL, which silently
truncates longer names; 64 characters on MariaDB, which refuses them; SQLite has none): when
``<table>_gardien_archive`` would be longer than 63, the table's name is cut and a short hash
of the whole name keeps two long names that share their beginning apart — the same name on
every database and every run (issue 9 §4, docs/retention.md).

Creating it is idempotent and safe against a concurrent creation (another run, another
process): ``CREATE TABLE IF NOT EXISTS``, and a duplicate error from a creation that raced
ours is taken as "it exists". An archive that exists is checked: it must have every column of
the active table, else archiving would fail in the middle of a batch.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.schema import CreateTable

from gardien.connectors.errors import SchemaMismatch
from gardien.connectors.sql.database import SqlDatabase, safe_url
from gardien.connectors.sql.failures import is_duplicate_table, retrying, translate
from gardien.connectors.sql.normalise import is_generated

ARCHIVE_SUFFIX = "_gardien_archive"
ARCHIVED_AT = "gardien_archived_at"
ARCHIVE_RUN = "gardien_run_id"
IDENTIFIER_LIMIT = 63  # PostgreSQL's (NAMEDATALEN - 1), the smallest of the three
HASH_LENGTH = 8


def archive_table_name(table: str) -> str:
    """The archive table's name for ``table``: ``<table>_gardien_archive``, shortened
    deterministically (``<start of table>_<8 hex of sha256(table)>_gardien_archive``) when
    that would exceed 63 characters. Registry table names are ASCII, so characters are bytes.
    """
    name = table + ARCHIVE_SUFFIX
    if len(name.encode()) <= IDENTIFIER_LIMIT:
        return name
    digest = hashlib.sha256(table.encode()).hexdigest()[:HASH_LENGTH]
    keep = IDENTIFIER_LIMIT - len(ARCHIVE_SUFFIX) - HASH_LENGTH - 1
    return f"{table[:keep]}_{digest}{ARCHIVE_SUFFIX}"


def _archive_definition(active: sa.Table, name: str) -> sa.Table:
    columns = [
        sa.Column(
            c.name,
            c.type,
            primary_key=c.primary_key,
            nullable=not c.primary_key,
            autoincrement=False,
        )
        for c in active.columns
        # The generated column of the MariaDB index advice is gardien's copy of an identifier
        # in normal form: an archive keeps the data, not the copy (an erased column would
        # leave it behind).
        if not is_generated(c.name)
    ]
    columns += [
        sa.Column(ARCHIVED_AT, sa.DateTime(), nullable=False),
        sa.Column(ARCHIVE_RUN, sa.String(64), nullable=False),
    ]
    return sa.Table(name, sa.MetaData(), *columns)


def create_if_missing(db: SqlDatabase, table: sa.Table) -> None:
    """``CREATE TABLE IF NOT EXISTS``; a concurrent creation that won the race is fine."""

    def create() -> None:
        with db.engine.begin() as conn:
            conn.execute(CreateTable(table, if_not_exists=True))

    try:
        retrying(create)
    except sa.exc.DBAPIError as exc:
        if not (is_duplicate_table(exc) and db.has_table(table.name)):
            raise translate(db.system_id, safe_url(db.url), exc) from exc
    db.forget_table(table.name)  # reflect what the database now has, not our definition


def ensure_archive(db: SqlDatabase, name: str) -> sa.Table:
    """The archive table of active table ``name``, created if missing, checked if present."""
    archive_name = archive_table_name(name)
    active = db.table(name)
    if not db.has_table(archive_name):
        create_if_missing(db, _archive_definition(active, archive_name))
    archive = db.table(archive_name)
    missing = [
        c.name for c in active.columns if c.name not in archive.c and not is_generated(c.name)
    ]
    missing += [c for c in (ARCHIVED_AT, ARCHIVE_RUN) if c not in archive.c]
    if missing:
        listing = ", ".join(missing)
        raise SchemaMismatch(
            db.system_id,
            [
                f"archive table {db.system_id}.{archive_name} lacks column(s) {listing} of "
                f"{db.system_id}.{name}: add them to the archive table (ALTER TABLE … ADD "
                "COLUMN, nullable) before the next run"
            ],
        )
    return archive
