"""The core tables and the column types every table uses.

`jointinspect_sqlalchemy.schema` gathers these with the tables of later capabilities
(``schema_fieldwork``, ``schema_listing``, ``schema_oversight``, ``schema_period``), which
build on the names here; import the schema from there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator, TypeEngine

#: Length of ids and keys (MariaDB indexes up to 3072 bytes: 255 utf8mb4 characters fit).
KEY_LENGTH = 255

#: Row of :data:`audit_head`: the one row appends lock so the hash chain never forks.
AUDIT_HEAD_ID = 1


class Key(TypeDecorator[str]):
    """A ``VARCHAR`` compared byte-wise: collation ``C`` on PostgreSQL, a no-pad binary
    collation on MariaDB/MySQL, SQLite's default ``BINARY`` elsewhere."""

    impl = String(KEY_LENGTH)
    cache_ok = True

    def __init__(self, length: int = KEY_LENGTH) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Choose the collation per dialect."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(String(self.length, collation="C"))
        if dialect.name in ("mysql", "mariadb"):
            collation = "utf8mb4_nopad_bin" if getattr(dialect, "is_mariadb", False) else "utf8mb4_0900_bin"
            return dialect.type_descriptor(mysql.VARCHAR(self.length, collation=collation))
        return dialect.type_descriptor(String(self.length))


#: JSON text of a whole value; LONGTEXT on MariaDB (TEXT stops at 64 KiB).
Body = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

#: Autoincrementing sequence (SQLite only aliases ROWID for ``INTEGER PRIMARY KEY``).
Serial = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()
_mysql: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def _reference(name: str, key: str) -> Table:
    return Table(name, metadata, Column(key, Key(), primary_key=True), Column("body", Body, nullable=False), **_mysql)


enterprises = _reference("ji_enterprises", "credit_code")
departments = _reference("ji_departments", "code")
inspectors = _reference("ji_inspectors", "id")
items = _reference("ji_items", "code")
scenarios = _reference("ji_scenarios", "code")

