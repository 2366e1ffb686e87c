"""The SQL store: every port of :mod:`jointinspect.ports` over one SQLAlchemy engine.

A unit of work is one connection and one transaction, opened on first use and closed on
leaving the ``with`` block (rolled back unless committed). Behaviour mirrors
:class:`jointinspect.memory.MemoryStore` — ordering, idempotency, ``IntegrityError`` on a
duplicate add or a missing update — and the shared contract suite checks it.

Serialisation per database:

* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (the database's write lock),
  so units of work run one at a time across threads and processes; ``lock_enterprise`` has
  nothing left to do.
* PostgreSQL, MariaDB: ``READ COMMITTED``; ``lock_enterprise`` takes ``SELECT ... FOR
  UPDATE`` on the enterprise's lock row (inserted first if missing); audit appends lock a
  single head row, so the hash chain never forks.

The statements every operation runs are compiled once per store and executed on the
driver's cursor (:mod:`jointinspect_sqlalchemy.prepared`); listings, upserts and
maintenance go through SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import pendulum
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    RootTransaction,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ClauseElement, Executable

from jointinspect.audit import GENESIS, AuditEntry, AuditRecord, seal
from jointinspect.errors import IntegrityError
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.model.result import ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.rules.frequency import (
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    evaluate,
)
from jointinspect.timeutil import from_micros
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.dialects import (
    configure_sqlite,
    create_locked,
    family,
    upsert,
)
from jointinspect_sqlalchemy.errors import translate, translated
from jointinspect_sqlalchemy.migrate import upgrade
from jointinspect_sqlalchemy.prepared import Prepared, prepare

#: keys per ``IN (...)`` list when marking outbox rows delivered.
_CHUNK = 500
#: MariaDB/MySQL "duplicate entry" error number.
_MYSQL_DUPLICATE = 1062
#: key of (driver connection, its cursor, its client-side cursor) in the pool's info dict.
_CURSOR_KEY = "jointinspect_cursors"


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


class SQLStore:
    """A :class:`~jointinspect.ports.Store` on SQLite, PostgreSQL or MariaDB/MySQL.

    Args:
        url_or_engine: a SQLAlchemy URL (``sqlite:///inspections.db``,
            ``postgresql+psycopg://user@host/db``, ``mysql+pymysql://user@host/db``) or a
            ready :class:`~sqlalchemy.Engine`. The store disposes only an engine it created.
        create: bring the database to the current schema first (Alembic ``upgrade head``).
        busy_timeout: SQLite only: seconds to wait for another writer.
        engine_options: passed to :func:`~sqlalchemy.create_engine` when given a URL.
    """

    def __init__(
        self,
        url_or_engine: str | URL | Engine,
        *,
        create: bool = False,
        busy_timeout: float = 30.0,
        **engine_options: Any,
    ) -> None:
        self._memory_lock: threading.RLock | None = None
        if isinstance(url_or_engine, Engine):
            engine, self._owned = url_or_engine, False
        else:
            url = make_url(url_or_engine)
            options = dict(engine_options)
            if _is_memory_sqlite(url):
                # One shared connection, else every pooled connection is its own database.
                options.setdefault("poolclass", StaticPool)
                options.setdefault("connect_args", {"check_same_thread": False})
                self._memory_lock = threading.RLock()
            elif url.get_backend_name() != "sqlite":
                options.setdefault("isolation_level", "READ COMMITTED")
                # A connection the server dropped is invalidated when it fails (no pre-ping
                # round trip on every checkout: file-plan latency matters).
            # Every unit of work ends its transaction itself (commit, rollback, or the
            # connection is invalidated when the rollback fails), so the pool's own
            # rollback on return would be one more round trip (on MariaDB) for nothing.
            options.setdefault("pool_reset_on_return", None)
            with translated():
                engine = create_engine(url, **options)
            self._owned = True
        self.family = family(engine)
        if self.family == "sqlite":
            with translated():
                configure_sqlite(engine, int(busy_timeout * 1000))
        elif engine.get_execution_options().get("isolation_level") != "READ COMMITTED" and not self._owned:
            # A caller's engine: set the isolation per connection (lock-then-read needs it).
            engine = engine.execution_options(isolation_level="READ COMMITTED")
        self.engine: Engine = engine
        self._local = threading.local()
        self._prepared: dict[Hashable, Prepared] = {}
        #: psycopg 3: writes whose result nobody reads are sent with the next statement
        #: that needs one, or with COMMIT (see SQLUnitOfWork.defer).
        self._batching = self.family == "postgresql" and engine.dialect.driver == "psycopg"
        if create:
            upgrade(self.engine)

    # ------------------------------------------------------------------ Store port

    def unit_of_work(self) -> SQLUnitOfWork:
        """A fresh unit of work (one per operation and thread)."""
        return SQLUnitOfWork(self)

    def replay_guard(self) -> SQLReplayGuard:
        """The store's replay guard (table ``ji_replay_keys``)."""
        return SQLReplayGuard(self)

    def ledger(self) -> SQLStandaloneLedger:
        """The ledger outside any unit of work: every call is its own transaction."""
        return SQLStandaloneLedger(self)

    def close(self) -> None:
        """Dispose the engine if this store created it."""
        if self._owned:
            self.engine.dispose()

    # ------------------------------------------------------------------ bulk

    def import_plans(self, plans: Iterable[Plan], batch_size: int = 5_000) -> int:
        """Insert many new plans in one transaction with ``executemany``; return the count.

        Meant for migrating a city's existing plans; nothing is reserved, matched, audited
        or notified. A duplicate id rolls the whole import back.

        Raises:
            IntegrityError: a plan id already exists.
        """
        count = 0
        statement = self.statement("import-plans", s.plans.insert, _PLAN_COLUMNS)
        with self.unit_of_work() as uow:
            batch: list[Any] = []
            for plan in plans:
                batch.append(statement.args(_plan_row(plan)))
                if len(batch) >= batch_size:
                    uow.run_many(statement, batch)
                    count += len(batch)
                    batch = []
            if batch:
                uow.run_many(statement, batch)
                count += len(batch)
            uow.commit()
        return count

    def statement(
        self, key: Hashable, build: Callable[[], ClauseElement], columns: Sequence[str] | None = None
    ) -> Prepared:
        """The statement ``build()`` makes, compiled for this store's database once.

        ``key`` names it in the store's cache; ``columns`` are an insert's columns.
        """
        found = self._prepared.get(key)
        if found is None:
            found = prepare(self.engine.dialect, build(), None if columns is None else list(columns))
            self._prepared[key] = found
        return found

    # ------------------------------------------------------------------ internals

    def _active(self) -> SQLUnitOfWork | None:
        uow: SQLUnitOfWork | None = getattr(self._local, "uow", None)
        return uow


_PLAN_COLUMNS = ("id", "enterprise", "filed_at", "status", "body")


def _plan_row(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "enterprise": plan.enterprise,
        "filed_at": codec.micros(plan.filed_at),
        "status": plan.status.value,
        "body": codec.dumps(plan),
    }


# Statements compiled per store (see SQLStore.statement); parameters are named bindparams.


def _insert_new(family_name: str, table: Table) -> ClauseElement:
    """``INSERT`` that skips an existing key (PostgreSQL, SQLite: ``ON CONFLICT DO
    NOTHING``) or fails on it (MariaDB: the duplicate-key error is caught, see
    :func:`jointinspect_sqlalchemy.dialects.insert_if_new`). No ``RETURNING``."""
    if family_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().inline()
    if family_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing().inline()
    return insert(table).inline()


def _get_body(table: Table) -> ClauseElement:
    key = next(iter(table.primary_key.columns))
    return select(table.c.body).where(key == bindparam("key"))


def _update_row(table: Table, key_column: str, columns: Sequence[str]) -> ClauseElement:
    return (
        update(table)
        .where(table.c[key_column] == bindparam("match_key"))
        .values({name: bindparam(name) for name in columns})
    )


def _lock_row() -> ClauseElement:
    t = s.enterprise_locks
    return select(t.c.enterprise).where(t.c.enterprise == bindparam("enterprise")).with_for_update()


def _create_lock_row(family_name: str) -> ClauseElement:
    # MariaDB: ON DUPLICATE KEY UPDATE asks for the exclusive lock directly (see
    # dialects.create_locked); PostgreSQL waits for a concurrent insert, then we lock.
    if family_name == "mysql":
        my = mysql.insert(s.enterprise_locks)
        return my.on_duplicate_key_update({"enterprise": my.inserted["enterprise"]})
    return _insert_new(family_name, s.enterprise_locks)


def _ledger_read(with_span: bool) -> ClauseElement:
    t = s.reservations
    wanted = t.c.id == bindparam("id")
    if with_span:
        in_span = and_(t.c.enterprise == bindparam("enterprise"), t.c.at >= bindparam("lo"), t.c.at < bindparam("hi"))
        return select(t).where(or_(wanted, in_span))
    return select(t).where(wanted)


class SQLUnitOfWork:
    """One connection, one transaction (see :class:`SQLStore`)."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        #: the driver's cursor on ``_conn`` for prepared statements.
        self._cursor: Any = None
        #: psycopg client-side-binding cursor rendering deferred writes as SQL text.
        self._client: Any = None
        #: writes not sent yet (PostgreSQL): they go first in the next round trip.
        self._deferred: list[tuple[Prepared, Mapping[str, Any]]] = []
        self._locked: set[str] = set()
        self._held_memory_lock = False
        self._outer: SQLUnitOfWork | None = None

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
        if self._store._batching:
            self.connection()
            self._deferred.append((statement, params))
        else:
            self.run(statement, params)

    def _send(self, statement: Prepared | None, params: Mapping[str, Any] | None, *, commit: bool = False) -> Any:
        """One round trip: the deferred writes, then ``statement`` and/or ``COMMIT``.

        They travel as one multi-statement query (PostgreSQL's simple protocol), the values
        rendered as literals by psycopg's client-side binding (``ClientCursor.mogrify``);
        return the cursor positioned on ``statement``'s result.
        """
        cursor = self._driver_cursor()
        client = self._client_cursor()
        pending, self._deferred = self._deferred, []
        try:
            parts = [client.mogrify(q.sql, q.args(p)) for q, p in pending]
            if statement is not None and params is not None:
                parts.append(client.mogrify(statement.sql, statement.args(params)))
            if commit:
                parts.append("COMMIT")
            sql = ";\n".join(parts)
            cursor.execute(sql, prepare=False)
        except Exception as error:
            wrapped = self._wrap(error, ";".join(q.sql for q, _ in pending), params, cursor)
            raise translate(wrapped) from wrapped
        if statement is not None:
            for _ in pending:
                cursor.nextset()
        return cursor

    def run_many(self, statement: Prepared, args: Sequence[Any]) -> None:
        """``executemany`` of a prepared statement; ``args`` already from
        :meth:`Prepared.args`."""
        if self._deferred:
            self._send(None, None)
        cursor = self._driver_cursor()
        try:
            cursor.executemany(statement.sql, args)
        except Exception as error:
            wrapped = self._wrap(error, statement.sql, None, cursor)
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
            ("new", table.name, tuple(row)), lambda: _insert_new(family_name, table), list(row)
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
        conn = self.connection()
        if self._deferred:
            self._send(None, None)
        with translated():
            upsert(conn, table, row)

    def create_locked(self, table: Table, row: Mapping[str, Any]) -> None:
        """See :func:`jointinspect_sqlalchemy.dialects.create_locked`."""
        conn = self.connection()
        if self._deferred:
            self._send(None, None)
        with translated():
            create_locked(conn, table, row)

    def lock_enterprise(self, credit_code: str) -> None:
        """Serialise with every other transaction locking ``credit_code`` (see module doc).

        One round trip when the enterprise's lock row exists (the usual case); the row is
        created once, the first time an enterprise is locked.
        """
        if self.family == "sqlite":
            self.connection()  # BEGIN IMMEDIATE already excludes every other writer
            return
        if credit_code in self._locked:
            return
        store = self._store
        lock = store.statement("lock", _lock_row)
        params = {"enterprise": credit_code}
        if not self.run(lock, params).fetchall():
            family_name = self.family
            create = store.statement("lock-create", lambda: _create_lock_row(family_name), ["enterprise"])
            self.run(create, params)
            if not self.run(lock, params).fetchall():
                raise IntegrityError("storage.integrity", reason=f"lock row of {credit_code!r} vanished")
        self._locked.add(credit_code)

    def commit(self) -> None:
        """Commit; a later write in this unit of work starts a new transaction."""
        if self._tx is not None and self._tx.is_active:
            if self._deferred:
                # The deferred writes and COMMIT in one round trip; SQLAlchemy's commit
                # below then finds the driver idle and sends nothing.
                self._send(None, None, commit=True)
            with translated():
                self._tx.commit()
        self._tx = None
        self._locked.clear()

    def rollback(self) -> None:
        """Discard everything not committed."""
        self._deferred.clear()
        if self._tx is not None and self._tx.is_active:
            with translated():
                self._tx.rollback()
        self._tx = None
        self._locked.clear()


class _Repo:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def _bodies(self, statement: Executable, kind: type[Any]) -> list[Any]:
        return [codec.loads(row[0], kind) for row in self._uow.execute(statement)]

    def _one(self, table: Table, key: str, kind: type[Any]) -> Any:
        """The value whose primary key is ``key``, or ``None``."""
        statement = self._uow._store.statement(("get", table.name), lambda: _get_body(table))
        rows = self._uow.run(statement, {"key": key}).fetchall()
        return codec.loads(rows[0][0], kind) if rows else None

    def _add(self, table: Table, row: Mapping[str, Any], kind: str, key: str) -> None:
        if not self._uow.insert_new(table, row):
            raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} already exists")

    def _update(self, table: Table, key_column: str, row: Mapping[str, Any], kind: str) -> None:
        key = row[key_column]
        params = {k: v for k, v in row.items() if k != key_column}
        columns = tuple(params)
        statement = self._uow._store.statement(
            ("update", table.name, columns), lambda: _update_row(table, key_column, columns)
        )
        params["match_key"] = key
        if self._uow.run(statement, params).rowcount == 0:
            raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} does not exist")


class _Reference(_Repo):
    def put_enterprise(self, enterprise: Enterprise) -> None:
        self._uow.upsert(s.enterprises, {"credit_code": enterprise.credit_code, "body": codec.dumps(enterprise)})

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        found: Enterprise | None = self._one(s.enterprises, credit_code, Enterprise)
        return found

    def put_department(self, department: Department) -> None:
        self._uow.upsert(s.departments, {"code": department.code, "body": codec.dumps(department)})

    def get_department(self, code: str) -> Department | None:
        found: Department | None = self._one(s.departments, code, Department)
        return found

    def put_inspector(self, inspector: Inspector) -> None:
        self._uow.upsert(s.inspectors, {"id": inspector.id, "body": codec.dumps(inspector)})

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        found: Inspector | None = self._one(s.inspectors, inspector_id, Inspector)
        return found

    def put_item(self, item: SupervisionItem) -> None:
        self._uow.upsert(s.items, {"code": item.code, "body": codec.dumps(item)})

    def get_item(self, code: str) -> SupervisionItem | None:
        found: SupervisionItem | None = self._one(s.items, code, SupervisionItem)
        return found

    def put_scenario(self, scenario: Scenario) -> None:
        self._uow.upsert(s.scenarios, {"code": scenario.code, "body": codec.dumps(scenario)})

    def get_scenario(self, code: str) -> Scenario | None:
        found: Scenario | None = self._one(s.scenarios, code, Scenario)
        return found


class _Plans(_Repo):
    def add(self, plan: Plan) -> None:
        self._add(s.plans, _plan_row(plan), "plan", plan.id)

    def update(self, plan: Plan) -> None:
        self._update(s.plans, "id", _plan_row(plan), "plan")

    def get(self, plan_id: str) -> Plan | None:
        found: Plan | None = self._one(s.plans, plan_id, Plan)
        return found

    def for_enterprise(self, enterprise: str) -> list[Plan]:
        t = s.plans
        return self._bodies(select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.filed_at, t.c.id), Plan)


def _inspection_row(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.id,
        "enterprise": inspection.enterprise,
        "created_at": codec.micros(inspection.created_at),
        "status": inspection.status.value,
        "body": codec.dumps(inspection),
    }


class _Inspections(_Repo):
    def add(self, inspection: Inspection) -> None:
        self._add(s.inspections, _inspection_row(inspection), "inspection", inspection.id)

    def update(self, inspection: Inspection) -> None:
        self._update(s.inspections, "id", _inspection_row(inspection), "inspection")

    def get(self, inspection_id: str) -> Inspection | None:
        found: Inspection | None = self._one(s.inspections, inspection_id, Inspection)
        return found

    def for_enterprise(self, enterprise: str) -> list[Inspection]:
        t = s.inspections
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.created_at, t.c.id),
            Inspection,
        )


def _visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "inspection_id": visit.inspection_id,
        "checked_in_at": codec.micros(visit.checked_in_at),
        "body": codec.dumps(visit),
    }


class _Visits(_Repo):
    def add(self, visit: Visit) -> None:
        self._add(s.visits, _visit_row(visit), "visit", visit.id)

    def update(self, visit: Visit) -> None:
        self._update(s.visits, "id", _visit_row(visit), "visit")

    def for_inspection(self, inspection_id: str) -> list[Visit]:
        t = s.visits
        return self._bodies(
            select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.checked_in_at, t.c.id),
            Visit,
        )


def _result_row(result: ResultRecord) -> dict[str, Any]:
    return {
        "id": result.id,
        "enterprise": result.enterprise,
        "inspection_id": result.inspection_id,
        "item": result.item,
        "recorded_at": codec.micros(result.recorded_at),
        "body": codec.dumps(result),
    }


class _Results(_Repo):
    def add(self, result: ResultRecord) -> None:
        self._add(s.results, _result_row(result), "result", result.id)

    def update(self, result: ResultRecord) -> None:
        self._update(s.results, "id", _result_row(result), "result")

    def get(self, result_id: str) -> ResultRecord | None:
        found: ResultRecord | None = self._one(s.results, result_id, ResultRecord)
        return found

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        wanted = sorted(set(items))
        if not wanted:
            return []
        t = s.results
        return self._bodies(
            select(t.c.body)
            .where(t.c.enterprise == enterprise, t.c.item.in_(wanted), t.c.recorded_at >= codec.micros(since))
            .order_by(t.c.recorded_at, t.c.id),
            ResultRecord,
        )

    def for_inspection(self, inspection_id: str) -> list[ResultRecord]:
        t = s.results
        return self._bodies(
            select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.recorded_at, t.c.id),
            ResultRecord,
        )


def _rectification_row(rect: Rectification) -> dict[str, Any]:
    return {
        "id": rect.id,
        "enterprise": rect.enterprise,
        "state": rect.state.value,
        "deadline": codec.micros(rect.deadline),
        "opened_at": codec.micros(rect.opened_at),
        "body": codec.dumps(rect),
    }


class _Rectifications(_Repo):
    def add(self, rectification: Rectification) -> None:
        self._add(s.rectifications, _rectification_row(rectification), "rectification", rectification.id)

    def update(self, rectification: Rectification) -> None:
        self._update(s.rectifications, "id", _rectification_row(rectification), "rectification")

    def get(self, rectification_id: str) -> Rectification | None:
        found: Rectification | None = self._one(s.rectifications, rectification_id, Rectification)
        return found

    def due_before(self, instant: pendulum.DateTime) -> list[Rectification]:
        t = s.rectifications
        waiting = [RectificationState.OPEN.value, RectificationState.SUBMITTED.value]
        return self._bodies(
            select(t.c.body)
            .where(t.c.state.in_(waiting), t.c.deadline < codec.micros(instant))
            .order_by(t.c.deadline, t.c.id),
            Rectification,
        )

    def for_enterprise(self, enterprise: str) -> list[Rectification]:
        t = s.rectifications
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.opened_at, t.c.id),
            Rectification,
        )


class _Feedback(_Repo):
    def add_evaluation(self, evaluation: Evaluation) -> None:
        row = {"inspection_id": evaluation.inspection_id, "body": codec.dumps(evaluation)}
        self._add(s.evaluations, row, "evaluation", evaluation.inspection_id)

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        found: Evaluation | None = self._one(s.evaluations, inspection_id, Evaluation)
        return found

    def add_complaint(self, complaint: Complaint) -> None:
        row = {
            "id": complaint.id,
            "enterprise": complaint.enterprise,
            "at": codec.micros(complaint.at),
            "body": codec.dumps(complaint),
        }
        self._add(s.complaints, row, "complaint", complaint.id)

    def complaints(self, enterprise: str) -> list[Complaint]:
        t = s.complaints
        return self._bodies(select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.at, t.c.id), Complaint)


class _Outbox(_Repo):
    def add(self, notification: Notification) -> None:
        # Same key again (delivered or not): ignored, as the port says.
        # Same key again (delivered or not): ignored by the statement, so nothing to read
        # back and the write can travel with the next one.
        uow = self._uow
        family_name = uow.family
        row = {"key": notification.key, "delivered": False, "body": codec.dumps(notification)}
        statement = uow._store.statement(
            ("new", s.outbox.name, tuple(row)), lambda: _insert_new(family_name, s.outbox), list(row)
        )
        if family_name == "mysql":
            uow.insert_new(s.outbox, row)  # its duplicate-key error must be caught here
        else:
            uow.defer(statement, row)

    def pending(self, limit: int) -> list[Notification]:
        t = s.outbox
        return self._bodies(
            select(t.c.body).where(t.c.delivered.is_(False)).order_by(t.c.seq).limit(max(limit, 0)),
            Notification,
        )

    def mark_delivered(self, keys: Sequence[str]) -> None:
        t = s.outbox
        unique = sorted(set(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            self._uow.execute(update(t).where(t.c.key.in_(chunk), t.c.delivered.is_(False)).values(delivered=True))


class _Audit(_Repo):
    def append(self, record: AuditRecord) -> AuditEntry:
        uow, store = self._uow, self._uow._store
        family_name = uow.family
        head_q = store.statement("audit-head", lambda: _audit_head(family_name))
        at_head = {"id": s.AUDIT_HEAD_ID}
        rows = uow.run(head_q, at_head).fetchall()
        if not rows:
            uow.create_locked(s.audit_head, {"id": s.AUDIT_HEAD_ID, "seq": 0, "hash": GENESIS})
            rows = uow.run(head_q, at_head).fetchall()
        entry = seal(record, int(rows[0][0]) + 1, str(rows[0][1]))
        uow.defer(
            store.statement("audit-insert", s.audit_log.insert, _AUDIT_COLUMNS),
            {"seq": entry.seq, "prev_hash": entry.prev_hash, "hash": entry.hash, "body": codec.dumps(entry)},
        )
        uow.defer(
            store.statement("audit-move-head", _audit_move_head),
            {"id": s.AUDIT_HEAD_ID, "seq": entry.seq, "hash": entry.hash},
        )
        return entry

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        t = s.audit_log
        return self._bodies(select(t.c.body).where(t.c.seq > after_seq).order_by(t.c.seq), AuditEntry)


_AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "body")


def _audit_head(family_name: str) -> ClauseElement:
    t = s.audit_head
    head = select(t.c.seq, t.c.hash).where(t.c.id == bindparam("id"))
    # The single head row is the chain's lock: appends queue here, never fork (SQLite's
    # write lock already serialises them).
    return head if family_name == "sqlite" else head.with_for_update()


def _audit_move_head() -> ClauseElement:
    t = s.audit_head
    return update(t).where(t.c.id == bindparam("id")).values(seq=bindparam("seq"), hash=bindparam("hash"))


# --------------------------------------------------------------------------- ledger

_MICRO = dt.timedelta(microseconds=1)
_RESERVATION_COLUMNS = ("id", "enterprise", "department", "inspectors", "kind", "at", "state", "expires_at")


def _reservation_row(r: Reservation) -> dict[str, Any]:
    return {
        "id": r.id,
        "enterprise": r.enterprise,
        "department": r.department,
        "inspectors": codec.dumps_list(list(r.inspectors)),
        "kind": r.kind.value,
        "at": codec.micros(r.at),
        "state": r.state.value,
        "expires_at": None if r.expires_at is None else codec.micros(r.expires_at),
    }


def _reservation(row: Sequence[Any]) -> Reservation:
    """A reservation from a row of ``select(reservations)`` (columns in table order)."""
    id_, enterprise, department, inspectors, kind, at, state, expires_at = row
    return Reservation(
        id=id_,
        enterprise=enterprise,
        department=department,
        inspectors=codec.loads(inspectors, list[str]),
        kind=kind,
        at=from_micros(int(at)),
        state=state,
        expires_at=None if expires_at is None else from_micros(int(expires_at)),
    )


def _relevant_span(request: Reservation, checks: Sequence[RuleCheck]) -> tuple[int, int] | None:
    """``[lo, hi)`` in micros holding every reservation any check can count, or ``None``.

    A rolling window ``W`` only counts visits strictly within ``W`` of the new one; a
    calendar bucket only those inside it. Reading just this span keeps the check cheap on
    an enterprise with years of history.
    """
    at = codec.micros(request.at)
    spans: list[tuple[int, int]] = []
    for check in checks:
        window = check.window
        if window is not None:
            if getattr(window, "years", 0) or getattr(window, "months", 0):
                width = codec.micros(request.at + window) - at  # calendar months: pendulum
            else:
                width = dt.timedelta.__floordiv__(window, _MICRO)  # fixed length: exact
            spans.append((at - width + 1, at + width))
        elif check.bucket is not None:
            spans.append((codec.micros(check.bucket[0]), codec.micros(check.bucket[1])))
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


def _confirm_reservation() -> ClauseElement:
    t = s.reservations
    return (
        update(t)
        .where(t.c.id == bindparam("id"), t.c.state != bindparam("confirmed"))
        .values(state=bindparam("confirmed"), expires_at=null())
    )


def _release_reservation() -> ClauseElement:
    return delete(s.reservations).where(s.reservations.c.id == bindparam("id"))


class SQLLedger:
    """The frequency ledger inside a unit of work (``uow.ledger``): transactional with it.

    ``check_and_reserve`` locks the enterprise (a no-op if the operation already did),
    reads the reservations that can count, applies
    :func:`jointinspect.rules.frequency.evaluate` and inserts — all in the unit of work's
    transaction, so the plan and its reservation commit or vanish together.
    """

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        uow, store = self._uow, self._uow._store
        # The lock first: reading before it could miss a reservation committed meanwhile.
        uow.lock_enterprise(request.enterprise)
        span = _relevant_span(request, checks)
        if span is None:
            read = store.statement("ledger-read-id", lambda: _ledger_read(False))
            params: dict[str, Any] = {"id": request.id}
        else:
            read = store.statement("ledger-read-span", lambda: _ledger_read(True))
            params = {"id": request.id, "enterprise": request.enterprise, "lo": span[0], "hi": span[1]}
        rows = [_reservation(r) for r in uow.run(read, params).fetchall()]
        for row in rows:
            if row.id == request.id:
                # Idempotent: already counted; report nothing new.
                return LedgerDecision(row)
        decision = evaluate(rows, request, checks, now)
        if decision.reservation is not None:
            uow.defer(
                store.statement("ledger-insert", s.reservations.insert, _RESERVATION_COLUMNS),
                _reservation_row(request),
            )
        return decision

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm` (the id is the key:
        ``enterprise`` is not needed)."""
        self._uow.defer(
            self._uow._store.statement("ledger-confirm", _confirm_reservation),
            {"id": reservation_id, "confirmed": ReservationState.CONFIRMED.value},
        )

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`."""
        self._uow.defer(self._uow._store.statement("ledger-release", _release_reservation), {"id": reservation_id})

    def reservations(self, enterprise: str) -> list[Reservation]:
        """Every reservation of ``enterprise`` (expired pending ones included), oldest first."""
        t = s.reservations
        rows = self._uow.execute(select(t).where(t.c.enterprise == enterprise).order_by(t.c.at, t.c.id))
        return [_reservation(r) for r in rows]


class SQLStandaloneLedger:
    """The store's ledger used on its own: each call is one short transaction."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        with self._store.unit_of_work() as uow:
            decision = uow.ledger.check_and_reserve(request, checks, now)
            uow.commit()
        return decision

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm`."""
        with self._store.unit_of_work() as uow:
            uow.ledger.confirm(reservation_id, enterprise)
            uow.commit()

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`."""
        with self._store.unit_of_work() as uow:
            uow.ledger.release(reservation_id, enterprise)
            uow.commit()

    def reservations(self, enterprise: str) -> list[Reservation]:
        """See :meth:`jointinspect.ports.FrequencyLedger.reservations`."""
        with self._store.unit_of_work() as uow:
            return uow.ledger.reservations(enterprise)


# --------------------------------------------------------------------------- replay guard


class SQLReplayGuard:
    """One-time keys in table ``ji_replay_keys``.

    Called while the same thread has a unit of work of this store open (check-in does),
    the key is consumed inside that unit of work's transaction: it commits with the visit
    or not at all, and SQLite's single write lock is not requested twice. Otherwise each
    call is its own transaction.
    """

    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """See :meth:`jointinspect.ports.ReplayGuard.consume`."""
        active = self._store._active()
        if active is not None:
            return self._consume(active, key, expires_at, now)
        with self._store.unit_of_work() as uow:
            used = self._consume(uow, key, expires_at, now)
            uow.commit()
        return used

    @staticmethod
    def _consume(uow: SQLUnitOfWork, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        until = codec.micros(expires_at)
        # Reuse an expired key; a concurrent consumer re-checks the condition after our
        # commit (row lock), so only one of them matches.
        reuse = uow._store.statement("replay-reuse", _reuse_replay_key)
        if uow.run(reuse, {"key": key, "now": codec.micros(now), "until": until}).rowcount:
            return True
        return uow.insert_new(s.replay_keys, {"key": key, "expires_at": until})


def _reuse_replay_key() -> ClauseElement:
    t = s.replay_keys
    return (
        update(t)
        .where(t.c.key == bindparam("key"), t.c.expires_at <= bindparam("now"))
        .values(expires_at=bindparam("until"))
    )


def count_rows(store: SQLStore, table: Table) -> int:
    """Rows in ``table`` (for tests and reports)."""
    with store.unit_of_work() as uow:
        return int(uow.execute(select(func.count()).select_from(table)).scalar_one())


__all__ = [
    "SQLLedger",
    "SQLReplayGuard",
    "SQLStandaloneLedger",
    "SQLStore",
    "SQLUnitOfWork",
]
