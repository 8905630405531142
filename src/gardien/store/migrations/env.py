"""Alembic environment for gardien's store; the connection is passed in by ``open_store``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from gardien.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///gardien.db")
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata)
    context.run_migrations()
