"""A custom `Store`: reference data in SQLite (standard-library ``sqlite3``, JSON bodies),
every other repository delegated to the in-memory store.

Written from the port contracts (``jointinspect.ports`` and docs/adapters.md):

* ``put_*`` inserts or replaces by key; ``get_*`` returns ``None`` for an unknown key; a
  record read back equals the one written (here: cattrs to JSON and back).
* One unit of work is one transaction over both halves: its reads see its own writes,
  `commit` makes both durable, leaving the ``with`` block without committing rolls both back.
* Units of work are serialised by the in-memory store's lock (taken on entering), so
  ``lock_enterprise`` has nothing left to do, as in the in-memory store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import cattrs.preconf.json

from jointinspect.memory import MemoryStore
from jointinspect.memory.store import MemoryReplayGuard, MemoryUnitOfWork
from jointinspect.model.reference import CreditClass, Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.ports import (
    AuditLog,
    ConflictRepository,
    EnforcementLoopRepository,
    FeedbackRepository,
    FrequencyLedger,
    InspectionRepository,
    InspectorWatchRepository,
    LegalReviewRepository,
    LicenceRepository,
    ListingRepository,
    OfflineRepository,
    Outbox,
    PenaltyRepository,
    PeriodRepository,
    PlanRepository,
    QuietSlotRepository,
    RectificationRepository,
    ResultRepository,
    SpotCheckRepository,
    VisitRepository,
)

T = TypeVar("T")

_json = cattrs.preconf.json.make_converter()
_SCHEMA = "CREATE TABLE IF NOT EXISTS reference (kind TEXT, key TEXT, body TEXT, PRIMARY KEY (kind, key))"


class SQLiteReference:
    """`jointinspect.ports.ReferenceRepository` on one SQLite connection (inside its transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _put(self, kind: str, key: str, value: object) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO reference (kind, key, body) VALUES (?, ?, ?)", (kind, key, _json.dumps(value))
        )

    def _get(self, kind: str, key: str, cls: type[T]) -> T | None:
        row = self._conn.execute("SELECT body FROM reference WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return None if row is None else _json.loads(row[0], cls)

    def put_enterprise(self, enterprise: Enterprise) -> None:
        """Insert or replace an enterprise."""
        self._put("enterprise", enterprise.credit_code, enterprise)

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        """One enterprise by credit code, or ``None``."""
        return self._get("enterprise", credit_code, Enterprise)

    def get_enterprises(self, credit_codes: Sequence[str]) -> dict[str, Enterprise]:
        """The registered enterprises among ``credit_codes``, by code."""
        found = {code: self.get_enterprise(code) for code in credit_codes}
        return {code: enterprise for code, enterprise in found.items() if enterprise is not None}

    def put_department(self, department: Department) -> None:
        """Insert or replace a department."""
        self._put("department", department.code, department)

    def get_department(self, code: str) -> Department | None:
        """One department by code, or ``None``."""
        return self._get("department", code, Department)

    def put_inspector(self, inspector: Inspector) -> None:
        """Insert or replace an inspector."""
        self._put("inspector", inspector.id, inspector)

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        """One inspector by id, or ``None``."""
        return self._get("inspector", inspector_id, Inspector)

    def put_item(self, item: SupervisionItem) -> None:
        """Insert or replace a supervision item."""
        self._put("item", item.code, item)

    def get_item(self, code: str) -> SupervisionItem | None:
        """One supervision item by code, or ``None``."""
        return self._get("item", code, SupervisionItem)

    def put_scenario(self, scenario: Scenario) -> None:
        """Insert or replace a scenario."""
        self._put("scenario", scenario.code, scenario)

    def get_scenario(self, code: str) -> Scenario | None:
        """One scenario by code, or ``None``."""
        return self._get("scenario", code, Scenario)


class HybridListing:
    """`jointinspect.ports.ListingRepository`: enterprises from SQLite (they live there), every
    other listing from the in-memory store's."""

    def __init__(self, conn: sqlite3.Connection, memory: ListingRepository) -> None:
        self._conn = conn
        self._memory = memory

    def enterprises(
        self, groups: Sequence[tuple[CreditClass, bool]] | None, limit: int, offset: int
    ) -> list[Enterprise]:
        """Enterprises whose ``(credit_class, whitelisted)`` is in ``groups``, by credit code.

        A table of JSON bodies cannot filter in SQL, so this reads every enterprise: fine for
        a city's reference data in an example, not for a hot path (index the columns instead).
        """
        rows = self._conn.execute("SELECT body FROM reference WHERE kind = 'enterprise' ORDER BY key").fetchall()
        wanted = None if groups is None else set(groups)
        found = [e for (body,) in rows if (e := _json.loads(body, Enterprise))]
        kept = [e for e in found if wanted is None or (e.credit_class, e.whitelisted) in wanted]
        return kept[offset : offset + limit]

    def __getattr__(self, name: str) -> Any:
        # plans, inspections, results, rectifications, complaints, evaluations, outbox, audit
        return getattr(self._memory, name)


class HybridUnitOfWork:
    """One transaction over the SQLite reference data and the in-memory records."""

    def __init__(self, store: HybridStore) -> None:
        self._store = store
        self._memory: MemoryUnitOfWork = store.memory.unit_of_work()
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> Self:
        self._memory.__enter__()  # takes the in-memory store's lock: units run one at a time
        self._conn = sqlite3.connect(self._store.path, isolation_level=None)
        self._conn.execute("BEGIN")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._conn is not None:
                self._conn.execute("ROLLBACK")  # whatever was not committed
                self._conn.close()
                self._conn = None
        finally:
            self._memory.__exit__(exc_type, exc, tb)  # rolls back its journal, releases the lock

    @property
    def reference(self) -> SQLiteReference:
        """Reference data, in SQLite."""
        assert self._conn is not None, "use the unit of work in a with block"
        return SQLiteReference(self._conn)

    # The rest is the in-memory store's, in the same unit of work.

    @property
    def plans(self) -> PlanRepository:
        """Plans."""
        return self._memory.plans

    @property
    def inspections(self) -> InspectionRepository:
        """Inspections."""
        return self._memory.inspections

    @property
    def visits(self) -> VisitRepository:
        """Check-ins."""
        return self._memory.visits

    @property
    def results(self) -> ResultRepository:
        """Results."""
        return self._memory.results

    @property
    def rectifications(self) -> RectificationRepository:
        """Rectifications."""
        return self._memory.rectifications

    @property
    def feedback(self) -> FeedbackRepository:
        """Ratings and complaints."""
        return self._memory.feedback

    @property
    def outbox(self) -> Outbox:
        """The notification outbox."""
        return self._memory.outbox

    @property
    def audit(self) -> AuditLog:
        """The audit log."""
        return self._memory.audit

    @property
    def ledger(self) -> FrequencyLedger:
        """The frequency ledger, transactional with this unit of work."""
        return self._memory.ledger

    @property
    def listing(self) -> HybridListing:
        """The operator's listings: enterprises from SQLite, the rest from memory."""
        assert self._conn is not None, "use the unit of work in a with block"
        return HybridListing(self._conn, self._memory.listing)

    @property
    def enforcement_loop(self) -> EnforcementLoopRepository:
        """Guidance, penalty and assistance steps."""
        return self._memory.enforcement_loop

    @property
    def watch(self) -> InspectorWatchRepository:
        """Runs of no-finding inspections."""
        return self._memory.watch

    @property
    def conflicts(self) -> ConflictRepository:
        """Conflicting standards flagged on inspections."""
        return self._memory.conflicts

    @property
    def spot_checks(self) -> SpotCheckRepository:
        """Random spot-check draws and declared conflicts of interest."""
        return self._memory.spot_checks

    @property
    def quiet_slots(self) -> QuietSlotRepository:
        """Enterprises' quiet slots."""
        return self._memory.quiet_slots

    @property
    def offline(self) -> OfflineRepository:
        """Device keys and offline check-ins."""
        return self._memory.offline

    @property
    def licences(self) -> LicenceRepository:
        """Licences and their expiry warnings."""
        return self._memory.licences

    @property
    def penalties(self) -> PenaltyRepository:
        """Penalty decisions and their credit repair."""
        return self._memory.penalties

    @property
    def legal_reviews(self) -> LegalReviewRepository:
        """Legal reviews of major decisions."""
        return self._memory.legal_reviews

    @property
    def period(self) -> PeriodRepository:
        """A period's records for reports (no reference data among them)."""
        return self._memory.period

    def lock_enterprise(self, credit_code: str) -> None:
        """Nothing to do: units of work already run one at a time."""

    def lock_enterprises(self, credit_codes: Sequence[str]) -> None:
        """Nothing to do, as `lock_enterprise`."""

    def commit(self) -> None:
        """Make both halves durable; later writes start a new transaction."""
        assert self._conn is not None
        self._conn.execute("COMMIT")
        self._memory.commit()
        self._conn.execute("BEGIN")

    def rollback(self) -> None:
        """Discard both halves' uncommitted writes."""
        assert self._conn is not None
        self._conn.execute("ROLLBACK")
        self._memory.rollback()
        self._conn.execute("BEGIN")


class HybridStore:
    """A `jointinspect.ports.Store`: reference data in the SQLite file ``path``, the rest in memory."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.memory = MemoryStore()
        with sqlite3.connect(self.path) as conn:
            conn.execute(_SCHEMA)
        self._guard = MemoryReplayGuard(self.memory)

    def unit_of_work(self) -> HybridUnitOfWork:
        """A fresh unit of work (use it in a ``with`` block)."""
        return HybridUnitOfWork(self)

    def replay_guard(self) -> MemoryReplayGuard:
        """One-time keys, in memory (joining the unit of work open in this thread)."""
        return self._guard

    def close(self) -> None:
        """Nothing held open between units of work."""


if TYPE_CHECKING:
    # mypy holds the example to the ports: a port member it lacks fails the type check.
    from jointinspect.ports import Store, UnitOfWork

    _STORE: type[Store] = HybridStore
    _UNIT: type[UnitOfWork] = HybridUnitOfWork
