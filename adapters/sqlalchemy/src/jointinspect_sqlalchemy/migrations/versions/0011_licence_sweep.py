"""The licence sweep's marks in their own table, ``ji_licence_warnings`` (issue 12).

Keyed by (expires_on, kind, number), the order of ``ix_ji_licences_expiry``: a sweep page's
marks are written side by side instead of rewriting one scattered licence row each. The
marks already in ``ji_licences.warned_lead`` are copied; that column is no longer written
(dropping it would rebuild the table on SQLite). Downgrading copies them back.

Revision ID: 0011_licence_sweep
Revises: 0010_open_visits
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0011_licence_sweep"
down_revision = "0010_open_visits"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    """Create the table and copy the marks."""
    op.create_table(
        "ji_licence_warnings",
        sa.Column("expires_on", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", Key(), primary_key=True),
        sa.Column("number", Key(), primary_key=True),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
        **_MYSQL,
    )
    op.execute(
        "INSERT INTO ji_licence_warnings (expires_on, kind, number, lead_days) "
        "SELECT expires_on, kind, number, warned_lead FROM ji_licences WHERE warned_lead IS NOT NULL"
    )


def downgrade() -> None:
    """Copy the marks of the licences' current expiries back, then drop the table."""
    op.execute(
        "UPDATE ji_licences SET warned_lead = (SELECT w.lead_days FROM ji_licence_warnings w "
        "WHERE w.expires_on = ji_licences.expires_on AND w.kind = ji_licences.kind "
        "AND w.number = ji_licences.number)"
    )
    op.drop_table("ji_licence_warnings")
