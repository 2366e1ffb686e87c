"""One open check-in per inspector, atomically: ``ji_visits.open_inspector`` and its
unique index.

The column holds the inspector while the visit is open and NULL once checked out, filled
from the JSON bodies of the rows already stored. Should history hold an inspector with two
open visits (the race this closes), only the latest keeps the slot; the older ones stay
open in their bodies and are listed by nothing that needs the index.

Revision ID: 0010_open_visits
Revises: 0009_visit_reservations
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0010_open_visits"
down_revision = "0009_visit_reservations"
branch_labels = None
depends_on = None

_BATCH = 1_000


def upgrade() -> None:
    """Add and fill the column, then index it."""
    op.add_column("ji_visits", sa.Column("open_inspector", Key(), nullable=True))
    _backfill()
    op.create_index("uq_ji_visits_open_inspector", "ji_visits", ["open_inspector"], unique=True)


def _backfill() -> None:
    conn = op.get_bind()
    visits = sa.Table(
        "ji_visits",
        sa.MetaData(),
        sa.Column("id", Key()),
        sa.Column("checked_in_at", sa.BigInteger()),
        sa.Column("body", sa.Text()),
        sa.Column("open_inspector", Key()),
    )
    latest: dict[str, tuple[int, str]] = {}  # inspector -> (checked_in_at, id) of their latest open visit
    last = None
    while True:
        query = sa.select(visits.c.id, visits.c.checked_in_at, visits.c.body).order_by(visits.c.id).limit(_BATCH)
        rows = conn.execute(query if last is None else query.where(visits.c.id > last)).fetchall()
        if not rows:
            break
        for key, at, body in rows:
            value = json.loads(body)
            if value.get("checked_out_at") is None:
                candidate = (int(at), str(key))
                inspector = str(value["inspector_id"])
                latest[inspector] = max(latest.get(inspector, candidate), candidate)
        last = rows[-1][0]
    if latest:
        update = (
            visits.update().where(visits.c.id == sa.bindparam("key")).values(open_inspector=sa.bindparam("inspector"))
        )
        conn.execute(update, [{"key": key, "inspector": inspector} for inspector, (_, key) in latest.items()])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("uq_ji_visits_open_inspector", table_name="ji_visits")
    op.drop_column("ji_visits", "open_inspector")
