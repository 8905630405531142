"""The connector tests run on each kind of database, as the retention engine's do."""

from tests.retention.conftest import db_url

__all__ = ["db_url"]
