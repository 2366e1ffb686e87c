"""Random spot checks, quiet slots and offline check-ins (issue 12): six new tables.

Revision ID: 0006_spot_checks
Revises: 0005_operator_queries
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Body, Key

revision = "0006_spot_checks"
down_revision = "0005_operator_queries"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    """Create the tables and their indexes."""
    op.create_table(
        "ji_spot_checks",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("department", Key(), nullable=False),
        sa.Column("campaign", Key(), nullable=False),
        sa.Column("drawn_at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ux_ji_spot_checks_campaign", "ji_spot_checks", ["department", "campaign"], unique=True)
    op.create_table(
        "ji_spot_pairs",
        sa.Column("draw_id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), primary_key=True),
        sa.Column("department", Key(), nullable=False),
        sa.Column("drawn_at", sa.BigInteger(), nullable=False),
        sa.Column("inspectors", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_spot_pairs_latest", "ji_spot_pairs", ["department", "enterprise", "drawn_at"])
    op.create_table(
        "ji_spot_conflicts",
        sa.Column("inspector", Key(), primary_key=True),
        sa.Column("enterprise", Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_quiet_slots",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("start", sa.String(10), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_quiet_slots_enterprise", "ji_quiet_slots", ["enterprise", "start"])
    op.create_table(
        "ji_device_keys",
        sa.Column("inspector", Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_offline_checkins",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )


def downgrade() -> None:
    """Drop the tables (their indexes go with them)."""
    for table in (
        "ji_offline_checkins",
        "ji_device_keys",
        "ji_quiet_slots",
        "ji_spot_conflicts",
        "ji_spot_pairs",
        "ji_spot_checks",
    ):
        op.drop_table(table)
