"""A report's period reads (issue 13): ``ji_audit.action`` and ``ji_audit.at``, and the
indexes of `jointinspect_sqlalchemy.schema_period`.

The two audit columns are copied out of each entry's hashed body (filled here for the
rows already stored, a page at a time; a body that does not parse leaves them NULL, so
the row is found by nothing but `verify`, which reports it). The hash still covers the
body alone.

Revision ID: 0012_period_reads
Revises: 0011_licence_sweep
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0012_period_reads"
down_revision = "0011_licence_sweep"
branch_labels = None
depends_on = None

_BATCH = 1_000
_ACTION_PREFIX = 200  # jointinspect_sqlalchemy.schema_period.ACTION_PREFIX when written

_INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_ji_plans_filed": ("ji_plans", ["filed_at", "id"]),
    "ix_ji_visits_checked_in": ("ji_visits", ["checked_in_at", "id"]),
    "ix_ji_rectifications_opened": ("ji_rectifications", ["opened_at", "id"]),
    "ix_ji_audit_action": ("ji_audit", ["action", "at", "seq"]),
}


def upgrade() -> None:
    """Add and fill the audit columns, then create the indexes."""
    with op.batch_alter_table("ji_audit") as batch:
        batch.add_column(sa.Column("action", sa.String(_ACTION_PREFIX), nullable=True))
        batch.add_column(sa.Column("at", sa.BigInteger(), nullable=True))
    _backfill()
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns)


def _fill(body: object) -> dict[str, object]:
    try:
        raw = json.loads(str(body))
        at = dt.datetime.fromisoformat(raw["at"])
        micros = (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        return {"new_action": str(raw["action"])[:_ACTION_PREFIX], "new_at": micros}
    except (ValueError, TypeError, KeyError):
        return {"new_action": None, "new_at": None}


def _backfill() -> None:
    conn = op.get_bind()
    audit = sa.table("ji_audit", sa.column("seq"), sa.column("body"), sa.column("action"), sa.column("at"))
    statement = (
        audit.update()
        .where(audit.c.seq == sa.bindparam("match_seq"))
        .values(action=sa.bindparam("new_action"), at=sa.bindparam("new_at"))
    )
    last = 0
    while True:
        query = sa.select(audit.c.seq, audit.c.body).where(audit.c.seq > last).order_by(audit.c.seq).limit(_BATCH)
        rows = conn.execute(query).fetchall()
        if not rows:
            return
        conn.execute(statement, [{"match_seq": seq, **_fill(body)} for seq, body in rows])
        last = rows[-1][0]


def downgrade() -> None:
    """Drop the indexes and the audit columns."""
    for name, (table, _) in _INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("ji_audit") as batch:
        batch.drop_column("at")
        batch.drop_column("action")
