"""PostgreSQL: the outbox's and the audit log's JSON bodies compressed with lz4 (issue 12).

A licence sweep's outbox bundle carries a page's licences (about 300 KB for 5,000), which
PostgreSQL compresses on insert; lz4 does it several times faster than the default pglz, at
a similar ratio for JSON text. New rows only (stored ones keep theirs), and only where the
server was built with lz4 (``default_toast_compression`` lists it; PostgreSQL 14 or later).
Other databases are left alone. Downgrading returns the columns to the server's default.

Revision ID: 0014_body_compression
Revises: 0013_licence_cursors
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_body_compression"
down_revision = "0013_licence_cursors"
branch_labels = None
depends_on = None

_COLUMNS = (("ji_outbox", "body"), ("ji_audit", "body"))


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    methods = bind.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return "lz4" in (methods or ())


def upgrade() -> None:
    """Compress the bodies with lz4 where the server can."""
    if _lz4_available():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    """Back to the server's default compression."""
    if _lz4_available():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION DEFAULT")
