"""What the unit of work, the repositories, the ledgers and the replay guard use of a store
and of a unit of work.

Structural types, so that those modules need not import :mod:`~jointinspect_sqlalchemy.store`
or :mod:`~jointinspect_sqlalchemy.unit_of_work` (which import them): imports run one way.
:class:`~jointinspect_sqlalchemy.store.SQLStore` and
:class:`~jointinspect_sqlalchemy.unit_of_work.SQLUnitOfWork` satisfy them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from sqlalchemy import Engine, Table
from sqlalchemy.sql import ClauseElement, Executable

from jointinspect.rules.frequency import Reservation
from jointinspect_sqlalchemy.prepared import Prepared

if TYPE_CHECKING:
    from jointinspect_sqlalchemy.bodies import WrittenBodies
    from jointinspect_sqlalchemy.checkpoint import Checkpointer
    from jointinspect_sqlalchemy.held import HeldWrites


class StatementCache(Protocol):
    """Statements compiled once per store (:meth:`SQLStore.statement`)."""

    def statement(
        self, key: Hashable, build: Callable[[], ClauseElement], columns: Sequence[str] | None = None
    ) -> Prepared:
        """The statement ``build()`` makes, compiled for this store's database once."""
        ...

    @property
    def _bodies(self) -> WrittenBodies:
        """The plans and visits bulk chunks wrote, with their body text (see bodies.py)."""
        ...


class UnitOfWorkView(Protocol):
    """A unit of work as its repositories, ledger and replay guard use it."""

    @property
    def _store(self) -> StatementCache: ...

    @property
    def family(self) -> str:
        """``"sqlite"``, ``"postgresql"`` or ``"mysql"``."""
        ...

    #: what a repository read once in this transaction (cleared when it ends)
    memo: dict[str, Any]
    #: the enterprises whose locks this transaction holds
    _locked: set[str]

    def execute(self, statement: Executable, params: Any = None) -> Any:
        """Execute inside this unit of work through SQLAlchemy Core."""
        ...

    def run(self, statement: Prepared, params: Mapping[str, Any]) -> Any:
        """Execute a prepared statement on the driver's cursor; return the cursor."""
        ...

    def run_many(self, statement: Prepared, args: Sequence[Any]) -> Any:
        """``executemany`` of a prepared statement (``args`` from :meth:`Prepared.args`);
        return the cursor."""
        ...

    def copy_rows(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL only: insert ``rows`` (values of ``columns``) with one ``COPY``."""
        ...

    def defer(self, statement: Prepared, params: Mapping[str, Any]) -> None:
        """Execute a write whose result nobody reads, perhaps with the next round trip."""
        ...

    def insert_new(self, table: Table, row: Mapping[str, Any]) -> bool:
        """Insert ``row`` unless its key exists; ``True`` when inserted."""
        ...

    def insert_checked(self, table: Table, row: Mapping[str, Any], refusal: Callable[[], Exception]) -> None:
        """Insert ``row``; ``refusal()`` is raised if its key exists (perhaps later)."""
        ...

    def update_checked(self, statement: Prepared, params: Mapping[str, Any], refusal: Callable[[], Exception]) -> None:
        """Run an update by key; ``refusal()`` is raised if it changed no row (perhaps later)."""
        ...

    def upsert(self, table: Table, row: Mapping[str, Any]) -> None:
        """Insert ``row`` or replace the row with its key."""
        ...

    def create_locked(self, table: Table, row: Mapping[str, Any]) -> None:
        """Create ``row`` if missing, leaving it locked by this transaction."""
        ...

    def lock_enterprise(self, credit_code: str) -> None:
        """Serialise with every other transaction locking ``credit_code``."""
        ...

    #: writes held until the next statement or the commit (``None``: written at once)
    held: HeldWrites | None

    def send_held(self) -> None:
        """Send the held writes now; a refused one raises."""
        ...

    @property
    def ledger_rows(self) -> LedgerRows:
        """Reservations the ledger preloaded in this transaction."""
        ...


class LedgerRows:
    """Reservations a ledger preloaded in one transaction (see
    :meth:`jointinspect_sqlalchemy.ledger.SQLLedger.preload`): per enterprise, every one
    at or after ``since`` (microseconds; ``None``: all), by id, and each one's enterprise
    by id (a written id is found at once)."""

    __slots__ = ("homes", "rows", "since")

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Reservation]] = {}
        self.since: dict[str, int | None] = {}
        self.homes: dict[str, str] = {}

    def clear(self) -> None:
        """Forget them (the transaction ended: its locks are gone)."""
        self.rows.clear()
        self.since.clear()
        self.homes.clear()


class ManagedUnitOfWork(UnitOfWorkView, Protocol):
    """A unit of work used as a ``with`` block and committed."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Commit."""
        ...


class UnitOfWorkSource(Protocol):
    """A store as its standalone ledger and replay guard use it."""

    def unit_of_work(self) -> ManagedUnitOfWork:
        """A fresh unit of work."""
        ...

    def _active(self) -> UnitOfWorkView | None: ...


class StoreState(StatementCache, Protocol):
    """A store as its units of work use it: the engine and what was decided about it once."""

    @property
    def engine(self) -> Engine:
        """The engine units of work connect with."""
        ...

    @property
    def family(self) -> str:
        """``"sqlite"``, ``"postgresql"`` or ``"mysql"``."""
        ...

    @property
    def _memory_lock(self) -> threading.RLock | None: ...

    @property
    def _local(self) -> threading.local: ...

    @property
    def _batching(self) -> bool: ...

    def _active(self) -> UnitOfWorkView | None: ...

    @property
    def _checkpointer(self) -> Checkpointer | None:
        """SQLite file in WAL mode: where bulk chunks' commits checkpoint (see checkpoint.py)."""
        ...
