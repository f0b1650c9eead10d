"""Alembic environment: jixiao runs migrations programmatically (`jixiao db upgrade`), handing
over its own connection, so there is no alembic.ini to keep in step."""

from __future__ import annotations

from alembic import context

from jixiao.load.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
