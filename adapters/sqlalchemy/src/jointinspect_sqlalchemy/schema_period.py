"""The report's period reads (issue 13; revision ``0012_period_reads``).

A report reads a period's records by the instant each is counted at: plans by filing,
visits by check-in, rectifications by opening, audit entries by action and instant. The
indexes make each read one index range. ``ji_audit`` gains ``action`` and ``at`` (the
entry's, copied out of the hashed body, nullable: the revision back-fills them and this
version always writes them; the body stays the record the hash covers).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table

from jointinspect_sqlalchemy.schema_core import audit_log, plans, rectifications, visits

#: Characters of an action the ``action`` column keeps (an index key fits every database);
#: a longer action is matched on this prefix and then exactly, on the parsed entry.
ACTION_PREFIX = 200

#: (table, column) pairs this revision adds to existing tables.
ADDED_COLUMNS: tuple[tuple[Table, Column[object]], ...] = (
    (audit_log, Column("action", String(ACTION_PREFIX), nullable=True)),
    (audit_log, Column("at", BigInteger, nullable=True)),
)
for _table, _column in ADDED_COLUMNS:
    _table.append_column(_column)

#: index name -> (table, columns) created by the revision.
ADDED_INDEXES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "ix_ji_plans_filed": (plans, ("filed_at", "id")),
    "ix_ji_visits_checked_in": (visits, ("checked_in_at", "id")),
    "ix_ji_rectifications_opened": (rectifications, ("opened_at", "id")),
    "ix_ji_audit_action": (audit_log, ("action", "at", "seq")),
}
for _name, (_table, _columns) in ADDED_INDEXES.items():
    Index(_name, *(_table.c[c] for c in _columns))
