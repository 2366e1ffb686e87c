"""Issue 12 (capabilities 5, 6, 8): the guidance-penalty-assistance loop, the
inefficient-inspection watch and conflicting standards get their tables.

New tables only; nothing existing changes, so there is nothing to back-fill.

Revision ID: 0008_guidance_watch
Revises: 0007_licences_penalties
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Body, Key

revision = "0008_guidance_watch"
down_revision = "0007_licences_penalties"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "ji_loop_steps",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("result_id", Key(), nullable=False),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_loop_steps_result", "ji_loop_steps", ["result_id", "at"])
    op.create_index("ix_ji_loop_steps_enterprise", "ji_loop_steps", ["enterprise", "at"])
    op.create_table(
        "ji_inspector_streaks",
        sa.Column("inspector_id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_conflict_flags",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("inspection_id", Key(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_conflict_flags_inspection", "ji_conflict_flags", ["inspection_id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("ji_conflict_flags")
    op.drop_table("ji_inspector_streaks")
    op.drop_table("ji_loop_steps")
