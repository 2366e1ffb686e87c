"""The in-memory adapter: every port, thread-safe, for tests, scripts and quick starts.

A `MemoryStore` keeps tables of immutable values. A unit of work holds the store's
lock from ``__enter__`` to ``__exit__`` (so operations are serialised, which also satisfies
``lock_enterprise``) and journals every write; rollback replays the journal backwards.
Nothing survives the process: use the SQL adapter for records of legal weight.
"""

from jointinspect.memory._tables import AuditRow
from jointinspect.memory.ledger import MemoryLedger
from jointinspect.memory.store import MemoryReplayGuard, MemoryStore, MemoryUnitOfWork

__all__ = ["AuditRow", "MemoryLedger", "MemoryReplayGuard", "MemoryStore", "MemoryUnitOfWork"]
