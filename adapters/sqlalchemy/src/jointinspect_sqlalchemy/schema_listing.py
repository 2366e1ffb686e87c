"""The operator listings' columns and indexes (issue 11; revision ``0005_operator_queries``).

Each listing filters and orders by columns, so a page is an index range: enterprises by
class and flag, plans and inspections by window start, open rectifications by department,
ratings by enterprise and instant. An inspection's departments are a set, so they get a
table of their own (``ji_inspection_departments``), written with the inspection (only the
rows that changed when the transaction knows the old ones). The
columns added to existing tables are nullable (the revision back-fills them from the
bodies); this version always writes them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table

from jointinspect_sqlalchemy.schema_core import (
    Key,
    _mysql,
    complaints,
    enterprises,
    evaluations,
    inspections,
    metadata,
    plans,
    rectifications,
)

#: (table, column) pairs this revision adds to existing tables, in order.
ADDED_COLUMNS: tuple[tuple[Table, Column[object]], ...] = (
    (enterprises, Column("credit_class", String(8), nullable=True)),
    (enterprises, Column("whitelisted", Boolean, nullable=True)),
    (plans, Column("department", Key(), nullable=True)),
    (plans, Column("window_start", BigInteger, nullable=True)),
    (inspections, Column("window_start", BigInteger, nullable=True)),
    (rectifications, Column("department", Key(), nullable=True)),
    # the deadline while the rectification is open (open, submitted, overdue), else NULL:
    # the open ones are one index range in deadline order
    (rectifications, Column("open_deadline", BigInteger, nullable=True)),
    (evaluations, Column("enterprise", Key(), nullable=True)),
    (evaluations, Column("at", BigInteger, nullable=True)),
)
for _table, _column in ADDED_COLUMNS:
    _table.append_column(_column)

inspection_departments = Table(
    "ji_inspection_departments",
    metadata,
    Column("inspection_id", Key(), primary_key=True),
    Column("department", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("status", String(32), nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Index("ix_ji_inspection_departments_start", "department", "window_start", "inspection_id"),
    Index("ix_ji_inspection_departments_status", "department", "status", "window_start", "inspection_id"),
    Index("ix_ji_inspection_departments_enterprise", "department", "enterprise", "window_start", "inspection_id"),
    **_mysql,
)

#: index name -> (table, columns): every index the revision creates on existing tables. Each
#: ends with the listing's order, the unique id included, so a page is read in index order.
ADDED_INDEXES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "ix_ji_enterprises_listing": (enterprises, ("credit_class", "whitelisted", "credit_code")),
    "ix_ji_plans_start": (plans, ("window_start", "id")),
    "ix_ji_plans_status_start": (plans, ("status", "window_start", "id")),
    "ix_ji_plans_department_start": (plans, ("department", "status", "window_start", "id")),
    "ix_ji_plans_dept_any_start": (plans, ("department", "window_start", "id")),
    "ix_ji_inspections_start": (inspections, ("window_start", "id")),
    "ix_ji_inspections_status_start": (inspections, ("status", "window_start", "id")),
    "ix_ji_inspections_enterprise_start": (inspections, ("enterprise", "window_start", "id")),
    "ix_ji_rectifications_open": (rectifications, ("open_deadline", "id")),
    "ix_ji_rectifications_open_department": (rectifications, ("department", "open_deadline", "id")),
    "ix_ji_rectifications_open_enterprise": (rectifications, ("enterprise", "open_deadline", "id")),
    "ix_ji_evaluations_enterprise": (evaluations, ("enterprise", "at", "inspection_id")),
    "ix_ji_evaluations_at": (evaluations, ("at", "inspection_id")),
    "ix_ji_complaints_at": (complaints, ("at", "id")),
    "ix_ji_complaints_listing": (complaints, ("enterprise", "at", "id")),
}
for _name, (_table, _columns) in ADDED_INDEXES.items():
    Index(_name, *(_table.c[c] for c in _columns))
