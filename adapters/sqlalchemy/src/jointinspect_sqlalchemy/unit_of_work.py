"""The unit of work: one connection, one transaction, and the statements it sends.

A unit of work is opened on first use and closed on leaving the ``with`` block (rolled back
unless committed). Serialisation per database:

* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (the database's write lock),
  so units of work run one at a time across threads and processes; ``lock_enterprise`` has
  nothing left to do.
* PostgreSQL, MariaDB: ``READ COMMITTED``; ``lock_enterprise`` takes ``SELECT ... FOR
  UPDATE`` on the enterprise's lock row (inserted first if missing; see
  :mod:`jointinspect_sqlalchemy.locks`); audit appends lock a single head row, so the hash
  chain never forks.

The statements every operation runs are compiled once per store and executed on the
driver's cursor (:mod:`jointinspect_sqlalchemy.prepared`); on psycopg, writes nobody reads
back are deferred and sent with the next round trip (:meth:`SQLUnitOfWork.defer`); after
:meth:`SQLUnitOfWork.defer_checks` (bulk filing) plans, inspections and reservations are held
and sent grouped per table (:mod:`jointinspect_sqlalchemy.held`).
Listings, upserts and maintenance go through SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import pendulum
from sqlalchemy import Connection, RootTransaction, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import Executable

from jointinspect.audit import AuditEntry
from jointinspect.errors import IntegrityError
from jointinspect.staged import StagedNotification, StagedRecord
from jointinspect_sqlalchemy._protocols import LedgerRows, StoreState, UnitOfWorkView
from jointinspect_sqlalchemy.dialects import create_locked, upsert
from jointinspect_sqlalchemy.errors import translate, translated
from jointinspect_sqlalchemy.held import HeldWrites
from jointinspect_sqlalchemy.ledger import SQLLedger
from jointinspect_sqlalchemy.locks import EnterpriseLocks
from jointinspect_sqlalchemy.prepared import Prepared
from jointinspect_sqlalchemy.repositories.audit import _Audit
from jointinspect_sqlalchemy.repositories.fieldwork import _Feedback, _Rectifications, _Results, _Visits
from jointinspect_sqlalchemy.repositories.licences import _Licences
from jointinspect_sqlalchemy.repositories.listing import _Listing
from jointinspect_sqlalchemy.repositories.offline import _Offline
from jointinspect_sqlalchemy.repositories.outbox import _Outbox
from jointinspect_sqlalchemy.repositories.oversight import _Conflicts, _EnforcementLoop, _Watch
from jointinspect_sqlalchemy.repositories.penalties import _LegalReviews, _Penalties
from jointinspect_sqlalchemy.repositories.period import _Period
from jointinspect_sqlalchemy.repositories.plans import _Inspections, _Plans
from jointinspect_sqlalchemy.repositories.quiet_slots import _QuietSlots
from jointinspect_sqlalchemy.repositories.reference import _Reference
from jointinspect_sqlalchemy.repositories.spot_checks import _SpotChecks
from jointinspect_sqlalchemy.statements import insert_new

#: MariaDB/MySQL "duplicate entry" error number.
_MYSQL_DUPLICATE = 1062
#: key of (driver connection, its cursor, its client-side cursor) in the pool's info dict.
_CURSOR_KEY = "jointinspect_cursors"


#: Builds the error a checked write raises when it changed no row.
Refusal = Callable[[], Exception]


class SQLUnitOfWork(EnterpriseLocks):
    """One connection, one transaction (see the module documentation)."""

    def __init__(self, store: StoreState) -> None:
        self._store = store
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        #: the driver's cursor on ``_conn`` for prepared statements.
        self._cursor: Any = None
        #: psycopg client-side-binding cursor rendering deferred writes as SQL text.
        self._client: Any = None
        #: writes not sent yet (PostgreSQL): they go first in the next round trip.
        self._deferred: list[tuple[Prepared, Mapping[str, Any], Refusal | None]] = []
        #: refused writes may be reported late (see :meth:`defer_checks`).
        self._late_checks = False
        #: writes held until the next statement or the commit (see :meth:`defer_checks`).
        self.held: HeldWrites | None = None
        self._locked: set[str] = set()
        #: what a repository read once in this transaction (cleared at its end)
        self.memo: dict[str, Any] = {}
        #: reservations of enterprises the ledger preloaded (valid while this transaction
        #: holds their locks; see :meth:`SQLLedger.preload`).
        self.ledger_rows = LedgerRows()
        self._held_memory_lock = False
        self._outer: UnitOfWorkView | None = None

    # Repositories are made on access and not kept: a unit of work holding them while they
    # hold it would be a reference cycle per operation, left to the cyclic collector.

    @property
    def reference(self) -> _Reference:
        """Enterprises, departments, inspectors, items, scenarios."""
        return _Reference(self)

    @property
    def plans(self) -> _Plans:
        """Plans."""
        return _Plans(self)

    @property
    def inspections(self) -> _Inspections:
        """Inspections."""
        return _Inspections(self)

    @property
    def visits(self) -> _Visits:
        """Visits (check-ins)."""
        return _Visits(self)

    @property
    def results(self) -> _Results:
        """Inspection results."""
        return _Results(self)

    @property
    def rectifications(self) -> _Rectifications:
        """Rectifications."""
        return _Rectifications(self)

    @property
    def feedback(self) -> _Feedback:
        """Evaluations and complaints."""
        return _Feedback(self)

    @property
    def outbox(self) -> _Outbox:
        """Notifications waiting for the relay."""
        return _Outbox(self)

    @property
    def audit(self) -> _Audit:
        """The hash-chained audit log."""
        return _Audit(self)

    @property
    def ledger(self) -> SQLLedger:
        """The frequency ledger, transactional with this unit of work."""
        return SQLLedger(self)

    @property
    def enforcement_loop(self) -> _EnforcementLoop:
        """Steps of the guidance-penalty-assistance loop."""
        return _EnforcementLoop(self)

    @property
    def watch(self) -> _Watch:
        """Runs of no-finding inspections (the inefficient-inspection watch)."""
        return _Watch(self)

    @property
    def conflicts(self) -> _Conflicts:
        """Conflicting standards flagged on inspections."""
        return _Conflicts(self)

    @property
    def spot_checks(self) -> _SpotChecks:
        """Spot-check draws and conflicts of interest (issue 12)."""
        return _SpotChecks(self)

    @property
    def quiet_slots(self) -> _QuietSlots:
        """Enterprises' quiet slots (issue 12)."""
        return _QuietSlots(self)

    @property
    def offline(self) -> _Offline:
        """Device keys and offline check-ins (issue 12)."""
        return _Offline(self)

    @property
    def listing(self) -> _Listing:
        """The operator's listings (issue 11)."""
        return _Listing(self)

    @property
    def licences(self) -> _Licences:
        """Licences and their expiry warnings (issue 12)."""
        return _Licences(self)

    @property
    def penalties(self) -> _Penalties:
        """Penalty decisions and their credit repair (issue 12)."""
        return _Penalties(self)

    @property
    def legal_reviews(self) -> _LegalReviews:
        """Legal reviews of major decisions (issue 12)."""
        return _LegalReviews(self)

    @property
    def period(self) -> _Period:
        """A period's records, read whole for reports (issue 13)."""
        return _Period(self)

    @property
    def family(self) -> str:
        """``"sqlite"``, ``"postgresql"`` or ``"mysql"``."""
        return self._store.family

    def __enter__(self) -> Self:
        if self._store._memory_lock is not None:
            self._store._memory_lock.acquire()
            self._held_memory_lock = True
        self._outer = self._store._active()
        self._store._local.uow = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        failure: BaseException | None = None
        try:
            self.rollback()
        except Exception as error:
            # The block may already have failed (perhaps on a dead connection): then its
            # error wins, and this one only decides the connection's fate below.
            failure = error
        conn = self._conn
        self._conn, self._tx, self._cursor, self._client = None, None, None, None
        self._store._local.uow = self._outer
        try:
            if conn is not None:
                try:
                    if failure is not None:
                        # Its transaction state is unknown and the pool does not roll back
                        # on return (pool_reset_on_return=None): never hand it out again.
                        conn.invalidate()
                    conn.close()
                except sa_exc.SQLAlchemyError:
                    if exc is None and failure is None:
                        raise
        finally:
            if self._held_memory_lock and self._store._memory_lock is not None:
                self._held_memory_lock = False
                self._store._memory_lock.release()
        if failure is not None and exc is None:
            raise failure

    # ------------------------------------------------------------- transaction

    def connection(self) -> Connection:
        """The connection, inside a transaction begun on first use."""
        if self._conn is None:
            with translated():
                self._conn = self._store.engine.connect()
        if self._tx is None or not self._tx.is_active:
            with translated():
                self._tx = self._conn.begin()
        return self._conn

    def execute(self, statement: Executable, params: Any = None) -> Any:
        """Execute inside this unit of work, translating driver errors."""
        if self.held:
            self.send_held()
        conn = self.connection()
        if self._deferred:
            self._send(None, None)
        with translated():
            return conn.execute(statement, params) if params is not None else conn.execute(statement)

    def run(self, statement: Prepared, params: Mapping[str, Any]) -> Any:
        """Execute a prepared statement on the driver's cursor; return the cursor.

        Driver errors become storage errors whose cause is SQLAlchemy's wrapper of them
        (as :meth:`execute` gives); a lost connection is invalidated.
        """
        if self.held:
            self.send_held()
        if self._deferred:
            return self._send(statement, params)
        cursor = self._driver_cursor()
        try:
            cursor.execute(statement.sql, statement.args(params))
        except Exception as error:
            wrapped = self._wrap(error, statement.sql, params, cursor)
            raise translate(wrapped) from wrapped
        return cursor

    def defer(self, statement: Prepared, params: Mapping[str, Any]) -> None:
        """Execute a write whose result nobody reads, perhaps later.

        On PostgreSQL (psycopg) it is queued and sent in the same round trip as the next
        statement of this unit of work, or as its ``COMMIT``; other databases run it now.
        Statements still reach the server in call order, so every read sees it; only an
        error it causes is raised by that later call instead (the same storage error, and
        the transaction is lost either way). ``rollback`` drops it.
        """
        if self.held:
            self.send_held()
        if self._store._batching:
            self.connection()
            self._deferred.append((statement, params, None))
        else:
            self.run(statement, params)

    def defer_checks(self) -> None:
        """See :class:`jointinspect.ports.DeferrableChecks`: the repositories' adds and
        updates by key, inspections' department rows and the ledger's reservations are
        then held (:mod:`jointinspect_sqlalchemy.held`) and sent grouped per table, one
        ``executemany`` each, before the next other statement or the commit; on
        PostgreSQL (psycopg) the other checked writes of :meth:`insert_checked` and
        :meth:`update_checked` are deferred like :meth:`defer`'s, and their row counts
        checked when their round trip returns."""
        self._late_checks = True
        if self.held is None:
            self.held = HeldWrites()

    def append_staged(
        self,
        at: pendulum.DateTime,
        actor: str,
        records: Sequence[StagedRecord],
        notifications: Sequence[StagedNotification],
    ) -> list[AuditEntry]:
        """See :class:`jointinspect.ports.StagedAppends`: the audit rows and outbox rows
        built from the staged values, then written as ``append_many`` and ``add_many``
        write them."""
        ends = self.audit.append_staged(at, actor, records)
        self.outbox.add_staged(at, notifications)
        return ends

    def send_held(self) -> None:
        """Send the held writes now (see :meth:`defer_checks`); a refused one raises."""
        if self.held is not None:
            self.held.send(self)

    def insert_checked(self, table: Table, row: Mapping[str, Any], refusal: Refusal) -> None:
        """Insert ``row``, raising ``refusal()`` if its key exists (:meth:`insert_new`): at
        once, or after :meth:`defer_checks` on PostgreSQL when its deferred round trip
        returns."""
        if self.held:
            self.send_held()
        if self._late_checks and self._store._batching:
            family_name = self.family
            statement = self._store.statement(
                ("new", table.name, tuple(row)), lambda: insert_new(family_name, table), list(row)
            )
            self.connection()
            self._deferred.append((statement, row, refusal))
        elif not self.insert_new(table, row):
            raise refusal()

    def update_checked(self, statement: Prepared, params: Mapping[str, Any], refusal: Refusal) -> None:
        """Run an update by key, raising ``refusal()`` if it changed no row: at once, or as
        :meth:`insert_checked` says."""
        if self.held:
            self.send_held()
        if self._late_checks and self._store._batching:
            self.connection()
            self._deferred.append((statement, params, refusal))
        elif self.run(statement, params).rowcount == 0:
            raise refusal()

    def _send(self, statement: Prepared | None, params: Mapping[str, Any] | None, *, commit: bool = False) -> Any:
        """One round trip: the deferred writes, then ``statement`` and/or ``COMMIT``.

        They travel as one multi-statement query (PostgreSQL's simple protocol), the values
        rendered as literals by psycopg's client-side binding (``ClientCursor.mogrify``);
        return the cursor positioned on ``statement``'s result.
        """
        cursor = self._driver_cursor()
        client = self._client_cursor()
        pending, self._deferred = self._deferred, []
        checked = any(refusal is not None for _, _, refusal in pending)
        try:
            parts = [client.mogrify(q.sql, q.args(p)) for q, p, _ in pending]
            if statement is not None and params is not None:
                parts.append(client.mogrify(statement.sql, statement.args(params)))
            if commit and not checked:
                # with checked writes, the commit waits for their row counts (SQLAlchemy's
                # commit then sends it): a refused one must not be committed
                parts.append("COMMIT")
            sql = ";\n".join(parts)
            cursor.execute(sql, prepare=False)
        except Exception as error:
            wrapped = self._wrap(error, ";".join(q.sql for q, _, _ in pending), params, cursor)
            raise translate(wrapped) from wrapped
        if statement is not None or checked:
            for _, _, refusal in pending:
                if refusal is not None and cursor.rowcount == 0:
                    raise refusal()
                cursor.nextset()
        return cursor

    def run_many(self, statement: Prepared, args: Sequence[Any]) -> Any:
        """``executemany`` of a prepared statement; ``args`` already from
        :meth:`Prepared.args`; return the cursor (its ``rowcount``: the rows changed)."""
        if self.held:
            self.send_held()
        if self._deferred:
            self._send(None, None)
        cursor = self._driver_cursor()
        try:
            cursor.executemany(statement.sql, args)
        except Exception as error:
            wrapped = self._wrap(error, statement.sql, None, cursor)
            raise translate(wrapped) from wrapped
        return cursor

    def copy_rows(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL (psycopg): insert ``rows`` (the values of ``columns``, in order) with
        one ``COPY ... FROM STDIN``: one statement for them all, the values formatted by the
        driver's C code instead of bound one row at a time."""
        if self.held:
            self.send_held()
        if self._deferred:
            self._send(None, None)
        cursor = self._driver_cursor()
        quote = self._store.engine.dialect.identifier_preparer
        sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except Exception as error:
            wrapped = self._wrap(error, sql, None, cursor)
            raise translate(wrapped) from wrapped

    def _driver_cursor(self) -> Any:
        conn = self.connection()
        cursor = self._cursor
        if cursor is None:
            with translated():
                # One cursor per pooled driver connection, kept in its info dict (which the
                # pool clears when the connection is replaced).
                fairy = conn.connection
                cached = fairy.info.get(_CURSOR_KEY)
                dbapi_connection: Any = fairy.dbapi_connection
                if cached is None or cached[0] is not dbapi_connection:
                    cached = (dbapi_connection, dbapi_connection.cursor(), None)
                    fairy.info[_CURSOR_KEY] = cached
                cursor = self._cursor = cached[1]
        return cursor

    def _client_cursor(self) -> Any:
        """The psycopg client-side-binding cursor on this connection (renders literals)."""
        client = self._client
        if client is None:
            self._driver_cursor()
            assert self._conn is not None
            fairy = self._conn.connection
            dbapi_connection, cursor, client = fairy.info[_CURSOR_KEY]
            if client is None:
                import psycopg  # noqa: PLC0415 - only the psycopg driver gets here

                client = psycopg.ClientCursor(dbapi_connection)
                fairy.info[_CURSOR_KEY] = (dbapi_connection, cursor, client)
            self._client = client
        return client

    def _wrap(self, error: Exception, sql: str, params: Any, cursor: Any) -> sa_exc.StatementError:
        """SQLAlchemy's wrapper of a driver error; invalidates a lost connection."""
        dialect = self._store.engine.dialect
        base = dialect.loaded_dbapi.Error
        if not isinstance(error, base):
            raise error
        conn = self._conn
        invalidated = False
        if conn is not None and not conn.invalidated:
            invalidated = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
            if invalidated:
                # What SQLAlchemy does for its own statements: the pool replaces it.
                self._cursor = self._client = None
                with contextlib.suppress(Exception):
                    conn.invalidate(error)
        return sa_exc.DBAPIError.instance(sql, params, error, base, connection_invalidated=invalidated, dialect=dialect)

    def insert_new(self, table: Table, row: Mapping[str, Any]) -> bool:
        """Insert ``row`` unless its key exists; ``True`` when inserted (one statement,
        prepared; see :func:`jointinspect_sqlalchemy.dialects.insert_if_new`)."""
        family_name = self.family
        statement = self._store.statement(
            ("new", table.name, tuple(row)), lambda: insert_new(family_name, table), list(row)
        )
        if family_name != "mysql":
            return bool(self.run(statement, row).rowcount)
        try:
            self.run(statement, row)
        except IntegrityError as error:
            orig = getattr(error.__cause__, "orig", None)
            if getattr(orig, "args", (None,))[:1] == (_MYSQL_DUPLICATE,):
                return False  # MariaDB rolled back just this statement
            raise
        return True

    def upsert(self, table: Table, row: Mapping[str, Any]) -> None:
        """See :func:`jointinspect_sqlalchemy.dialects.upsert`."""
        if self.held:
            self.send_held()
        conn = self.connection()
        if self._deferred:
            self._send(None, None)
        with translated():
            upsert(conn, table, row)

    def create_locked(self, table: Table, row: Mapping[str, Any]) -> None:
        """See :func:`jointinspect_sqlalchemy.dialects.create_locked`."""
        if self.held:
            self.send_held()
        conn = self.connection()
        if self._deferred:
            self._send(None, None)
        with translated():
            create_locked(conn, table, row)

    def _in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return self._tx is not None and self._tx.is_active

    def _commit_early(self) -> None:
        """Commit what the transaction holds now (see :meth:`EnterpriseLocks._create_lock_rows`)."""
        if self._tx is not None and self._tx.is_active:
            with translated():
                self._tx.commit()
        self._tx = None

    def commit(self) -> None:
        """Commit; a later write in this unit of work starts a new transaction."""
        bulk = self.held is not None
        if self.held:
            self.send_held()  # begins the transaction if nothing else did
        if self._tx is not None and self._tx.is_active:
            if self._deferred:
                # The deferred writes and COMMIT in one round trip; SQLAlchemy's commit
                # below then finds the driver idle and sends nothing.
                self._send(None, None, commit=True)
            checkpointer = self._store._checkpointer if bulk else None
            with translated():
                if checkpointer is not None and self._conn is not None:
                    # a bulk chunk: its WAL checkpoint alternates with a thread (checkpoint.py)
                    checkpointer.commit(self._conn.connection.dbapi_connection, self._tx.commit)
                else:
                    self._tx.commit()
        self._tx = None
        self._locked.clear()
        self.memo.clear()
        self._late_checks = False
        self.held = None
        self.ledger_rows.clear()

    def rollback(self) -> None:
        """Discard everything not committed."""
        self._deferred.clear()
        if self._tx is not None and self._tx.is_active:
            with translated():
                self._tx.rollback()
        self._tx = None
        self._locked.clear()
        self.memo.clear()
        self._late_checks = False
        self.held = None
        self.ledger_rows.clear()
