"""The initial schema: reference data, plans, visits, results, outbox, audit, ledger.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Body, Key, Serial

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def _reference(name: str, key: str) -> None:
    op.create_table(
        name,
        sa.Column(key, Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )


def upgrade() -> None:
    """Create every table."""
    _reference("ji_enterprises", "credit_code")
    _reference("ji_departments", "code")
    _reference("ji_inspectors", "id")
    _reference("ji_items", "code")
    _reference("ji_scenarios", "code")
    op.create_table(
        "ji_plans",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("filed_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_plans_enterprise", "ji_plans", ["enterprise", "filed_at"])
    op.create_table(
        "ji_inspections",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_inspections_enterprise", "ji_inspections", ["enterprise", "created_at"])
    op.create_table(
        "ji_visits",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("inspection_id", Key(), nullable=False),
        sa.Column("checked_in_at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_visits_inspection", "ji_visits", ["inspection_id", "checked_in_at"])
    op.create_table(
        "ji_results",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("inspection_id", Key(), nullable=False),
        sa.Column("item", Key(), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_results_enterprise", "ji_results", ["enterprise", "item", "recorded_at"])
    op.create_index("ix_ji_results_inspection", "ji_results", ["inspection_id", "recorded_at"])
    op.create_table(
        "ji_rectifications",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_rectifications_enterprise", "ji_rectifications", ["enterprise", "opened_at"])
    op.create_index("ix_ji_rectifications_due", "ji_rectifications", ["state", "deadline"])
    op.create_table(
        "ji_evaluations",
        sa.Column("inspection_id", Key(), primary_key=True),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_complaints",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_complaints_enterprise", "ji_complaints", ["enterprise", "at"])
    op.create_table(
        "ji_outbox",
        sa.Column("seq", Serial, primary_key=True, autoincrement=True),
        sa.Column("key", Key(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("body", Body, nullable=False),
        sa.UniqueConstraint("key"),
        **_MYSQL,
    )
    op.create_index("ix_ji_outbox_pending", "ji_outbox", ["delivered", "seq"])
    op.create_table(
        "ji_audit",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("body", Body, nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        **_MYSQL,
    )
    op.create_table(
        "ji_reservations",
        sa.Column("id", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("department", Key(), nullable=False),
        sa.Column("inspectors", Body, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        **_MYSQL,
    )
    op.create_index("ix_ji_reservations_enterprise", "ji_reservations", ["enterprise", "at"])
    op.create_table(
        "ji_enterprise_locks",
        sa.Column("enterprise", Key(), primary_key=True),
        **_MYSQL,
    )
    op.create_table(
        "ji_replay_keys",
        sa.Column("key", Key(), primary_key=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        **_MYSQL,
    )


def downgrade() -> None:
    """Drop every table."""
    for name in (
        "ji_replay_keys",
        "ji_enterprise_locks",
        "ji_reservations",
        "ji_audit_head",
        "ji_audit",
        "ji_outbox",
        "ji_complaints",
        "ji_evaluations",
        "ji_rectifications",
        "ji_results",
        "ji_visits",
        "ji_inspections",
        "ji_plans",
        "ji_scenarios",
        "ji_items",
        "ji_inspectors",
        "ji_departments",
        "ji_enterprises",
    ):
        op.drop_table(name)
