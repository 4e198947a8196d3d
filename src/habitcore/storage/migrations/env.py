"""Alembic environment: runs on the connection the store hands over, never on its own."""

from __future__ import annotations

from alembic import context

from habitcore.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "habitcore migrations run through habitcore.storage.store, with a connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
