"""The unit of work (one operation's transaction and its repositories) and the store
that makes units of work.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from jointinspect.ports.durability import AuditLog, Outbox
from jointinspect.ports.fieldwork import OfflineRepository, QuietSlotRepository, SpotCheckRepository
from jointinspect.ports.ledger import FrequencyLedger
from jointinspect.ports.licences import LicenceRepository
from jointinspect.ports.listing import ListingRepository
from jointinspect.ports.oversight import ConflictRepository, EnforcementLoopRepository, InspectorWatchRepository
from jointinspect.ports.penalties import LegalReviewRepository, PenaltyRepository
from jointinspect.ports.period import PeriodRepository
from jointinspect.ports.records import (
    FeedbackRepository,
    InspectionRepository,
    PlanRepository,
    RectificationRepository,
    ResultRepository,
    VisitRepository,
)
from jointinspect.ports.reference import ReferenceRepository
from jointinspect.ports.services import ReplayGuard


class UnitOfWork(Protocol):
    """One operation's transaction: every repository sees and writes the same state;
    nothing is visible to others before `commit`; leaving the ``with`` block without
    committing rolls back."""

    @property
    def reference(self) -> ReferenceRepository:
        """Reference data."""
        ...

    @property
    def plans(self) -> PlanRepository:
        """Plans."""
        ...

    @property
    def inspections(self) -> InspectionRepository:
        """Inspections."""
        ...

    @property
    def visits(self) -> VisitRepository:
        """Check-ins and check-outs."""
        ...

    @property
    def results(self) -> ResultRepository:
        """Results."""
        ...

    @property
    def rectifications(self) -> RectificationRepository:
        """Rectifications."""
        ...

    @property
    def feedback(self) -> FeedbackRepository:
        """Ratings and complaints."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The notification outbox."""
        ...

    @property
    def audit(self) -> AuditLog:
        """The audit log."""
        ...

    @property
    def ledger(self) -> FrequencyLedger:
        """The store's own frequency ledger, transactional with this unit of work."""
        ...

    @property
    def enforcement_loop(self) -> EnforcementLoopRepository:
        """Steps of the guidance-penalty-assistance loop."""
        ...

    @property
    def watch(self) -> InspectorWatchRepository:
        """Runs of no-finding inspections (the inefficient-inspection watch)."""
        ...

    @property
    def conflicts(self) -> ConflictRepository:
        """Conflicting standards flagged on inspections."""
        ...

    @property
    def spot_checks(self) -> SpotCheckRepository:
        """Random spot-check draws and declared conflicts of interest (issue 12)."""
        ...

    @property
    def quiet_slots(self) -> QuietSlotRepository:
        """Enterprises' quiet slots (issue 12)."""
        ...

    @property
    def offline(self) -> OfflineRepository:
        """Inspectors' device keys and the offline check-ins filled in (issue 12)."""
        ...

    @property
    def listing(self) -> ListingRepository:
        """The operator's listings (issue 11)."""
        ...

    @property
    def licences(self) -> LicenceRepository:
        """Licences and the expiry warnings sent for them (issue 12)."""
        ...

    @property
    def penalties(self) -> PenaltyRepository:
        """Penalty decisions and their credit repair (issue 12)."""
        ...

    @property
    def legal_reviews(self) -> LegalReviewRepository:
        """Legal reviews of major decisions (issue 12)."""
        ...

    @property
    def period(self) -> PeriodRepository:
        """A period's records, read whole for reports (issue 13)."""
        ...

    def lock_enterprise(self, credit_code: str) -> None:
        """Serialise this transaction with every other one that locks the same enterprise,
        until commit or rollback (filing, approval and merging call it first). Locking an
        enterprise not registered (yet) works; locking one twice in a unit of work is a
        no-op. With it, racing filings for one window get exactly one planned visit."""
        ...

    def lock_enterprises(self, credit_codes: Sequence[str]) -> None:
        """`lock_enterprise` for each of ``credit_codes``, taken in credit-code order (so
        two callers locking overlapping sets never wait on each other in a cycle), with
        as few round trips as the store allows (bulk filing locks a chunk's enterprises,
        issue 11). Codes already locked in this unit of work, and repeats, are no-ops."""
        ...

    def commit(self) -> None:
        """Make every change of this unit of work durable and visible."""
        ...

    def rollback(self) -> None:
        """Discard every change of this unit of work."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """A storage backend: a factory of units of work, plus its replay guard."""

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work (one per operation; never shared between threads)."""
        ...

    def replay_guard(self) -> ReplayGuard:
        """The store's replay guard for one-time codes."""
        ...

    def close(self) -> None:
        """Release what the store opened (not what it was given)."""
        ...


@runtime_checkable
class DeferrableChecks(Protocol):
    """A unit of work that can report a write's refusal later (optional; issue 11), so it
    can send many writes at once instead of waiting on each."""

    def defer_checks(self) -> None:
        """From now until this unit of work commits or rolls back, the `IntegrityError`
        of an add whose id exists, or of an update with nothing to update, may be raised
        by a later call of this unit of work or by its commit (never after a commit)
        instead of by the write itself; the unit of work may then also hold its writes
        and send them together, at the latest before its next read or its commit (every
        read sees them, and what it commits is what writing them one by one leaves).
        Bulk filing asks for it: on any storage error it files the chunk again one
        request at a time, each in its own unit of work."""
        ...
