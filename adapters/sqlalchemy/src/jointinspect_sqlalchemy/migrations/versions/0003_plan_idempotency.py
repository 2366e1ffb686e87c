"""Idempotent filing (issue 8): plans keep "department/plan number", unique.

Revision ID: 0003_plan_idempotency
Revises: 0002_bounded_reads
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0003_plan_idempotency"
down_revision = "0002_bounded_reads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable key column and its unique index (NULLs do not collide)."""
    op.add_column("ji_plans", sa.Column("idempotency", Key(), nullable=True))
    op.create_index("ux_ji_plans_idempotency", "ji_plans", ["idempotency"], unique=True)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ux_ji_plans_idempotency", table_name="ji_plans")
    op.drop_column("ji_plans", "idempotency")