plans = Table(
    "ji_plans",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("filed_at", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("body", Body, nullable=False),
    # Revision 0002 (issue 15) added these to existing tables, hence nullable; this version
    # always writes them (``inspection_id`` stays NULL while a plan has no inspection).
    Column("inspection_id", Key(), nullable=True),
    Column("window_end", BigInteger, nullable=True),
    # "department/plan number" of an idempotent filing (issue 8); NULL for the others.
    Column("idempotency", Key(), nullable=True),
    Index("ix_ji_plans_enterprise", "enterprise", "filed_at"),
    #: open inspections a new plan may join: the enterprise's plans ending after an instant
    Index("ix_ji_plans_reach", "enterprise", "window_end", "inspection_id"),
    Index("ix_ji_plans_inspection", "inspection_id"),
    Index("ux_ji_plans_idempotency", "idempotency", unique=True),
    **_mysql,
)

inspections = Table(
    "ji_inspections",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_inspections_enterprise", "enterprise", "created_at"),
    **_mysql,
)

visits = Table(
    "ji_visits",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("inspection_id", Key(), nullable=False),
    Column("checked_in_at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    # The inspector while the visit is open, NULL once checked out: the unique index makes
    # "one open check-in per inspector" atomic across enterprises (NULLs never collide).
    Column("open_inspector", Key(), nullable=True),
    Index("ix_ji_visits_inspection", "inspection_id", "checked_in_at"),
    Index("uq_ji_visits_open_inspector", "open_inspector", unique=True),
    **_mysql,
)

results = Table(
    "ji_results",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("inspection_id", Key(), nullable=False),
    Column("item", Key(), nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Column("outcome", String(16), nullable=True),  # revision 0002: see ji_plans
    Index("ix_ji_results_enterprise", "enterprise", "item", "recorded_at"),
    #: "has this item ever failed here": one probe, however long the history
    Index("ix_ji_results_outcome", "enterprise", "item", "outcome"),
    Index("ix_ji_results_inspection", "inspection_id", "recorded_at"),
    **_mysql,
)

rectifications = Table(
    "ji_rectifications",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("state", String(32), nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_rectifications_enterprise", "enterprise", "opened_at"),
    Index("ix_ji_rectifications_due", "state", "deadline"),
    **_mysql,
)

evaluations = Table(
    "ji_evaluations",
    metadata,
    Column("inspection_id", Key(), primary_key=True),
    Column("body", Body, nullable=False),
    **_mysql,
)

complaints = Table(
    "ji_complaints",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_complaints_enterprise", "enterprise", "at"),
    **_mysql,
)

outbox = Table(
    "ji_outbox",
    metadata,
    Column("seq", Serial, primary_key=True, autoincrement=True),
    Column("key", Key(), nullable=False, unique=True),
    Column("delivered", Boolean, nullable=False),
    Column("body", Body, nullable=False),
    # Revision 0004: the notification's instant (pruning), failed attempts and when the
    # next one is due (retry with backoff).
    Column("at", BigInteger, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", BigInteger, nullable=False, server_default="0"),
    Index("ix_ji_outbox_pending", "delivered", "seq"),
    Index("ix_ji_outbox_prune", "delivered", "at"),
    **_mysql,
)

audit_log = Table(
    "ji_audit",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("body", Body, nullable=False),
    **_mysql,
)

audit_head = Table(
    "ji_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    **_mysql,
)

reservations = Table(
    "ji_reservations",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("department", Key(), nullable=False),
    Column("inspectors", Body, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    # every department of a joint visit (JSON list); NULL: the lead department alone
    Column("departments", Body, nullable=True),
    Index("ix_ji_reservations_enterprise", "enterprise", "at"),
    **_mysql,
)

#: One row per enterprise, locked with ``SELECT ... FOR UPDATE`` by ``lock_enterprise``.
enterprise_locks = Table(
    "ji_enterprise_locks",
    metadata,
    Column("enterprise", Key(), primary_key=True),
    **_mysql,
)

replay_keys = Table(
    "ji_replay_keys",
    metadata,
    Column("key", Key(), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_ji_replay_keys_expires", "expires_at"),
    **_mysql,
)

# Licence prewarning, credit repair and legal review (issue 12; revision 0007). A licence's
# expiry is the integer YYYYMMDD (it orders like the date and reads like one); the sweep's
# range read uses ix_ji_licences_expiry.

licences = Table(
    "ji_licences",
    metadata,
    Column("kind", Key(), primary_key=True),
    Column("number", Key(), primary_key=True),
    Column("holder", Key(), nullable=False),
    Column("department", Key(), nullable=False),
    Column("expires_on", Integer, nullable=False),
    #: unused since revision 0011 (always NULL): see ji_licence_cursors
    Column("warned_lead", Integer, nullable=True),
    Index("ix_ji_licences_expiry", "expires_on", "kind", "number"),
    **_mysql,
)

penalties = Table(
    "ji_penalties",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("decided_at", BigInteger, nullable=False),
    Column("state", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("publicity_start", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_penalties_enterprise", "enterprise", "decided_at"),
    Index("ix_ji_penalties_public", "state", "kind", "publicity_start"),
    **_mysql,
)

legal_reviews = Table(
    "ji_legal_reviews",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("state", String(32), nullable=False),
    Column("overdue_warned", Boolean, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_legal_reviews_waiting", "state", "overdue_warned", "deadline"),
    **_mysql,
)

# The licence sweep's progress (issue 12; revision 0013): per lead time, the (expires_on,
# kind, number) of the last licence claimed, one row written per page (revision 0011's mark
# per licence cost more than the range read); lead time 0 is the sentinel row that puts
# share and claims lock. Licences put behind a cursor wait in ji_licence_late for the next
# sweep. ji_licences.warned_lead is no longer written.
licence_cursors = Table(
    "ji_licence_cursors",
    metadata,
    Column("lead_days", Integer, primary_key=True, autoincrement=False),
    Column("expires_on", Integer, nullable=True),
    Column("kind", Key(), nullable=True),
    Column("number", Key(), nullable=True),
    **_mysql,
)

licence_late = Table(
    "ji_licence_late",
    metadata,
    Column("kind", Key(), primary_key=True),
    Column("number", Key(), primary_key=True),
    Column("expires_on", Integer, nullable=False),
    Index("ix_ji_licence_late_expiry", "expires_on", "kind", "number"),
    **_mysql,
)
