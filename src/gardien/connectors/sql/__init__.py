"""The SQL connector: SQLite, PostgreSQL and MariaDB/MySQL through SQLAlchemy Core.

One idea per module:

- ``database``  the URL and engine, transactions, driver errors → connector errors, reflection
- ``failures``  what a driver error means: unreachable, refused, transient (retried), duplicate
- ``schema``    does the database have every table and column the registry names?
- ``compile``   condition trees → SQL expressions, every value bound
- ``archive``   the restricted archive table: its (length-safe) name, idempotent creation
- ``markers``   each batch's marker, committed with the batch, so counts survive a crash
- ``batches``   one batch of a retention action: a range of rows in one transaction
- ``rows``      people's rows for rights requests: read by identity, changed by key
- ``connector`` ``SqlConnector``, which ties them together, and ``connectors_for``
"""

from gardien.connectors.sql.archive import (
    ARCHIVE_RUN,
    ARCHIVE_SUFFIX,
    ARCHIVED_AT,
    archive_table_name,
)
from gardien.connectors.sql.batches import MAX_SCAN_FACTOR
from gardien.connectors.sql.connector import SqlConnector, connectors_for
from gardien.connectors.sql.database import safe_url
from gardien.connectors.sql.markers import MARKER_TABLE

__all__ = [
    "ARCHIVED_AT",
    "ARCHIVE_RUN",
    "ARCHIVE_SUFFIX",
    "MARKER_TABLE",
    "MAX_SCAN_FACTOR",
    "SqlConnector",
    "archive_table_name",
    "connectors_for",
    "safe_url",
]
