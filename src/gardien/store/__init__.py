"""gardien's own state: audit trail, legal holds, retention journal. SQLite by default,
PostgreSQL in production; the schema is versioned with Alembic migrations shipped here."""
