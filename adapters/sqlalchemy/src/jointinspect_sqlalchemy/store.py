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
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import pendulum
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    RootTransaction,
    Table,
    create_engine,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ColumnElement, Executable

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
    insert_if_new,
    upsert,
)
from jointinspect_sqlalchemy.errors import translated
from jointinspect_sqlalchemy.migrate import upgrade

#: keys per ``IN (...)`` list when marking outbox rows delivered.
_CHUNK = 500


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
        with self.unit_of_work() as uow:
            conn = uow.connection()
            batch: list[dict[str, Any]] = []
            for plan in plans:
                batch.append(_plan_row(plan))
                if len(batch) >= batch_size:
                    uow.execute(s.plans.insert(), batch)
                    count += len(batch)
                    batch = []
            if batch:
                uow.execute(s.plans.insert(), batch)
                count += len(batch)
            del conn
            uow.commit()
        return count

    # ------------------------------------------------------------------ internals

    def _active(self) -> SQLUnitOfWork | None:
        uow: SQLUnitOfWork | None = getattr(self._local, "uow", None)
        return uow


def _plan_row(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id, "enterprise": plan.enterprise, "filed_at": codec.micros(plan.filed_at),
        "status": plan.status.value, "body": codec.dumps(plan),
    }


class SQLUnitOfWork:
    """One connection, one transaction (see :class:`SQLStore`)."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._locked: set[str] = set()
        self._held_memory_lock = False
        self._outer: SQLUnitOfWork | None = None
        self.reference = _Reference(self)
        self.plans = _Plans(self)
        self.inspections = _Inspections(self)
        self.visits = _Visits(self)
        self.results = _Results(self)
        self.rectifications = _Rectifications(self)
        self.feedback = _Feedback(self)
        self.outbox = _Outbox(self)
        self.audit = _Audit(self)
        self.ledger = SQLLedger(self)

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
        try:
            if exc is None:
                self.rollback()
            else:
                # The block already failed (perhaps on a dead connection): rolling back
                # must not replace its error.
                with contextlib.suppress(Exception):
                    self.rollback()
        finally:
            conn, self._conn, self._tx = self._conn, None, None
            self._store._local.uow = self._outer
            try:
                if conn is not None:
                    try:
                        conn.close()
                    except sa_exc.SQLAlchemyError:
                        if exc is None:
                            raise
            finally:
                if self._held_memory_lock and self._store._memory_lock is not None:
                    self._held_memory_lock = False
                    self._store._memory_lock.release()

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
        with translated():
            return conn.execute(statement, params) if params is not None else conn.execute(statement)

    def insert_if_new(self, table: Table, row: Mapping[str, Any]) -> bool:
        """See :func:`jointinspect_sqlalchemy.dialects.insert_if_new`."""
        conn = self.connection()
        with translated():
            return insert_if_new(conn, table, row)

    def upsert(self, table: Table, row: Mapping[str, Any]) -> None:
        """See :func:`jointinspect_sqlalchemy.dialects.upsert`."""
        conn = self.connection()
        with translated():
            upsert(conn, table, row)

    def create_locked(self, table: Table, row: Mapping[str, Any]) -> None:
        """See :func:`jointinspect_sqlalchemy.dialects.create_locked`."""
        conn = self.connection()
        with translated():
            create_locked(conn, table, row)

    def lock_enterprise(self, credit_code: str) -> None:
        """Serialise with every other transaction locking ``credit_code`` (see module doc)."""
        if self.family == "sqlite":
            self.connection()  # BEGIN IMMEDIATE already excludes every other writer
            return
        if credit_code in self._locked:
            return
        locked = select(s.enterprise_locks.c.enterprise).where(
            s.enterprise_locks.c.enterprise == credit_code
        ).with_for_update()
        if self.execute(locked).first() is None:
            self.create_locked(s.enterprise_locks, {"enterprise": credit_code})
            self.execute(locked).one()
        self._locked.add(credit_code)

    def commit(self) -> None:
        """Commit; a later write in this unit of work starts a new transaction."""
        if self._tx is not None and self._tx.is_active:
            with translated():
                self._tx.commit()
        self._tx = None
        self._locked.clear()

    def rollback(self) -> None:
        """Discard everything not committed."""
        if self._tx is not None and self._tx.is_active:
            with translated():
                self._tx.rollback()
        self._tx = None
        self._locked.clear()


class _Repo:
    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def _bodies(self, statement: Executable, kind: type[Any]) -> list[Any]:
        return [codec.loads(row[0], kind) for row in self._uow.execute(statement)]

    def _one(self, table: Table, key: ColumnElement[bool], kind: type[Any]) -> Any:
        row = self._uow.execute(select(table.c.body).where(key)).first()
        return None if row is None else codec.loads(row[0], kind)

    def _add(self, table: Table, row: Mapping[str, Any], kind: str, key: str) -> None:
        if not self._uow.insert_if_new(table, row):
            raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} already exists")

    def _update(self, table: Table, key_column: str, row: Mapping[str, Any], kind: str) -> None:
        key = row[key_column]
        values = {k: v for k, v in row.items() if k != key_column}
        result = self._uow.execute(update(table).where(table.c[key_column] == key).values(**values))
        if result.rowcount == 0:
            raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} does not exist")


class _Reference(_Repo):
    def put_enterprise(self, enterprise: Enterprise) -> None:
        self._uow.upsert(s.enterprises, {"credit_code": enterprise.credit_code, "body": codec.dumps(enterprise)})

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        found: Enterprise | None = self._one(s.enterprises, s.enterprises.c.credit_code == credit_code, Enterprise)
        return found

    def put_department(self, department: Department) -> None:
        self._uow.upsert(s.departments, {"code": department.code, "body": codec.dumps(department)})

    def get_department(self, code: str) -> Department | None:
        found: Department | None = self._one(s.departments, s.departments.c.code == code, Department)
        return found

    def put_inspector(self, inspector: Inspector) -> None:
        self._uow.upsert(s.inspectors, {"id": inspector.id, "body": codec.dumps(inspector)})

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        found: Inspector | None = self._one(s.inspectors, s.inspectors.c.id == inspector_id, Inspector)
        return found

    def put_item(self, item: SupervisionItem) -> None:
        self._uow.upsert(s.items, {"code": item.code, "body": codec.dumps(item)})

    def get_item(self, code: str) -> SupervisionItem | None:
        found: SupervisionItem | None = self._one(s.items, s.items.c.code == code, SupervisionItem)
        return found

    def put_scenario(self, scenario: Scenario) -> None:
        self._uow.upsert(s.scenarios, {"code": scenario.code, "body": codec.dumps(scenario)})

    def get_scenario(self, code: str) -> Scenario | None:
        found: Scenario | None = self._one(s.scenarios, s.scenarios.c.code == code, Scenario)
        return found


class _Plans(_Repo):
    def add(self, plan: Plan) -> None:
        self._add(s.plans, _plan_row(plan), "plan", plan.id)

    def update(self, plan: Plan) -> None:
        self._update(s.plans, "id", _plan_row(plan), "plan")

    def get(self, plan_id: str) -> Plan | None:
        found: Plan | None = self._one(s.plans, s.plans.c.id == plan_id, Plan)
        return found

    def for_enterprise(self, enterprise: str) -> list[Plan]:
        t = s.plans
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.filed_at, t.c.id), Plan
        )


def _inspection_row(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.id, "enterprise": inspection.enterprise,
        "created_at": codec.micros(inspection.created_at), "status": inspection.status.value,
        "body": codec.dumps(inspection),
    }


class _Inspections(_Repo):
    def add(self, inspection: Inspection) -> None:
        self._add(s.inspections, _inspection_row(inspection), "inspection", inspection.id)

    def update(self, inspection: Inspection) -> None:
        self._update(s.inspections, "id", _inspection_row(inspection), "inspection")

    def get(self, inspection_id: str) -> Inspection | None:
        found: Inspection | None = self._one(s.inspections, s.inspections.c.id == inspection_id, Inspection)
        return found

    def for_enterprise(self, enterprise: str) -> list[Inspection]:
        t = s.inspections
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.created_at, t.c.id),
            Inspection,
        )


def _visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id, "inspection_id": visit.inspection_id,
        "checked_in_at": codec.micros(visit.checked_in_at), "body": codec.dumps(visit),
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
        "id": result.id, "enterprise": result.enterprise, "inspection_id": result.inspection_id,
        "item": result.item, "recorded_at": codec.micros(result.recorded_at),
        "body": codec.dumps(result),
    }


class _Results(_Repo):
    def add(self, result: ResultRecord) -> None:
        self._add(s.results, _result_row(result), "result", result.id)

    def update(self, result: ResultRecord) -> None:
        self._update(s.results, "id", _result_row(result), "result")

    def get(self, result_id: str) -> ResultRecord | None:
        found: ResultRecord | None = self._one(s.results, s.results.c.id == result_id, ResultRecord)
        return found

    def for_enterprise(
        self, enterprise: str, items: Sequence[str], since: pendulum.DateTime
    ) -> list[ResultRecord]:
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
        "id": rect.id, "enterprise": rect.enterprise, "state": rect.state.value,
        "deadline": codec.micros(rect.deadline), "opened_at": codec.micros(rect.opened_at),
        "body": codec.dumps(rect),
    }


class _Rectifications(_Repo):
    def add(self, rectification: Rectification) -> None:
        self._add(s.rectifications, _rectification_row(rectification), "rectification", rectification.id)

    def update(self, rectification: Rectification) -> None:
        self._update(s.rectifications, "id", _rectification_row(rectification), "rectification")

    def get(self, rectification_id: str) -> Rectification | None:
        found: Rectification | None = self._one(
            s.rectifications, s.rectifications.c.id == rectification_id, Rectification
        )
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
        found: Evaluation | None = self._one(
            s.evaluations, s.evaluations.c.inspection_id == inspection_id, Evaluation
        )
        return found

    def add_complaint(self, complaint: Complaint) -> None:
        row = {
            "id": complaint.id, "enterprise": complaint.enterprise,
            "at": codec.micros(complaint.at), "body": codec.dumps(complaint),
        }
        self._add(s.complaints, row, "complaint", complaint.id)

    def complaints(self, enterprise: str) -> list[Complaint]:
        t = s.complaints
        return self._bodies(
            select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.at, t.c.id), Complaint
        )


class _Outbox(_Repo):
    def add(self, notification: Notification) -> None:
        # Same key again (delivered or not): ignored, as the port says.
        self._uow.insert_if_new(
            s.outbox, {"key": notification.key, "delivered": False, "body": codec.dumps(notification)}
        )

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
            chunk = unique[start:start + _CHUNK]
            self._uow.execute(
                update(t).where(t.c.key.in_(chunk), t.c.delivered.is_(False)).values(delivered=True)
            )


class _Audit(_Repo):
    def append(self, record: AuditRecord) -> AuditEntry:
        head_t = s.audit_head
        head_q = select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == s.AUDIT_HEAD_ID)
        if self._uow.family != "sqlite":
            # The single head row is the chain's lock: appends queue here, never fork.
            head_q = head_q.with_for_update()
        head = self._uow.execute(head_q).first()
        if head is None:
            self._uow.create_locked(head_t, {"id": s.AUDIT_HEAD_ID, "seq": 0, "hash": GENESIS})
            head = self._uow.execute(head_q).one()
        entry = seal(record, int(head[0]) + 1, str(head[1]))
        self._uow.execute(
            s.audit_log.insert().values(
                seq=entry.seq, prev_hash=entry.prev_hash, hash=entry.hash, body=codec.dumps(entry)
            )
        )
        self._uow.execute(
            update(head_t).where(head_t.c.id == s.AUDIT_HEAD_ID).values(seq=entry.seq, hash=entry.hash)
        )
        return entry

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        t = s.audit_log
        return self._bodies(select(t.c.body).where(t.c.seq > after_seq).order_by(t.c.seq), AuditEntry)


# --------------------------------------------------------------------------- ledger


def _reservation_row(r: Reservation) -> dict[str, Any]:
    return {
        "id": r.id, "enterprise": r.enterprise, "department": r.department,
        "inspectors": codec.dumps(list(r.inspectors)), "kind": r.kind.value,
        "at": codec.micros(r.at), "state": r.state.value,
        "expires_at": None if r.expires_at is None else codec.micros(r.expires_at),
    }


def _reservation(row: Any) -> Reservation:
    return Reservation(
        id=row.id, enterprise=row.enterprise, department=row.department,
        inspectors=codec.loads(row.inspectors, list[str]), kind=row.kind,
        at=from_micros(int(row.at)), state=row.state,
        expires_at=None if row.expires_at is None else from_micros(int(row.expires_at)),
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
        if check.window is not None:
            width = codec.micros(request.at + check.window) - at
            spans.append((at - width + 1, at + width))
        elif check.bucket is not None:
            spans.append((codec.micros(check.bucket[0]), codec.micros(check.bucket[1])))
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


class SQLLedger:
    """The frequency ledger inside a unit of work (``uow.ledger``): transactional with it.

    ``check_and_reserve`` locks the enterprise (a no-op if the operation already did),
    reads the reservations that can count, applies
    :func:`jointinspect.rules.frequency.evaluate` and inserts — all in the unit of work's
    transaction, so the plan and its reservation commit or vanish together.
    """

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See :meth:`jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        self._uow.lock_enterprise(request.enterprise)
        t = s.reservations
        span = _relevant_span(request, checks)
        wanted: ColumnElement[bool] = t.c.id == request.id
        if span is not None:
            wanted = or_(wanted, (t.c.enterprise == request.enterprise) & (t.c.at >= span[0]) & (t.c.at < span[1]))
        rows = [_reservation(r) for r in self._uow.execute(select(t).where(wanted))]
        for row in rows:
            if row.id == request.id:
                # Idempotent: already counted; report nothing new.
                return LedgerDecision(row)
        decision = evaluate(rows, request, checks, now)
        if decision.reservation is not None:
            self._uow.execute(t.insert().values(**_reservation_row(request)))
        return decision

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.confirm` (the id is the key:
        ``enterprise`` is not needed)."""
        t = s.reservations
        self._uow.execute(
            update(t)
            .where(t.c.id == reservation_id, t.c.state != ReservationState.CONFIRMED.value)
            .values(state=ReservationState.CONFIRMED.value, expires_at=None)
        )

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See :meth:`jointinspect.ports.FrequencyLedger.release`."""
        self._uow.execute(delete(s.reservations).where(s.reservations.c.id == reservation_id))

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
        t = s.replay_keys
        until = codec.micros(expires_at)
        # Reuse an expired key; a concurrent consumer re-checks the condition after our
        # commit (row lock), so only one of them matches.
        reused = uow.execute(
            update(t).where(t.c.key == key, t.c.expires_at <= codec.micros(now)).values(expires_at=until)
        )
        if reused.rowcount:
            return True
        return uow.insert_if_new(t, {"key": key, "expires_at": until})


def count_rows(store: SQLStore, table: Table) -> int:
    """Rows in ``table`` (for tests and reports)."""
    with store.unit_of_work() as uow:
        return int(uow.execute(select(func.count()).select_from(table)).scalar_one())


def iter_tables() -> Iterator[Table]:
    """Every table of the schema, parents first."""
    yield from s.metadata.sorted_tables


__all__ = [
    "SQLLedger",
    "SQLReplayGuard",
    "SQLStandaloneLedger",
    "SQLStore",
    "SQLUnitOfWork",
]
