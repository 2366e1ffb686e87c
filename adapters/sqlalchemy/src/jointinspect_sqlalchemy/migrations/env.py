"""Alembic environment of the jointinspect SQL store.

Run through :func:`jointinspect_sqlalchemy.upgrade` (or ``jointinspect-sql upgrade URL``),
which passes an open connection in ``config.attributes["connection"]``. The version table
is ``ji_alembic_version`` so that the host application's own Alembic history can share
the database.
"""

from __future__ import annotations

from alembic import context
from jointinspect_sqlalchemy.migrate import VERSION_TABLE
from jointinspect_sqlalchemy.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through upgrade(), which always passes one
    raise RuntimeError("run migrations with jointinspect_sqlalchemy.upgrade(url_or_engine)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
