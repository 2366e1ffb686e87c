"""Statements shared by the unit of work and the repositories, built for one database.

Each factory returns a SQLAlchemy Core statement with named bindparams; a store compiles it
once (:meth:`jointinspect_sqlalchemy.store.SQLStore.statement`, then
:mod:`jointinspect_sqlalchemy.prepared`) and runs it on the driver's cursor. Statements only
one port uses live beside it (ledger, audit, replay guard).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from jointinspect_sqlalchemy import schema as s


def insert_new(family_name: str, table: Table) -> ClauseElement:
    """``INSERT`` that skips an existing key (PostgreSQL, SQLite: ``ON CONFLICT DO
    NOTHING``) or fails on it (MariaDB: the duplicate-key error is caught, see
    :func:`jointinspect_sqlalchemy.dialects.insert_if_new`). No ``RETURNING``."""
    if family_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().inline()
    if family_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing().inline()
    return insert(table).inline()


def get_body(table: Table) -> ClauseElement:
    """The ``body`` of the row whose primary key is ``:key``."""
    key = next(iter(table.primary_key.columns))
    return select(table.c.body).where(key == bindparam("key"))


def update_row(table: Table, key_column: str, columns: Sequence[str]) -> ClauseElement:
    """Set ``columns`` (bound by their names) on the row whose ``key_column`` is ``:match_key``."""
    return (
        update(table)
        .where(table.c[key_column] == bindparam("match_key"))
        .values({name: bindparam(name) for name in columns})
    )


def lock_row() -> ClauseElement:
    """``SELECT ... FOR UPDATE`` on the lock row of ``:enterprise``."""
    t = s.enterprise_locks
    return select(t.c.enterprise).where(t.c.enterprise == bindparam("enterprise")).with_for_update()


def create_lock_row(family_name: str) -> ClauseElement:
    """Insert the lock row of ``:enterprise`` if it is missing."""
    # MariaDB: ON DUPLICATE KEY UPDATE asks for the exclusive lock directly (see
    # dialects.create_locked); PostgreSQL waits for a concurrent insert, then we lock.
    if family_name == "mysql":
        my = mysql.insert(s.enterprise_locks)
        return my.on_duplicate_key_update({"enterprise": my.inserted["enterprise"]})
    return insert_new(family_name, s.enterprise_locks)
