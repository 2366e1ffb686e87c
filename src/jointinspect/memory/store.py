"""The memory store and its unit of work."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

import pendulum

from jointinspect.memory._tables import (
    Journal,
    _Table,
    _Tables,
    undo_all,
)
from jointinspect.memory.durability import _Audit, _Outbox
from jointinspect.memory.ledger import _Ledger
from jointinspect.memory.licences import _Licences
from jointinspect.memory.listing import _Listing
from jointinspect.memory.offline import _Offline
from jointinspect.memory.oversight import _Conflicts, _EnforcementLoop, _Watch
from jointinspect.memory.penalties import _LegalReviews, _Penalties
from jointinspect.memory.period import _Period
from jointinspect.memory.quiet_slots import _QuietSlots
from jointinspect.memory.records import _Feedback, _Inspections, _Plans, _Rectifications, _Reference, _Results, _Visits
from jointinspect.memory.spot_checks import _SpotChecks


class MemoryUnitOfWork:
    """A unit of work over a `MemoryStore` (see the module docstring)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._journal: Journal = []
        t, j = store._tables, self._journal
        self.reference = _Reference(t, j)
        self.plans = _Plans(t, j)
        self.inspections = _Inspections(t, j)
        self.visits = _Visits(t, j)
        self.results = _Results(t, j)
        self.rectifications = _Rectifications(t, j)
        self.feedback = _Feedback(t, j)
        self.outbox = _Outbox(t, j)
        self.audit = _Audit(t, j)
        self.ledger = _Ledger(t, j)
        self.enforcement_loop = _EnforcementLoop(t, j)
        self.watch = _Watch(t, j)
        self.conflicts = _Conflicts(t, j)
        self.spot_checks = _SpotChecks(t, j)
        self.quiet_slots = _QuietSlots(t, j)
        self.offline = _Offline(t, j)
        self.listing = _Listing(t, j)
        self.licences = _Licences(t, j)
        self.penalties = _Penalties(t, j)
        self.legal_reviews = _LegalReviews(t, j)
        self.period = _Period(t, j)

    def __enter__(self) -> Self:
        self._store._lock.acquire()
        self._outer = getattr(self._store._active, "uow", None)
        self._store._active.uow = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._store._active.uow = self._outer
            self._store._lock.release()

    def lock_enterprise(self, credit_code: str) -> None:
        """No-op: the whole store is already locked by this unit of work."""

    def lock_enterprises(self, credit_codes: Sequence[str]) -> None:
        """No-op, as `lock_enterprise`."""

    def commit(self) -> None:
        """Keep every change (forget the journal)."""
        self._journal.clear()

    def rollback(self) -> None:
        """Undo every change not yet committed, newest first."""
        undo_all(self._journal)


class MemoryReplayGuard:
    """One-time keys with their expiry; expired keys may be used again.

    A store's guard joins the unit of work open in the calling thread, if any, so that a
    check-in that fails after consuming its code leaves the code unused (as the SQL guard
    does); otherwise each call stands alone.
    """

    def __init__(self, store: MemoryStore | None = None) -> None:
        self._store = store
        self._lock: threading.RLock | threading.Lock = store._lock if store else threading.Lock()
        self._keys: _Table[str, pendulum.DateTime] = store._tables.replay_keys if store else _Table()

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """See `jointinspect.ports.ReplayGuard.consume`."""
        with self._lock:
            seen = self._keys.rows.get(key)
            if seen is not None and seen > now:
                return False
            active = getattr(self._store._active, "uow", None) if self._store else None
            journal: Journal = active._journal if active is not None else []
            self._keys.put(journal, key, expires_at)
            return True

    def prune(self, before: pendulum.DateTime) -> int:
        """Forget keys that expired at or before ``before``; return how many."""
        with self._lock:
            active = getattr(self._store._active, "uow", None) if self._store else None
            journal: Journal = active._journal if active is not None else []
            doomed = [k for k, expires in self._keys.rows.items() if expires <= before]
            for key in doomed:
                self._keys.delete(journal, key)
            return len(doomed)


class MemoryStore:
    """The in-memory store: the default for tests and quick starts."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables = _Tables()
        self._active = threading.local()  # the unit of work open in each thread
        self._guard = MemoryReplayGuard(self)

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A fresh unit of work; use it in a ``with`` block."""
        return MemoryUnitOfWork(self)

    def replay_guard(self) -> MemoryReplayGuard:
        """The store's replay guard."""
        return self._guard

    def close(self) -> None:
        """Nothing to release."""


if TYPE_CHECKING:
    # mypy holds the adapter to the ports: a missing or mistyped member fails the type check.
    from jointinspect.ports import Store, UnitOfWork

    _STORE: type[Store] = MemoryStore
    _UNIT: type[UnitOfWork] = MemoryUnitOfWork
