"""The licence sweep's cursors (issue 12): ``ji_licence_cursors`` and ``ji_licence_late``
replace the mark per licence of ``ji_licence_warnings``.

Claiming a page now writes one row, the lead time's cursor, instead of a mark per licence.
The marks are converted: each lead time's cursor is the furthest mark (in ``(expires_on,
kind, number)`` order) for it or a shorter lead time. A licence a cursor passed without a
mark for that lead time or a shorter one was still due a warning: it is noted late, for the
next sweep, unless it expires more than the longest lead time before the earliest mark kept
(the sweep forgets the marks of expired licences, so such a licence had expired). The
sentinel row (lead time 0), which puts share and claims lock, is written here. Downgrading
marks every licence a cursor passed (the shortest such lead time), except those noted late.

Revision ID: 0013_licence_cursors
Revises: 0012_period_reads
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0013_licence_cursors"
down_revision = "0012_period_reads"
branch_labels = None
depends_on = None

_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
_BATCH = 5_000

Order = tuple[int, str, str]


def upgrade() -> None:
    """Create the tables, convert the marks, drop their table."""
    cursors = op.create_table(
        "ji_licence_cursors",
        sa.Column("lead_days", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("expires_on", sa.Integer(), nullable=True),
        sa.Column("kind", Key(), nullable=True),
        sa.Column("number", Key(), nullable=True),
        **_MYSQL,
    )
    late = op.create_table(
        "ji_licence_late",
        sa.Column("kind", Key(), primary_key=True),
        sa.Column("number", Key(), primary_key=True),
        sa.Column("expires_on", sa.Integer(), nullable=False),
        **_MYSQL,
    )
    op.create_index("ix_ji_licence_late_expiry", "ji_licence_late", ["expires_on", "kind", "number"])
    assert cursors is not None and late is not None
    bind = op.get_bind()
    marks: dict[tuple[str, str], tuple[int, int]] = {
        (row[1], row[2]): (row[0], row[3])
        for row in bind.execute(sa.text("SELECT expires_on, kind, number, lead_days FROM ji_licence_warnings"))
    }
    # A mark for a shorter lead time made the longer ones moot: every lead time's cursor
    # may pass it too.
    furthest: dict[int, Order] = {}
    for lead in {lead for _, lead in marks.values()}:
        furthest[lead] = max((e, k, n) for (k, n), (e, shorter) in marks.items() if shorter <= lead)
    rows: list[dict[str, Any]] = [{"lead_days": 0, "expires_on": None, "kind": None, "number": None}]
    rows += [{"lead_days": lead, "expires_on": e, "kind": k, "number": n} for lead, (e, k, n) in furthest.items()]
    op.bulk_insert(cursors, rows)
    if furthest:
        # The sweep forgets the marks of expired licences, so the earliest mark is at most a
        # lead time after the last sweep: a licence before that, less the longest lead
        # time, had expired by then.
        earliest = min(expires_on for expires_on, _ in marks.values())
        day = dt.date(earliest // 10_000, earliest // 100 % 100, earliest % 100) - dt.timedelta(days=max(furthest))
        low = day.year * 10_000 + day.month * 100 + day.day
        high = max(order[0] for order in furthest.values())
        noted: list[dict[str, Any]] = []
        result = bind.execute(
            sa.text(
                "SELECT expires_on, kind, number FROM ji_licences WHERE expires_on >= :low AND expires_on <= :high"
            ),
            {"low": low, "high": high},
        )
        for expires_on, kind, number in result:
            order = (expires_on, kind, number)
            mark = marks.get((kind, number))
            warned = mark[1] if mark is not None and mark[0] == expires_on else None
            if any(order <= cursor and (warned is None or warned > lead) for lead, cursor in furthest.items()):
                noted.append({"kind": kind, "number": number, "expires_on": expires_on})
        for i in range(0, len(noted), _BATCH):
            op.bulk_insert(late, noted[i : i + _BATCH])
    op.drop_table("ji_licence_warnings")


def downgrade() -> None:
    """Recreate the marks from the cursors (the late ones unmarked), drop the new tables."""
    warnings = op.create_table(
        "ji_licence_warnings",
        sa.Column("expires_on", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", Key(), primary_key=True),
        sa.Column("number", Key(), primary_key=True),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
        **_MYSQL,
    )
    assert warnings is not None
    bind = op.get_bind()
    cursors: dict[int, Order] = {
        row[0]: (row[1], row[2], row[3])
        for row in bind.execute(
            sa.text("SELECT lead_days, expires_on, kind, number FROM ji_licence_cursors WHERE lead_days > 0")
        )
        if row[1] is not None
    }
    late = {(row[0], row[1]) for row in bind.execute(sa.text("SELECT kind, number FROM ji_licence_late"))}
    if cursors:
        high = max(order[0] for order in cursors.values())
        marks: list[dict[str, Any]] = []
        result = bind.execute(
            sa.text("SELECT expires_on, kind, number FROM ji_licences WHERE expires_on <= :high"), {"high": high}
        )
        for expires_on, kind, number in result:
            order = (expires_on, kind, number)
            leads = [lead for lead, cursor in cursors.items() if order <= cursor]
            if leads and (kind, number) not in late:
                marks.append({"expires_on": expires_on, "kind": kind, "number": number, "lead_days": min(leads)})
        for i in range(0, len(marks), _BATCH):
            op.bulk_insert(warnings, marks[i : i + _BATCH])
    op.drop_index("ix_ji_licence_late_expiry", table_name="ji_licence_late")
    op.drop_table("ji_licence_late")
    op.drop_table("ji_licence_cursors")
