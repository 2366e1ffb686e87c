"""The SQL store: every port of :mod:`jointinspect.ports` over one SQLAlchemy engine.

:class:`SQLStore` owns the engine (made from a URL, or a caller's ready one), the dialect
family and its capability flags (decided once, here), and the cache of statements compiled
for that engine. Each port lives in its own module: the unit of work and its transaction
(:mod:`~jointinspect_sqlalchemy.unit_of_work`), the repositories
(:mod:`~jointinspect_sqlalchemy.repositories`), the frequency ledgers
(:mod:`~jointinspect_sqlalchemy.ledger`) and the replay guard
(:mod:`~jointinspect_sqlalchemy.guard`). Behaviour mirrors
:class:`jointinspect.memory.MemoryStore` — ordering, idempotency, ``IntegrityError`` on a
duplicate add or a missing update — and the shared contract suite checks it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import URL, Engine, Table, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ClauseElement

from jointinspect.errors import ValidationError
from jointinspect.model.plan import Plan
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.bodies import WrittenBodies
from jointinspect_sqlalchemy.checkpoint import Checkpointer
from jointinspect_sqlalchemy.dialects import configure_sqlite, family
from jointinspect_sqlalchemy.durability import check_durability
from jointinspect_sqlalchemy.errors import translated
from jointinspect_sqlalchemy.guard import SQLReplayGuard
from jointinspect_sqlalchemy.ledger import (
    SQLLedger,
    SQLStandaloneLedger,
    _reservation_row,  # noqa: F401 - benchmarks/sql_store.py imports it from here
)
from jointinspect_sqlalchemy.migrate import upgrade
from jointinspect_sqlalchemy.prepared import Prepared, prepare
from jointinspect_sqlalchemy.repositories.plans import _PLAN_COLUMNS, _plan_row
from jointinspect_sqlalchemy.unit_of_work import SQLUnitOfWork


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
        durability: PostgreSQL only: at open, check that a committed plan survives a crash
            and a failover (``synchronous_commit``; see docs/production.md). ``"warn"``
            issues a :class:`~jointinspect_sqlalchemy.durability.DurabilityWarning`,
            ``"strict"`` raises :class:`~jointinspect_sqlalchemy.durability.DurabilityError`,
            ``"off"`` skips the check.
    """

    def __init__(
        self,
        url_or_engine: str | URL | Engine,
        *,
        create: bool = False,
        busy_timeout: float = 30.0,
        durability: Literal["warn", "strict", "off"] = "warn",
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
        #: SQLite file in WAL mode: bulk chunks' commits alternate their checkpoints with a
        #: thread of this store (started on first use, stopped by `close`).
        self._checkpointer: Checkpointer | None = None
        self._stop_checkpoints: weakref.finalize[[], SQLStore] | None = None
        if self.family == "sqlite":
            with translated():
                wal = configure_sqlite(engine, int(busy_timeout * 1000))
            path = engine.url.database
            if wal and path and not engine.url.query and not path.startswith("file:"):
                self._checkpointer = Checkpointer(path)
                # a store dropped without close stops its thread too (it holds no reference to the store)
                self._stop_checkpoints = weakref.finalize(self, self._checkpointer.close)
        elif engine.get_execution_options().get("isolation_level") != "READ COMMITTED" and not self._owned:
            # A caller's engine: set the isolation per connection (lock-then-read needs it).
            engine = engine.execution_options(isolation_level="READ COMMITTED")
        self.engine: Engine = engine
        self._local = threading.local()
        self._prepared: dict[Hashable, Prepared] = {}
        #: plans and visits bulk chunks wrote, so their preloads need not decode them again
        self._bodies = WrittenBodies()
        #: psycopg 3: writes whose result nobody reads are sent with the next statement
        #: that needs one, or with COMMIT (see SQLUnitOfWork.defer).
        self._batching = self.family == "postgresql" and engine.dialect.driver == "psycopg"
        if durability not in ("warn", "strict", "off"):
            raise ValidationError(
                "input.not_member",
                field="durability",
                value=durability,
                enum_en="durability mode",
                enum_zh="持久性模式",
                accepted="warn, strict, off",
            )
        if self.family == "postgresql" and durability != "off":
            with translated(), self.engine.connect() as connection:
                check_durability(connection, self.family, strict=durability == "strict")
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
        """Stop the checkpoint thread, if it ran; dispose the engine if this store created it."""
        if self._checkpointer is not None:
            self._checkpointer.close()
        if self._stop_checkpoints is not None:
            self._stop_checkpoints.detach()  # nothing left for collecting the store to stop
        self._bodies.clear()
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

if TYPE_CHECKING:
    # mypy holds the adapter to the ports: a missing or mistyped member fails the type check.
    from jointinspect.ports import Store, UnitOfWork

    _STORE: type[Store] = SQLStore
    _UNIT: type[UnitOfWork] = SQLUnitOfWork
