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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import pendulum
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jointinspect.audit import Anchor, AuditEntry, AuditHead, AuditRecord
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.guidance import LoopStep
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification
from jointinspect.model.offline import DeviceKey, OfflineCheckIn
from jointinspect.model.penalty import LegalReview, Penalty, PenaltyKind
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import (
    CreditClass,
    Department,
    Enterprise,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import ResultRecord
from jointinspect.model.spot_check import Conflict, SpotCheckRecord
from jointinspect.model.visit import Visit
from jointinspect.model.watch import InspectorStreak
from jointinspect.rules.frequency import LedgerDecision, Reservation, RuleCheck


@runtime_checkable
class Clock(Protocol):
    """The source of 'now'. Injected everywhere so that no rule reads the wall clock."""

    def now(self) -> pendulum.DateTime:
        """The current instant, aware, in UTC."""
        ...


class KeyStore(Protocol):
    """Signing keys for codes. Old public keys stay available after rotation."""

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The current key id and private key used to sign new codes; raise
        `jointinspect.errors.JointInspectError` ``keys.no_signing_key`` when none is current."""
        ...

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The public key for ``key_id``, or ``None`` if unknown or revoked. Keys rotated out
        (or retired) still answer here: codes they signed verify until they expire."""
        ...


class Notifier(Protocol):
    """Delivers notifications (SMS, message bus, in-app...).

    Delivery is at least once: an implementation must treat a second ``send`` with the same
    ``notification.key`` as a no-op (the receiving side applies each key once, even when the
    relay re-sends after a crash). It accepts every kind in
    `jointinspect.notices.CATALOGUE`. To have a notification retried, ``send`` raises (any
    exception): the outbox row stays pending and is offered again after a backoff
    (`jointinspect.testing.notifier.NotifierContract`).
    """

    def send(self, notification: Notification) -> None:
        """Deliver one notification; raise to have it retried later."""
        ...


class ReplayGuard(Protocol):
    """Remembers one-time keys (code id + inspector) until they expire."""

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """Atomically mark ``key`` used until ``expires_at``; ``True`` the first time,
        ``False`` while it is still in use (``now < expires_at``). ``now`` is the injected
        clock's instant (a server-side TTL is ``expires_at - now``); from ``expires_at`` on
        the key may be used again. Keys are independent of each other; among racing calls
        with one key exactly one gets ``True``. The bundled stores' guards join the unit of
        work open in the calling thread, so a rolled-back check-in leaves its key unused."""
        ...

    def prune(self, before: pendulum.DateTime) -> int:
        """Forget keys that expired at or before ``before`` (a maintenance step; a key
        whose expiry passed may be used again anyway); keys still live are kept. Returns
        how many were removed (0 when none)."""
        ...


class FrequencyLedger(Protocol):
    """Counted visits per enterprise, checked and reserved atomically.

    The semantics are those of `jointinspect.rules.frequency.evaluate` (the contract
    compares them on random sequences): rolling windows are half-open (two visits exactly a
    window apart never share one; the most crowded window containing the visit counts, not
    only the trailing one), calendar buckets are ``[start, end)``, only kinds in a rule's
    ``counts`` are counted, scopes count per enterprise, per enterprise and department, or
    per inspector; other enterprises never count. Pending reservations count until
    ``expires_at`` (from then on they are ignored) unless confirmed. Among racing calls that
    a blocking rule allows only one of, exactly one is allowed; each warning is counted once.
    """

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """Evaluate every check against the ledger and, unless a blocking rule is exceeded,
        record ``request`` — in one atomic step. A blocked decision carries every blocking
        hit and every warning and records nothing (``reservation`` is ``None``); an allowed one
        carries ``request`` as recorded and the warnings it exceeds.

        Reserving an id the ledger already holds is idempotent: it records nothing new and
        returns the *stored* reservation, allowed, with no hits (the stored one is not counted
        twice, for this call or for later ones). With no checks the reservation is recorded
        whatever the counts (how a rebuild restores what a failover lost).
        """
        ...

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """Move or widen a reservation (the visit it counts changed): in one atomic step,
        evaluate every check for ``reservation`` as it is now (its instant, kind,
        department, inspectors), not counting the reservation itself, and unless a
        blocking rule is exceeded, replace the stored one by it (or record it, if the id is
        unknown). A blocked amend changes nothing. Amending with no checks always succeeds
        (to restore a reservation after a failed unit of work).
        """
        ...

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """Make a pending reservation permanent: state ``CONFIRMED``, no ``expires_at``, so it
        counts past its former expiry (idempotent; unknown ids are ignored).

        ``enterprise``, when given, is the reservation's enterprise: a sharded ledger can
        then go straight to it instead of looking the id up."""
        ...

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """Remove a reservation: it stops counting at once (idempotent; unknown ids are
        ignored); ``enterprise`` as for `confirm`."""
        ...

    def reservations(self, enterprise: str) -> list[Reservation]:
        """All live reservations of one enterprise ordered by ``(at, id)`` — ties on ``at``
        break by id — with every field as recorded (state, expiry, inspectors), pending ones
        included until they expire; ``[]`` for an unknown enterprise (reports and repair)."""
        ...


class ReferenceRepository(Protocol):
    """Enterprises, departments, inspectors, items and scenarios (upserted by key)."""

    def put_enterprise(self, enterprise: Enterprise) -> None:
        """Insert or replace an enterprise."""
        ...

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        """One enterprise by credit code."""
        ...

    def get_enterprises(self, credit_codes: Sequence[str]) -> dict[str, Enterprise]:
        """`get_enterprise` for many credit codes at once (bulk filing preloads a chunk's
        enterprises, issue 11): ``{credit_code: enterprise}`` for each registered one,
        unknown codes left out; an empty sequence returns ``{}``."""
        ...

    def put_department(self, department: Department) -> None:
        """Insert or replace a department."""
        ...

    def get_department(self, code: str) -> Department | None:
        """One department by code."""
        ...

    def put_inspector(self, inspector: Inspector) -> None:
        """Insert or replace an inspector."""
        ...

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        """One inspector by id."""
        ...

    def put_item(self, item: SupervisionItem) -> None:
        """Insert or replace a supervision item."""
        ...

    def get_item(self, code: str) -> SupervisionItem | None:
        """One supervision item by code."""
        ...

    def put_scenario(self, scenario: Scenario) -> None:
        """Insert or replace a scenario."""
        ...

    def get_scenario(self, code: str) -> Scenario | None:
        """One scenario by code."""
        ...


class PlanRepository(Protocol):
    """Filed plans."""

    def add(self, plan: Plan) -> None:
        """Insert a new plan. Raises `IntegrityError` when its id exists, or when its
        department already holds its ``idempotency_key``."""
        ...

    def update(self, plan: Plan) -> None:
        """Replace the stored plan with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, plan_id: str) -> Plan | None:
        """One plan by id."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Plan]:
        """Plans of one enterprise ordered by ``(filed_at, id)``, skipping the first ``offset``
        and returning at most ``limit`` (all when ``None``). A listing query: its cost grows
        with the enterprise's history, so operations use the bounded reads below."""
        ...

    def for_inspections(self, inspection_ids: Sequence[str]) -> list[Plan]:
        """Plans whose ``inspection_id`` is one of ``inspection_ids``, ordered by
        ``(filed_at, id)``; unknown ids match nothing, an empty sequence returns ``[]``.
        Cost: the plans returned (indexed by inspection)."""
        ...

    def by_idempotency_key(self, department: str, key: str) -> Plan | None:
        """The plan ``department`` filed under its own plan number ``key``, if any
        (keys are unique per department; another department's plan under the same key is
        never returned)."""
        ...

    def by_idempotency_keys(self, department: str, keys: Sequence[str]) -> dict[str, Plan]:
        """`by_idempotency_key` for many keys of one department at once (bulk filing
        preloads a chunk's plan numbers, issue 11): ``{key: plan}`` for each key that
        department filed, keys it did not file left out; an empty sequence returns ``{}``.
        Cost: the keys asked (indexed by plan number)."""
        ...


class InspectionRepository(Protocol):
    """Inspections (visits), joint or not."""

    def add(self, inspection: Inspection) -> None:
        """Insert a new inspection; `IntegrityError` when its id exists."""
        ...

    def update(self, inspection: Inspection) -> None:
        """Replace the stored inspection with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, inspection_id: str) -> Inspection | None:
        """One inspection by id."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Inspection]:
        """Inspections of one enterprise ordered by ``(created_at, id)``, skipping the first
        ``offset`` and returning at most ``limit`` (all when ``None``). A listing query (see
        `PlanRepository.for_enterprise`)."""
        ...

    def open_for_enterprise(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection]:
        """The open inspections of ``enterprise`` a new plan may still join: status
        ``PLANNED`` (nobody has checked in: check-in moves an inspection to
        ``IN_PROGRESS``) and holding at least one plan whose window ends at or after
        ``reaching``; each once, ordered by ``id``.

        Matching compares a new plan with the *plans* of an open inspection (their windows
        can outlast the inspection's own, which is their intersection), so the bound is on
        the plans' window ends: a plan can only share the policy's minimum common time with
        plans ending at or after `jointinspect.rules.matching.reaching` (its allowed start,
        or now if later, plus the minimum, less the longest ``later`` allowance). Cost: the
        enterprise's plans ending at or after ``reaching`` (indexed by enterprise and window end), not its history."""
        ...

    def open_for_enterprises(self, reaching: Mapping[str, pendulum.DateTime]) -> dict[str, list[Inspection]]:
        """`open_for_enterprise` for many enterprises at once, each with its own bound
        (bulk filing preloads a chunk's open visits, issue 11): ``{enterprise:
        open_for_enterprise(enterprise, reaching[enterprise])}`` for every enterprise of
        ``reaching`` (``[]`` for one without such a visit), same rows and order; an empty
        mapping returns ``{}``. Cost: the plans of those enterprises ending at or after the
        lowest bound."""
        ...


class VisitRepository(Protocol):
    """Check-ins and check-outs."""

    def add(self, visit: Visit) -> None:
        """Insert a new check-in.

        Raises:
            IntegrityError: the id exists, or the visit is open (not checked out) and its
                inspector already has an open visit at any inspection. The second check is
                atomic with concurrent adds (a unique index in SQL), so that one inspector
                can never hold two open check-ins, even at two enterprises at once.
        """
        ...

    def update(self, visit: Visit) -> None:
        """Replace the stored visit with the same id (used by check-out; the inspector's
        open slot is freed when ``checked_out_at`` is set); `IntegrityError` when there is
        none."""
        ...

    def for_inspection(self, inspection_id: str) -> list[Visit]:
        """Every visit of one inspection, ordered by ``(checked_in_at, id)``."""
        ...

    def open_for_inspector(self, inspector_id: str) -> list[Visit]:
        """The inspector's visits not checked out yet, at any inspection and enterprise,
        ordered by ``(checked_in_at, id)`` (the engine keeps at most one); the unit of work's
        own uncommitted check-ins and check-outs count."""
        ...


class ResultRepository(Protocol):
    """Findings per item."""

    def add(self, result: ResultRecord) -> None:
        """Insert a new result; `IntegrityError` when its id exists."""
        ...

    def update(self, result: ResultRecord) -> None:
        """Replace the stored result with the same id (acknowledgement, correction);
        `IntegrityError` when there is none."""
        ...

    def get(self, result_id: str) -> ResultRecord | None:
        """One result by id."""
        ...

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        """Results of one enterprise for any of ``items`` recorded at or after ``since``,
        ordered by ``(recorded_at, id)``; ``[]`` for no items. Never returns another
        enterprise's records. Cost:
        the rows returned (indexed by enterprise, item and recorded_at)."""
        ...

    def for_enterprises(
        self, enterprises: Sequence[str], items: Sequence[str], since: pendulum.DateTime
    ) -> dict[str, list[ResultRecord]]:
        """`for_enterprise` for many enterprises at once (bulk filing preloads the results
        a chunk's plans may share, issue 11): ``{enterprise: for_enterprise(enterprise,
        items, since)}`` for every enterprise asked, same rows and order; an empty
        sequence returns ``{}``. Cost: the rows returned."""
        ...

    def for_inspection(self, inspection_id: str) -> list[ResultRecord]:
        """Every result of one inspection, ordered by ``(recorded_at, id)``."""
        ...

    def first_since(self, enterprise: str, item: str, since: pendulum.DateTime) -> ResultRecord | None:
        """The earliest result of ``enterprise`` for ``item`` recorded at or after ``since``
        (ties on ``recorded_at``: the smallest ``id``), or ``None``. Cost: one index probe
        (enterprise, item, recorded_at)."""
        ...

    def ever_failed(self, enterprise: str, item: str) -> bool:
        """Whether any result of ``enterprise`` for ``item`` has outcome ``FAIL``, however
        old. Cost: one index probe (enterprise, item, outcome)."""
        ...


class RectificationRepository(Protocol):
    """Rectifications and their history."""

    def add(self, rectification: Rectification) -> None:
        """Insert a new rectification; `IntegrityError` when its id exists."""
        ...

    def update(self, rectification: Rectification) -> None:
        """Replace the stored rectification with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, rectification_id: str) -> Rectification | None:
        """One rectification by id."""
        ...

    def due_before(self, instant: pendulum.DateTime) -> list[Rectification]:
        """Open or submitted rectifications whose deadline is before ``instant`` (strictly),
        ordered by ``(deadline, id)``."""
        ...

    def overdue(self, instant: pendulum.DateTime) -> list[Rectification]:
        """``OPEN`` rectifications whose deadline is before ``instant``, ordered by
        ``(deadline, id)``. Cost: the rows returned (indexed by state and deadline);
        submitted, accepted, refused and already-overdue ones are never read."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Rectification]:
        """Rectifications of one enterprise ordered by ``(opened_at, id)``, skipping the
        first ``offset`` and returning at most ``limit`` (all when ``None``). A listing
        query."""
        ...


class FeedbackRepository(Protocol):
    """Ratings and complaints."""

    def add_evaluation(self, evaluation: Evaluation) -> None:
        """Insert a rating; `IntegrityError` when the inspection already has one."""
        ...

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        """The rating of one inspection, or ``None``."""
        ...

    def add_complaint(self, complaint: Complaint) -> None:
        """Insert a complaint; `IntegrityError` when its id exists."""
        ...

    def complaints(self, enterprise: str) -> list[Complaint]:
        """Complaints filed by one enterprise, ordered by ``(at, id)``."""
        ...


class Outbox(Protocol):
    """Notifications written in the same transaction as the change that causes them."""

    def add(self, notification: Notification) -> None:
        """Queue a notification; one with a key already queued — pending or delivered, until
        pruned — is ignored (no error)."""
        ...

    def add_many(self, notifications: Sequence[Notification]) -> None:
        """Queue ``notifications`` in their order: the same as `add` of each one (a key
        already queued, or repeated within ``notifications``, is ignored after its first),
        in a few statements rather than one per notification (a licence sweep queues
        thousands; bulk filing flushes a chunk's at once, issue 11). An empty sequence
        writes nothing."""
        ...

    def pending(self, limit: int, now: pendulum.DateTime | None = None) -> list[Notification]:
        """Up to ``limit`` undelivered notifications in the order they were added (kept
        through deliveries and rollbacks); with ``now``, only those due (whose next attempt,
        after a failed one, is not later than ``now``); without it, every pending one."""
        ...

    def attempts(self, key: str) -> int:
        """How many delivery attempts of ``key`` failed so far (0 for an unknown key)."""
        ...

    def mark_failed(self, key: str, next_attempt_at: pendulum.DateTime) -> None:
        """Count a failed delivery attempt of a pending notification and leave it out of
        ``pending(limit, now)`` until ``next_attempt_at`` (no effect once delivered)."""
        ...

    def mark_delivered(self, keys: Sequence[str]) -> None:
        """Mark notifications delivered (idempotent; unknown keys are ignored); rolled back
        with the unit of work like any write."""
        ...

    def prune(self, before: pendulum.DateTime) -> int:
        """Delete delivered notifications created before ``before``; pending ones are never
        deleted. Returns how many were removed. A pruned key is forgotten: the retention
        must outlast any retry of the operation that queued it."""
        ...


class AuditLog(Protocol):
    """Append-only, hash-chained log of every state change."""

    def append(self, record: AuditRecord) -> AuditEntry:
        """Seal ``record`` after the current last entry (with
        `jointinspect.audit.seal`) and store it, atomically with respect to other
        appends: racing units of work never fork the chain (sequence numbers 1, 2, 3...
        without gaps, each entry's hash chained to the previous one). Returns the entry."""
        ...

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        """`append` each of ``records`` in order, as one atomic step with respect to other
        appends (bulk filing flushes a chunk's entries at once, issue 11): the entries are
        exactly those the appends one by one would give (consecutive sequence numbers, each
        hash chained to the previous one) and are returned in order; an empty sequence
        writes nothing and returns ``[]``."""
        ...

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        """Entries with ``seq > after_seq``, in ``seq`` order (``[]`` past the end)."""
        ...

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        """Entries with ``seq > after_seq`` in ``seq`` order, read lazily (in pages) so that
        verification runs in constant memory. Each row is rebuilt with
        `jointinspect.audit.parse_row`, so a corrupted row raises ``AuditChainBroken``
        naming its sequence number."""
        ...

    def head(self) -> AuditHead:
        """The head row: the sequence number and hash of the last entry, updated in the same
        atomic step as each append (`jointinspect.audit.EMPTY_HEAD` when there is none)."""
        ...


@runtime_checkable
class AnchorSink(Protocol):
    """Where signed audit anchors (`jointinspect.audit.make_anchor`) go: somewhere the
    database's administrators cannot rewrite (another system, a notary, a message to the
    supervising office). The integrator chooses; the engine's default is the notifier."""

    def publish(self, anchor: Anchor) -> None:
        """Keep ``anchor``; raise to have it offered again later."""
        ...


class Authorizer(Protocol):
    """A municipality's own authorization checks, run after the built-in matrix
    (`jointinspect.auth.authorize`); deny wins: any authorizer that raises refuses."""

    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None:
        """Return to allow; raise `jointinspect.errors.Forbidden` to refuse."""
        ...


class EnforcementLoopRepository(Protocol):
    """Steps of the guidance-penalty-assistance loop (指导-处罚-帮扶), append-only."""

    def add(self, step: LoopStep) -> None:
        """Insert a new step (its id must be new)."""
        ...

    def for_result(self, result_id: str) -> list[LoopStep]:
        """The steps about one result, ordered by ``(at, id)``."""
        ...

    def for_enterprise(self, enterprise: str) -> list[LoopStep]:
        """The steps about one enterprise, ordered by ``(at, id)``; never another's."""
        ...


class InspectorWatchRepository(Protocol):
    """Runs of no-finding inspections per (inspector, enterprise)."""

    def get(self, inspector_id: str, enterprise: str) -> InspectorStreak | None:
        """The run of one inspector at one enterprise, or ``None``."""
        ...

    def put(self, streak: InspectorStreak) -> None:
        """Insert or replace the run keyed by ``(inspector_id, enterprise)``."""
        ...

    def for_inspector(self, inspector_id: str) -> list[InspectorStreak]:
        """Every run of one inspector, ordered by enterprise."""
        ...


class ConflictRepository(Protocol):
    """Conflicting standards flagged on inspections."""

    def add(self, flag: ConflictFlag) -> None:
        """Insert a new flag (its id must be new)."""
        ...

    def update(self, flag: ConflictFlag) -> None:
        """Replace a stored flag with the same id (its resolution)."""
        ...

    def get(self, flag_id: str) -> ConflictFlag | None:
        """One flag by id."""
        ...

    def for_inspection(self, inspection_id: str) -> list[ConflictFlag]:
        """The flags of one inspection, ordered by ``id``."""
        ...


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


class SpotCheckRepository(Protocol):
    """Random spot checks (双随机、一公开): drawn campaigns, and inspectors' declared conflicts."""

    def add(self, record: SpotCheckRecord) -> None:
        """Store a drawn campaign with its pairs; `jointinspect.errors.IntegrityError` when
        its id, or its department and campaign, were stored before."""
        ...

    def get(self, record_id: str) -> SpotCheckRecord | None:
        """The campaign with this id."""
        ...

    def by_campaign(self, department: str, campaign: str) -> SpotCheckRecord | None:
        """The department's campaign of that name."""
        ...

    def last_pairs(self, department: str, enterprises: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """For each of ``enterprises`` the department's latest draw selected, the inspectors
        drawn for it then (latest by ``drawn_at``, then id); the others are absent."""
        ...

    def put_conflict(self, conflict: Conflict) -> None:
        """Declare (or re-declare) an inspector's conflict of interest with an enterprise."""
        ...

    def conflicts_of(self, inspectors: Sequence[str]) -> list[Conflict]:
        """The conflicts declared by these inspectors, by (inspector, enterprise)."""
        ...


class QuietSlotRepository(Protocol):
    """Quiet slots that enterprises declared."""

    def add(self, slot: QuietSlot) -> None:
        """Store a slot; `jointinspect.errors.IntegrityError` if its id exists."""
        ...

    def get(self, slot_id: str) -> QuietSlot | None:
        """The slot with this id."""
        ...

    def remove(self, slot_id: str) -> None:
        """Withdraw a slot (nothing when absent)."""
        ...

    def for_enterprise(self, enterprise: str) -> list[QuietSlot]:
        """One enterprise's slots by (start, id)."""
        ...

    def for_enterprises(self, enterprises: Sequence[str]) -> dict[str, list[QuietSlot]]:
        """`for_enterprise` for many enterprises at once (bulk filing preloads a chunk's
        quiet slots, issue 11): ``{enterprise: its slots by (start, id)}`` for every
        enterprise asked (``[]`` for one without slots); an empty sequence returns ``{}``."""
        ...


class OfflineRepository(Protocol):
    """Device keys of inspectors, and the offline check-ins accepted."""

    def put_device_key(self, key: DeviceKey) -> None:
        """Register (or replace) an inspector's device key."""
        ...

    def get_device_key(self, inspector: str) -> DeviceKey | None:
        """The inspector's device key."""
        ...

    def add(self, record: OfflineCheckIn) -> None:
        """Store an accepted offline check-in; `jointinspect.errors.IntegrityError` if its
        id (the signed record's digest) exists."""
        ...

    def get(self, record_id: str) -> OfflineCheckIn | None:
        """The offline check-in with this id (digest)."""


class ListingRepository(Protocol):
    """The operator's listings (issue 11): each returns one page, the first ``offset`` rows
    skipped and at most ``limit`` returned, in the total order it states (a unique id breaks
    ties), so that consecutive pages neither repeat nor miss a row while nothing changes.
    ``since``/``until`` bound an instant half-open, ``[since, until)``; ``None`` leaves
    that side open. Cost: the page plus ``offset`` (an index in that order), never the
    history. The operations validate the arguments before calling (``limit >= 1``,
    ``offset >= 0``, ``since < until``)."""

    def enterprises(
        self, groups: Sequence[tuple[CreditClass, bool]] | None, limit: int, offset: int
    ) -> list[Enterprise]:
        """Enterprises whose ``(credit_class, whitelisted)`` is one of ``groups`` (every
        enterprise when ``None``; none when empty), ordered by ``credit_code``."""
        ...

    def plans(
        self,
        department: str | None,
        status: PlanStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Plan]:
        """Plans of ``department`` (any when ``None``) with ``status`` (any when ``None``)
        whose window *starts* in ``[since, until)``, ordered by ``(window.start, id)``."""
        ...

    def inspections(
        self,
        department: str | None,
        enterprise: str | None,
        status: InspectionStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Inspection]:
        """Inspections in which ``department`` takes part (one of ``departments``), of
        ``enterprise``, with ``status`` (each filter ignored when ``None``), whose window
        starts in ``[since, until)``, ordered by ``(window.start, id)``."""
        ...

    def results(self, inspection_id: str, limit: int, offset: int) -> list[ResultRecord]:
        """Results of one inspection ordered by ``(recorded_at, id)``."""
        ...

    def unclosed_rectifications(
        self,
        department: str | None,
        enterprise: str | None,
        due_before: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Rectification]:
        """Rectifications still open (``OPEN``, ``SUBMITTED`` or ``OVERDUE``) of
        ``department`` (the rectification's) and ``enterprise`` (each ignored when
        ``None``), with ``deadline < due_before`` when given, ordered by ``(deadline, id)``."""
        ...

    def complaints(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Complaint]:
        """Complaints of ``enterprise`` (any when ``None``) filed in ``[since, until)``,
        ordered by ``(at, id)``."""
        ...

    def evaluations(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Evaluation]:
        """Ratings by ``enterprise`` (any when ``None``) given in ``[since, until)``,
        ordered by ``(at, inspection_id)``."""
        ...

    def pending_notifications(self, limit: int, offset: int) -> list[Notification]:
        """Undelivered notifications in the order the outbox queued them (due or not).
        Cost: the backlog at most, never the delivered rows."""
        ...

    def audit_entries(self, after_seq: int, through_seq: int | None, limit: int) -> list[AuditEntry]:
        """Audit entries with ``after_seq < seq <= through_seq`` (no upper bound when
        ``None``), at most ``limit``, in ``seq`` order; each row is rebuilt with
        `jointinspect.audit.parse_row` (a corrupted row raises ``AuditChainBroken``)."""


class LicenceRepository(Protocol):
    """Licences (reference data, upserted by kind and number) and the record of which
    expiry warnings were sent, so that a sweep warns once per licence, lead time and expiry:
    per licence, the shortest lead time warned at its current expiry (a renewal, that is
    another expiry, forgets it; putting the same expiry again keeps it)."""

    def put(self, licence: Licence) -> None:
        """Insert or replace a licence (a renewal replaces its expiry)."""
        ...

    def get(self, kind: str, number: str) -> Licence | None:
        """One licence by kind and number."""
        ...

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        """Licences expiring in ``[first, last]`` not yet warned for ``lead_days`` or a shorter
        lead time at their current expiry, ordered by ``(expires_on, kind, number)``, strictly
        after ``after`` (that triple of the last licence of the previous page), at most
        ``limit``. Cost: the licences in the range (indexed by expiry), as a range query."""
        ...

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        """Record that ``licences`` were warned for ``lead_days`` at their current expiry
        (idempotent; a licence already warned for a shorter lead time keeps that)."""
        ...

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        """``unwarned(...)`` and ``mark_warned(lead_days, ...)`` of the page it returns, as one
        step (the sweep's page, issue 12): the licences returned are exactly those this call
        marked, in the same order. Two units of work claiming at once never both return a
        licence (a store serialises them, or re-checks a row another one marked first, and
        may then return a shorter page, even an empty one, while later licences remain).
        Cost: the range read, plus one write per licence returned."""
        ...

    def forget_warnings_before(self, day: dt.date) -> int:
        """Delete the warning records of expiries before ``day`` and return how many: such a
        licence is never swept again (a renewal gives it another expiry), so the records
        the sweep keeps stay those of the licences still ahead. Cost: the records deleted."""
        ...


class PenaltyRepository(Protocol):
    """Penalty decisions with their publicity and credit repair."""

    def add(self, penalty: Penalty) -> None:
        """Insert a new penalty (its id must be new)."""
        ...

    def update(self, penalty: Penalty) -> None:
        """Replace a stored penalty."""
        ...

    def get(self, penalty_id: str) -> Penalty | None:
        """One penalty by id."""
        ...

    def for_enterprise(self, enterprise: str) -> list[Penalty]:
        """Penalties of one enterprise ordered by ``(decided_at, id)``."""
        ...

    def public_since(
        self,
        kinds: Sequence[PenaltyKind],
        before: pendulum.DateTime,
        after: tuple[pendulum.DateTime, str] | None,
        limit: int,
    ) -> list[Penalty]:
        """``PUBLIC`` penalties of ``kinds`` publicised at or before ``before``, ordered by
        ``(publicity_start, id)``, strictly after ``after``, at most ``limit``. Cost: the rows
        returned (indexed by state, kind and publicity start)."""
        ...


class LegalReviewRepository(Protocol):
    """Legal reviews of major decisions."""

    def add(self, review: LegalReview) -> None:
        """Insert a new review."""
        ...

    def update(self, review: LegalReview) -> None:
        """Replace a stored review."""
        ...

    def get(self, review_id: str) -> LegalReview | None:
        """One review by id."""
        ...

    def overdue(self, instant: pendulum.DateTime, limit: int) -> list[LegalReview]:
        """``REQUESTED`` reviews not yet warned about whose deadline is before ``instant``,
        ordered by ``(deadline, id)``, at most ``limit``. Cost: the rows returned."""
        ...


class PeriodRepository(Protocol):
    """A period's records, each kind read whole in one ordered query, for reports such as
    `jointinspect.kpi` (issue 13). ``[since, until)`` is half-open and both bounds are
    given. Cost: the rows of the period (an index on the instant in SQL), never the
    history or the number of enterprises. Reads only."""

    def plans_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Plan]:
        """Plans whose ``filed_at`` is in the period, ordered by ``(filed_at, id)``."""
        ...

    def inspections_starting(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Inspection]:
        """Inspections whose window starts in the period, ordered by ``(window.start, id)``."""
        ...

    def inspections_by_id(self, ids: Sequence[str]) -> list[Inspection]:
        """The inspections with these ids, ordered by id; unknown ids are skipped and a
        repeated id is returned once."""
        ...

    def visits_checked_in(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Visit]:
        """Visits (check-ins) whose ``checked_in_at`` is in the period, ordered by
        ``(checked_in_at, id)``."""
        ...

    def rectifications_opened(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Rectification]:
        """Rectifications whose ``opened_at`` is in the period (any state now), ordered by
        ``(opened_at, id)``."""
        ...

    def evaluations_given(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Evaluation]:
        """Ratings given in the period, ordered by ``(at, inspection_id)``."""
        ...

    def complaints_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Complaint]:
        """Complaints filed in the period, ordered by ``(at, id)``."""
        ...

    def audit_actions(
        self, actions: Sequence[str], since: pendulum.DateTime, until: pendulum.DateTime
    ) -> list[AuditEntry]:
        """Audit entries whose action is one of ``actions`` and whose ``at`` is in the
        period, in ``seq`` order (none when ``actions`` is empty)."""
        ...
