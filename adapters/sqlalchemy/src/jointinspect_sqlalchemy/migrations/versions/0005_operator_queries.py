"""Operator listings (issue 11): the columns, indexes and table the listings read by.

* ``ji_enterprises`` gains ``credit_class`` and ``whitelisted``; ``ji_plans``
  ``department`` and ``window_start``; ``ji_inspections`` ``window_start``;
  ``ji_rectifications`` ``department``; ``ji_evaluations`` ``enterprise`` and ``at``.
  All are nullable and filled from the JSON bodies of the rows already stored, in pages.
* ``ji_inspection_departments`` holds one row per (inspection, department taking part),
  filled from the inspections' bodies.
* The indexes of `jointinspect_sqlalchemy.schema_listing`.

Revision ID: 0005_operator_queries
Revises: 0004_audit_outbox
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy.schema import Key

revision = "0005_operator_queries"
down_revision = "0004_audit_outbox"
branch_labels = None
depends_on = None

_BATCH = 1_000

#: table -> (key column, [(column, type)]) added to existing tables.
_COLUMNS: dict[str, tuple[str, list[tuple[str, Any]]]] = {
    "ji_enterprises": ("credit_code", [("credit_class", sa.String(8)), ("whitelisted", sa.Boolean())]),
    "ji_plans": ("id", [("department", Key()), ("window_start", sa.BigInteger())]),
    "ji_inspections": ("id", [("window_start", sa.BigInteger())]),
    "ji_rectifications": ("id", [("department", Key()), ("open_deadline", sa.BigInteger())]),
    "ji_evaluations": ("inspection_id", [("enterprise", Key()), ("at", sa.BigInteger())]),
}

#: states of a rectification still open (listed by ``open_deadline``).
_UNCLOSED = ("open", "submitted", "overdue")

#: table -> the new columns' values from a stored body.
_FILL: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ji_enterprises": lambda b: {"credit_class": b.get("credit_class", "B"), "whitelisted": bool(b.get("whitelisted"))},
    "ji_plans": lambda b: {"department": b["department"], "window_start": int(b["window"]["start"])},
    "ji_inspections": lambda b: {"window_start": int(b["window"]["start"])},
    "ji_rectifications": lambda b: {
        "department": b["department"],
        "open_deadline": int(b["deadline"]) if b.get("state") in _UNCLOSED else None,
    },
    "ji_evaluations": lambda b: {"enterprise": b["enterprise"], "at": int(b["at"])},
}

_INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_ji_enterprises_listing": ("ji_enterprises", ["credit_class", "whitelisted", "credit_code"]),
    "ix_ji_plans_start": ("ji_plans", ["window_start", "id"]),
    "ix_ji_plans_status_start": ("ji_plans", ["status", "window_start", "id"]),
    "ix_ji_plans_department_start": ("ji_plans", ["department", "status", "window_start", "id"]),
    "ix_ji_plans_dept_any_start": ("ji_plans", ["department", "window_start", "id"]),
    "ix_ji_inspections_start": ("ji_inspections", ["window_start", "id"]),
    "ix_ji_inspections_status_start": ("ji_inspections", ["status", "window_start", "id"]),
    "ix_ji_inspections_enterprise_start": ("ji_inspections", ["enterprise", "window_start", "id"]),
    "ix_ji_rectifications_open": ("ji_rectifications", ["open_deadline", "id"]),
    "ix_ji_rectifications_open_department": ("ji_rectifications", ["department", "open_deadline", "id"]),
    "ix_ji_rectifications_open_enterprise": ("ji_rectifications", ["enterprise", "open_deadline", "id"]),
    "ix_ji_evaluations_enterprise": ("ji_evaluations", ["enterprise", "at", "inspection_id"]),
    "ix_ji_evaluations_at": ("ji_evaluations", ["at", "inspection_id"]),
    "ix_ji_complaints_at": ("ji_complaints", ["at", "id"]),
    "ix_ji_complaints_listing": ("ji_complaints", ["enterprise", "at", "id"]),
}


def upgrade() -> None:
    """Add and fill the columns and the departments table, then index them."""
    for table, (_, columns) in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, type_ in columns:
                batch.add_column(sa.Column(name, type_, nullable=True))
    departments = op.create_table(
        "ji_inspection_departments",
        sa.Column("inspection_id", Key(), primary_key=True),
        sa.Column("department", Key(), primary_key=True),
        sa.Column("enterprise", Key(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    _backfill(departments)
    for suffix, middle in (("start", []), ("status", ["status"]), ("enterprise", ["enterprise"])):
        indexed = ["department", *middle, "window_start", "inspection_id"]
        op.create_index(f"ix_ji_inspection_departments_{suffix}", "ji_inspection_departments", indexed)
    for name, (table, indexed) in _INDEXES.items():
        op.create_index(name, table, indexed)


def _backfill(departments: sa.Table | None) -> None:
    conn = op.get_bind()
    for name, (key, columns) in _COLUMNS.items():
        table = sa.table(name, sa.column(key), sa.column("body"), *(sa.column(c) for c, _ in columns))
        fill = _FILL[name]
        statement = (
            table.update()
            .where(table.c[key] == sa.bindparam("match_key"))
            .values({c: sa.bindparam(f"new_{c}") for c, _ in columns})
        )
        for rows in _pages(conn, table, key):
            batch, memberships = [], []
            for match, body in rows:
                value = json.loads(str(body))
                batch.append({"match_key": match, **{f"new_{c}": v for c, v in fill(value).items()}})
                if name == "ji_inspections":
                    memberships += [
                        {
                            "inspection_id": match,
                            "department": department,
                            "enterprise": value["enterprise"],
                            "status": value.get("status", "planned"),
                            "window_start": int(value["window"]["start"]),
                        }
                        for department in value.get("departments", ())
                    ]
            conn.execute(statement, batch)
            if memberships and departments is not None:
                conn.execute(departments.insert(), memberships)


def _pages(conn: sa.Connection, table: Any, key: str) -> Iterator[Sequence[tuple[Any, Any]]]:
    """``(key, body)`` rows in key order, a page at a time (constant memory on a big table)."""
    last = None
    while True:
        query = sa.select(table.c[key], table.c.body).order_by(table.c[key]).limit(_BATCH)
        rows = conn.execute(query if last is None else query.where(table.c[key] > last)).fetchall()
        if not rows:
            return
        yield [(row[0], row[1]) for row in rows]
        last = rows[-1][0]


def downgrade() -> None:
    """Drop the indexes, the departments table and the columns."""
    for name, (table, _) in _INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_table("ji_inspection_departments")
    for table, (_, columns) in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, _type in reversed(columns):
                batch.drop_column(name)
