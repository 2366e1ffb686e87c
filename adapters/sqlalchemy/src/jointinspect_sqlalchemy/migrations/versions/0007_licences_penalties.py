"""Licence prewarning, credit repair and legal review (issue 12).

* ``ji_licences`` (kind, number, holder, issuing department, expiry as ``YYYYMMDD``, the
  shortest lead time warned at that expiry) with ``ix_ji_licences_expiry`` (expires_on,
  kind, number) for the sweep's range read;
* ``ji_penalties`` with ``ix_ji_penalties_enterprise`` and ``ix_ji_penalties_public``
  (state, kind, publicity_start) for the repair sweep;
* ``ji_legal_reviews`` with ``ix_ji_legal_reviews_waiting`` (state, overdue_warned, deadline).

Revision ID: 0007_licences_penalties
Revises: 0006_spot_checks
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Body, Key

revision = "0007_licences_penalties"
down_revision = "0006_spot_checks"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "ji_licences",
        sa.Column("kind", Key(), primary_key=True),
        sa.Column("number", Key(), primary_key=True),
        sa.Column("holder", Key(), nullable=False),
        sa.Column("department", Key(), nullable=False),
        sa.Column("expires_on", sa.Integer(), nullable=False),
        sa.Column("warned_lead", sa.Integer(), nullable=True),
        **_MYSQL,
    )
    op.create_index("ix_ji_licences_expiry", "ji_licences", ["expires_on", "kind", "number"])
    op.create_table(
        "ji_penalties",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("publicity_start", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_penalties_enterprise", "ji_penalties", ["enterprise", "decided_at"])
    op.create_index("ix_ji_penalties_public", "ji_penalties", ["state", "kind", "publicity_start"])
    op.create_table(
        "ji_legal_reviews",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("overdue_warned", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_legal_reviews_waiting", "ji_legal_reviews", ["state", "overdue_warned", "deadline"])


def downgrade() -> None:
    """Drop the three tables."""
    for table in ("ji_legal_reviews", "ji_penalties", "ji_licences"):
        op.drop_table(table)
