"""Ports: the contracts through which the core reaches time, storage, keys and messages.

Everything here is a `typing.Protocol`. Adapters implement them; the contract suite
in `jointinspect.testing` checks an implementation. Rules that must hold under
concurrency are single port operations that an adapter makes atomic
(`FrequencyLedger.check_and_reserve`, `ReplayGuard.consume`,
`AuditLog.append`, `UnitOfWork.lock_enterprise`); the core never reads a count
and then writes.

Rules every repository keeps (the contract suites `jointinspect.testing.contract`,
`~jointinspect.testing.bounded`, `~jointinspect.testing.ledger`,
`~jointinspect.testing.maintenance` and `~jointinspect.testing.notifier` check them;
docs/adapters.md lists them too):

* **Round trip.** A record read back equals the one written (attrs equality: every field,
  aware datetimes to the microsecond, tuples in their order, ``None`` kept as ``None``).
* **Add and update.** ``add`` of a key already stored, and ``update`` of a key not stored,
  raise `jointinspect.errors.IntegrityError` (a `StorageError`) and write nothing;
  ``put_*`` of reference data inserts or replaces. ``add`` of a plan whose (department,
  ``idempotency_key``) another plan holds raises `IntegrityError` too.
* **Unknown keys.** ``get`` of an unknown key returns ``None``; a listing for an unknown
  enterprise, inspection or key returns ``[]`` (never raises).
* **Order.** Every listing has a stated order, and ties on the ordering instant break by
  ``id`` ascending (``reservations``: by ``(at, id)``). "Filing order" is ``(filed_at, id)``;
  "oldest first" means by the record's own instant, then ``id``; the outbox alone keeps
  insertion order.
* **Pages.** ``limit``/``offset`` cut the ordered listing: ``limit=None`` is all, an
  ``offset`` past the end gives ``[]``; pages concatenate to the whole listing.
* **Transactions.** A unit of work sees its own uncommitted writes; leaving its ``with``
  block without `UnitOfWork.commit` (or by an exception) discards every write of it —
  records, audit entries, outbox rows and their delivery marks, and the store's own
  ledger's reservations.

The protocols live in modules named for what they hold, and are imported from here:
`~jointinspect.ports.services` (clock, keys, notifier, replay guard, anchor sink,
authorizer), `~jointinspect.ports.ledger`, `~jointinspect.ports.reference`,
`~jointinspect.ports.records` (plans, inspections, visits, results, rectifications,
feedback), `~jointinspect.ports.durability` (outbox, audit log),
`~jointinspect.ports.oversight` and `~jointinspect.ports.fieldwork` (issue 12),
`~jointinspect.ports.listing`, `~jointinspect.ports.licences`,
`~jointinspect.ports.penalties`, `~jointinspect.ports.period` and
`~jointinspect.ports.unit` (`UnitOfWork`, `Store`).
"""

from __future__ import annotations

from jointinspect.ports.durability import AuditLog, Outbox, StagedAppends
from jointinspect.ports.fieldwork import OfflineRepository, QuietSlotRepository, SpotCheckRepository
from jointinspect.ports.ledger import FrequencyLedger, PreloadingLedger
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
from jointinspect.ports.services import AnchorSink, Authorizer, Clock, KeyStore, Notifier, ReplayGuard
from jointinspect.ports.unit import DeferrableChecks, Store, UnitOfWork

# In the order the reference page documents them (the order they were written in).
__all__ = [  # noqa: RUF022
    "Clock",
    "KeyStore",
    "Notifier",
    "ReplayGuard",
    "FrequencyLedger",
    "PreloadingLedger",
    "DeferrableChecks",
    "ReferenceRepository",
    "PlanRepository",
    "InspectionRepository",
    "VisitRepository",
    "ResultRepository",
    "RectificationRepository",
    "FeedbackRepository",
    "Outbox",
    "AuditLog",
    "AnchorSink",
    "Authorizer",
    "EnforcementLoopRepository",
    "InspectorWatchRepository",
    "ConflictRepository",
    "UnitOfWork",
    "Store",
    "SpotCheckRepository",
    "QuietSlotRepository",
    "OfflineRepository",
    "ListingRepository",
    "LicenceRepository",
    "PenaltyRepository",
    "LegalReviewRepository",
    "PeriodRepository",
    "StagedAppends",
]
