"""The few statements whose SQL differs per database: insert-if-new, upsert, SQLite setup.

Everything else in the adapter is portable SQLAlchemy Core. Each helper here has one
branch per dialect, and the adapter's tests run every branch on a real server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

#: MariaDB/MySQL "duplicate entry" error number.
_MYSQL_DUPLICATE = 1062


def family(engine_or_conn: Engine | Connection) -> str:
    """``"sqlite"``, ``"postgresql"`` or ``"mysql"`` (MariaDB and MySQL)."""
    name = engine_or_conn.dialect.name
    return "mysql" if name in ("mysql", "mariadb") else name


def insert_if_new(conn: Connection, table: Table, row: Mapping[str, Any]) -> bool:
    """Insert ``row`` unless its key exists; ``True`` when inserted.

    A conflict must not abort the transaction: PostgreSQL aborts on any error, so it (and
    SQLite) use ``ON CONFLICT DO NOTHING``; MariaDB rolls back only the failing statement,
    so a plain ``INSERT`` whose duplicate-key error is caught is enough (``INSERT IGNORE``
    would also silence truncation and other errors).
    """
    kind = family(conn)
    if kind == "postgresql":
        stmt = postgresql.insert(table).values(**row).on_conflict_do_nothing()
        return bool(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount)
    if kind == "sqlite":
        stmt_lite = sqlite.insert(table).values(**row).on_conflict_do_nothing()
        return bool(conn.execute(stmt_lite.execution_options(preserve_rowcount=True)).rowcount)
    try:
        conn.execute(insert(table).values(**row))
    except sa_exc.IntegrityError as error:
        args = getattr(error.orig, "args", ())
        if args and args[0] == _MYSQL_DUPLICATE:
            return False
        raise
    return True


def upsert(conn: Connection, table: Table, row: Mapping[str, Any]) -> None:
    """Insert ``row`` or replace the non-key columns of the row with the same key."""
    keys = {c.name for c in table.primary_key.columns}
    changing = [name for name in row if name not in keys]
    kind = family(conn)
    if kind in ("postgresql", "sqlite"):
        dialect_insert = postgresql.insert if kind == "postgresql" else sqlite.insert
        stmt = dialect_insert(table).values(**row)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=sorted(keys), set_={n: stmt.excluded[n] for n in changing})
        )
        return
    my = mysql.insert(table).values(**row)
    conn.execute(my.on_duplicate_key_update({n: my.inserted[n] for n in changing}))


def create_locked(conn: Connection, table: Table, row: Mapping[str, Any]) -> None:
    """Make sure ``row`` exists and hold its row lock until the transaction ends.

    Called when ``SELECT ... FOR UPDATE`` found no row. On MariaDB a plain insert that
    meets another transaction's uncommitted duplicate takes a *shared* lock and waits;
    when several do, they deadlock on upgrading it. ``INSERT ... ON DUPLICATE KEY UPDATE``
    asks for the exclusive lock directly. PostgreSQL has no such shared lock:
    ``ON CONFLICT DO NOTHING`` waits for the other insert, then the caller locks with
    ``SELECT ... FOR UPDATE``.
    """
    if family(conn) == "mysql":
        key = next(iter(table.primary_key.columns)).name
        my = mysql.insert(table).values(**row)
        conn.execute(my.on_duplicate_key_update({key: my.inserted[key]}))
        return
    insert_if_new(conn, table, row)


# --------------------------------------------------------------------------- SQLite

_SQLITE_READY = "jointinspect_sqlite_ready"
#: milliseconds SQLite waits for another writer before reporting "database is locked".
_BUSY_TIMEOUT_KEY = "jointinspect_busy_timeout_ms"


def _sqlite_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    _prepare(dbapi_connection, record)


def _prepare(dbapi_connection: Any, record: Any) -> None:
    """Per-connection setup: our own BEGIN, busy timeout, foreign keys, WAL-friendly sync."""
    # pysqlite's implicit BEGIN is deferred; we emit BEGIN IMMEDIATE ourselves (recipe from
    # the SQLAlchemy SQLite dialect docs, "Serializable isolation / Savepoints").
    dbapi_connection.isolation_level = None
    timeout = int(record.info.get(_BUSY_TIMEOUT_KEY, 30_000))
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {timeout}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # wal_autocheckpoint stays SQLite's (1,000 pages): raising it to 8,000-16,000 pages
        # only gathered the same copying into fewer, longer checkpoints (within the noise
        # at 100,000 plans, for a WAL up to 64 MB; issue 11). Bulk filing's chunks instead
        # leave most of their checkpoints to a thread (jointinspect_sqlalchemy.checkpoint).
    finally:
        cursor.close()
    record.info[_SQLITE_READY] = True


def _sqlite_begin(conn: Connection) -> None:
    # Every transaction takes the write lock up front: a deferred transaction that reads and
    # later writes can fail with SQLITE_BUSY without waiting, and reservations need the
    # count and the insert under one lock, across threads and processes alike.
    fairy = conn.connection
    if not fairy.info.get(_SQLITE_READY):
        # A connection the pool made before we saw the engine (a caller's engine).
        _prepare(fairy.dbapi_connection, fairy)
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> bool:
    """Install the SQLite hooks on ``engine`` (once) and switch a file database to WAL;
    whether it is in WAL mode now."""
    if not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)

    def _remember_timeout(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info[_BUSY_TIMEOUT_KEY] = busy_timeout_ms

    event.listen(engine, "connect", _remember_timeout, insert=True)
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file::memory:"):
        # WAL is a property of the file: readers never wait for the writer. Outside a
        # transaction, on a raw connection (PRAGMA journal_mode cannot run inside one).
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA journal_mode = WAL")
            mode = cursor.fetchone()
            cursor.close()
        finally:
            raw.close()
        return mode is not None and str(mode[0]).lower() == "wal"
    return False
