"""Bounded reads (issue 15): plans' inspection and window end, results' outcome, and the
indexes that let every operation read what it needs rather than the enterprise's history.

The new columns are filled from the JSON bodies of the rows already stored (instants are
integer microseconds there, as in the columns).

Revision ID: 0002_bounded_reads
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0002_bounded_reads"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1_000


def upgrade() -> None:
    """Add and fill the columns, then index them."""
    op.add_column("ji_plans", sa.Column("inspection_id", Key(), nullable=True))
    op.add_column("ji_plans", sa.Column("window_end", sa.BigInteger(), nullable=True))
    op.add_column("ji_results", sa.Column("outcome", sa.String(16), nullable=True))
    _backfill()
    op.create_index("ix_ji_plans_reach", "ji_plans", ["enterprise", "window_end", "inspection_id"])
    op.create_index("ix_ji_plans_inspection", "ji_plans", ["inspection_id"])
    op.create_index("ix_ji_results_outcome", "ji_results", ["enterprise", "item", "outcome"])


def _backfill() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    plans = sa.Table(
        "ji_plans",
        meta,
        sa.Column("id", Key()),
        sa.Column("body", sa.Text()),
        sa.Column("inspection_id", Key()),
        sa.Column("window_end", sa.BigInteger()),
    )
    results = sa.Table(
        "ji_results", meta, sa.Column("id", Key()), sa.Column("body", sa.Text()), sa.Column("outcome", sa.String(16))
    )
    set_plan = (
        plans.update()
        .where(plans.c.id == sa.bindparam("key"))
        .values(inspection_id=sa.bindparam("inspection"), window_end=sa.bindparam("end"))
    )
    set_result = results.update().where(results.c.id == sa.bindparam("key")).values(outcome=sa.bindparam("value"))
    for rows in _pages(conn, plans):
        batch = []
        for key, body in rows:
            value = json.loads(body)
            batch.append({"key": key, "inspection": value.get("inspection_id"), "end": int(value["window"]["end"])})
        conn.execute(set_plan, batch)
    for rows in _pages(conn, results):
        conn.execute(set_result, [{"key": key, "value": json.loads(body)["outcome"]} for key, body in rows])


def _pages(conn: sa.Connection, table: sa.Table) -> Iterator[Sequence[tuple[Any, Any]]]:
    """``(id, body)`` rows in id order, a page at a time (constant memory on a big table)."""
    last = None
    while True:
        query = sa.select(table.c.id, table.c.body).order_by(table.c.id).limit(_BATCH)
        rows = conn.execute(query if last is None else query.where(table.c.id > last)).fetchall()
        if not rows:
            return
        yield [(row[0], row[1]) for row in rows]
        last = rows[-1][0]


def downgrade() -> None:
    """Drop the indexes and columns."""
    op.drop_index("ix_ji_results_outcome", "ji_results")
    op.drop_index("ix_ji_plans_inspection", "ji_plans")
    op.drop_index("ix_ji_plans_reach", "ji_plans")
    with op.batch_alter_table("ji_results") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("ji_plans") as batch:
        batch.drop_column("window_end")
        batch.drop_column("inspection_id")
