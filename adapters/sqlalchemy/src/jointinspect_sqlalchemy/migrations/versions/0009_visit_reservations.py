"""A reservation counts every department of its visit (issue 8).

``ji_reservations`` gains ``departments``: the JSON list of every department of a joint
visit, so a department that joins a visit by merging counts toward its own
per-department limits. NULL means the lead department alone, which is what every row
written before this revision held, so nothing is back-filled: the reservation of a joint
visit merged before the upgrade counts its other departments from the next change of the
visit (a merge, a move or a re-plan amends it).

Revision ID: 0009_visit_reservations
Revises: 0008_guidance_watch
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Body

revision = "0009_visit_reservations"
down_revision = "0008_guidance_watch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable column."""
    op.add_column("ji_reservations", sa.Column("departments", Body, nullable=True))


def downgrade() -> None:
    """Drop the column (joint visits count for their lead department only again)."""
    op.drop_column("ji_reservations", "departments")
