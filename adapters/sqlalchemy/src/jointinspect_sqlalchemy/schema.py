"""The tables: queried attributes as columns, the full value as JSON text.

Instants are ``BIGINT`` microseconds since the Unix epoch in UTC
(:func:`jointinspect.timeutil.to_micros`): integers compare the same way on SQLite,
PostgreSQL and MariaDB, which aware timestamp types do not. The policy zone is not stored:
rules compute calendar buckets in the zone before the ledger sees them.

Identifiers use a binary, no-pad collation on every backend, so that ``"a"``, ``"A"`` and
``"a "`` are three keys that sort by code point exactly as Python sorts ``str`` (the
in-memory reference store). The Alembic revisions under ``migrations/`` build this schema;
a test compares an upgraded empty database with :data:`metadata`.
"""

from __future__ import annotations

# The core tables and column types, then the tables and columns of later capabilities
# (issue 12's fieldwork and oversight, the operator listings of issue 11, the period reads
# of issue 13), each module adding its own to the one metadata.
from jointinspect_sqlalchemy import schema_fieldwork, schema_listing, schema_oversight, schema_period  # noqa: F401
from jointinspect_sqlalchemy.schema_core import *  # noqa: F403
