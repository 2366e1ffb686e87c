"""The engine: the operations a city calls, each one unit of work.

Every operation follows the same shape: open a unit of work, validate, apply pure rules,
write, queue notifications in the outbox and audit entries in the log, commit — or raise
a typed error having changed nothing. After commit the outbox is relayed to the notifier
(at least once; the notifier deduplicates by key).

`Engine` is the facade: each method delegates to a capability module in
`jointinspect.operations`, passing it the engine's collaborators as one `Context`.

Every operation is performed by a principal, the keyword-only ``by`` (`jointinspect.auth.Principal`):
the embedding platform authenticates people, the engine decides what each may do (docs/authorization.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pendulum

from jointinspect.auth import Principal
from jointinspect.clock import SystemClock
from jointinspect.facade.bulk import BulkFacet
from jointinspect.facade.conflicts import ConflictFacet
from jointinspect.facade.guidance import GuidanceFacet
from jointinspect.facade.licences import LicenceFacet
from jointinspect.facade.listing import ListingFacet
from jointinspect.facade.maintenance import MaintenanceFacet
from jointinspect.facade.offline import OfflineFacet
from jointinspect.facade.penalties import PenaltyFacet
from jointinspect.facade.queries import QueryFacet
from jointinspect.facade.quiet_slots import QuietSlotFacet
from jointinspect.facade.spot_checks import SpotCheckFacet
from jointinspect.facade.supervision import SupervisionFacet
from jointinspect.facade.watch import WatchFacet
from jointinspect.memory import MemoryStore
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Role
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import Department, Enterprise, GeoPoint, Inspector, Scenario, SupervisionItem
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.operations import (
    checkin,
    codes,
    feedback,
    filing,
    rectification,
    reference,
    results,
)
from jointinspect.operations import replan as replan_operation
from jointinspect.operations._unit import Context
from jointinspect.policy.schema import Policy
from jointinspect.ports import AnchorSink, Authorizer, Clock, FrequencyLedger, KeyStore, Notifier, Store
from jointinspect.requests import CodeView, FilingOutcome, IssuedCode, PlanRequest, ReplanOutcome, ResultOutcome


def _new_id() -> str:
    return uuid.uuid4().hex


def _refresh_context(engine: Engine, attribute: attrs.Attribute[Any], value: Any) -> Any:
    """Keep the operations' `Context` in step when an engine attribute is reassigned."""
    if attribute.name != "_context":
        engine._context = attrs.evolve(engine._context, **{attribute.name: value})
    return value


@attrs.define(on_setattr=_refresh_context)
class Engine(
    QueryFacet,
    MaintenanceFacet,
    SupervisionFacet,
    GuidanceFacet,
    WatchFacet,
    ConflictFacet,
    SpotCheckFacet,
    QuietSlotFacet,
    OfflineFacet,
    ListingFacet,
    BulkFacet,
    LicenceFacet,
    PenaltyFacet,
):
    """The inspection-coordination engine of one city.

    Attributes:
        store: where records live (`MemoryStore` by default;
            ``jointinspect_sqlalchemy.SQLStore`` for a database).
        policy: the city's rules (`Policy`; defaults: Wuhu's
            frequency rules, Yantai's filing and whitelist rules).
        clock: the source of 'now' (`SystemClock` by default).
        keys: signing keys for codes (required to issue or verify codes).
        notifier: receives notifications relayed from the outbox (optional).
        ledger: a separate frequency ledger (e.g. Redis); by default the store's own,
            transactional one. A separate ledger's reservations are made pending, then
            confirmed after commit or released on failure.
        ids: makes new ids (random UUID hex by default).
        auto_deliver: relay the outbox to ``notifier`` after every operation.
        pending_ttl: how long a separate ledger's unconfirmed reservation counts.
        anchor_sink: where signed audit anchors go (`AnchorSink`); by default a
            notification of kind ``audit.anchor`` to the supervising office.
        authorizers: a municipality's own checks, run after the authorization matrix on
            every operation (`jointinspect.ports.Authorizer`); deny wins.
    """

    store: Store = attrs.field(factory=MemoryStore)
    policy: Policy = attrs.field(factory=Policy)
    clock: Clock = attrs.field(factory=SystemClock)
    keys: KeyStore | None = None
    notifier: Notifier | None = None
    ledger: FrequencyLedger | None = None
    ids: Callable[[], str] = _new_id
    auto_deliver: bool = True
    pending_ttl: pendulum.Duration = attrs.field(factory=lambda: pendulum.duration(minutes=5))
    anchor_sink: AnchorSink | None = None
    authorizers: Sequence[Authorizer] = attrs.field(default=(), converter=tuple)
    _context: Context = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self._context = Context(
            store=self.store,
            policy=self.policy,
            clock=self.clock,
            keys=self.keys,
            notifier=self.notifier,
            ledger=self.ledger,
            ids=self.ids,
            auto_deliver=self.auto_deliver,
            pending_ttl=self.pending_ttl,
            anchor_sink=self.anchor_sink,
            authorizers=self.authorizers,
        )

    # ------------------------------------------------------------ reference data

    def add_enterprise(self, enterprise: Enterprise, *, by: Principal) -> Enterprise:
        """Register or update an enterprise (a whitelist, site or key-supervision change
        is also authorized by its own matrix row)."""
        return reference.add_enterprise(self._context, enterprise, by)

    def add_department(self, department: Department, *, by: Principal) -> Department:
        """Register or update a department."""
        return reference.add_department(self._context, department, by)

    def add_inspector(self, inspector: Inspector, *, by: Principal) -> Inspector:
        """Register or update an inspector; the department must exist (moving the
        inspector to another department is authorized by its own matrix row)."""
        return reference.add_inspector(self._context, inspector, by)

    def add_item(self, item: SupervisionItem, *, by: Principal) -> SupervisionItem:
        """Register or update a supervision item; its department must exist."""
        return reference.add_item(self._context, item, by)

    def add_scenario(self, scenario: Scenario, *, by: Principal) -> Scenario:
        """Register or update a scenario; every item must exist."""
        return reference.add_scenario(self._context, scenario, by)

    # -------------------------------------------------------------------- filing

    def file_plan(self, request: PlanRequest, *, by: Principal) -> FilingOutcome:
        """File a plan (by an officer of ``request.department``): validate, apply the
        whitelist, merge or reserve a visit.

        Returns the outcome (the plan, its inspection, warnings, shared records). A plan of
        a limited (whitelisted) enterprise waits for approval and gets no inspection yet.

        Raises:
            Forbidden: ``by`` may not file for that department.
            ValidationError: unknown or foreign items, inspectors not certified...
            FilingRejected: too late, quiet period, whitelist exempt.
            FrequencyBlocked: a blocking frequency rule is exceeded.
        """
        return filing.file_plan(self._context, request, by)

    def approve_plan(
        self,
        plan_id: str,
        role: Role | str | None = None,
        *,
        approve: bool = True,
        reason: str = "",
        by: Principal,
    ) -> FilingOutcome:
        """Record one approver's decision on a plan awaiting whitelist approval.

        ``role`` defaults to the single still-needed approver role ``by`` holds. When every
        role in ``policy.whitelist.approvers`` has approved, each by a distinct principal,
        the plan is placed (merged or reserved) as on filing; one rejection rejects it.

        Raises:
            Forbidden: ``by`` does not hold the role, belongs to the filing department, or
                already approved this plan in another role.
            ApprovalError: the plan is not pending, ``role`` is not (or no longer) needed,
                or ``by`` holds several needed roles and named none.
            FrequencyBlocked: placing the approved plan exceeds a blocking rule (the
                approval is then not recorded).
        """
        return filing.approve_plan(self._context, plan_id, role, approve, reason, by)

    def replan(self, enterprise: str, *, by: Principal) -> ReplanOutcome:
        """Regroup open visits into the fewest (issue 8; see `jointinspect.operations.replan`)."""
        return replan_operation.replan(self._context, enterprise, by)

    # -------------------------------------------------------------------- codes

    def issue_inspection_code(self, inspection_id: str, *, by: Principal) -> IssuedCode:
        """Sign the inspection code (检查码) of an inspection; valid until its window ends
        (plus clock tolerance). "No code, no entry."

        Raises:
            Forbidden: ``by`` is neither of the lead department nor the system.
            CheckInRejected: the inspection was superseded, completed or cancelled.
        """
        return codes.issue_inspection_code(self._context, inspection_id, by)

    def issue_enterprise_code(self, credit_code: str, *, by: Principal) -> IssuedCode:
        """Sign the standing enterprise code (企业码) posted at the gate."""
        return codes.issue_enterprise_code(self._context, credit_code, by)

    def describe_code(self, token: str, *, by: Principal) -> CodeView:
        """What the enterprise sees when it scans an inspection code: departments, items,
        inspectors with certificate numbers, and the window.

        Raises:
            TokenError: the code does not verify or has expired.
        """
        return codes.describe_code(self._context, token, by)

    # ----------------------------------------------------------------- check-in

    def check_in(
        self, inspection_code: str, position: GeoPoint, enterprise_code: str | None = None, *, by: Principal
    ) -> Visit:
        """Check the inspector ``by`` in (扫码入企): verify both codes, the assignment, the
        certificate, the window and the geofence, and consume the one-time code. An
        inspector has one open check-in at a time.

        Raises:
            Forbidden: ``by`` is not an inspector assigned to the inspection.
            TokenError: a code does not verify (``token.*``), or names another enterprise.
            CheckInRejected: the reason as ``checkin.*`` code.
        """
        return checkin.check_in(self._context, inspection_code, position, enterprise_code, by)

    def check_out(self, inspection_id: str, *, by: Principal) -> Visit:
        """Check the inspector ``by`` out, recording the visit's duration; the inspection
        completes when everyone has left, and the enterprise is asked to rate it.

        Raises:
            CheckInRejected: ``checkin.not_checked_in`` when there is no open visit.
        """
        return checkin.check_out(self._context, inspection_id, by)

    # ------------------------------------------------------------------ results

    def record_result(
        self,
        inspection_id: str,
        item: str,
        outcome: Outcome | str,
        note: str = "",
        evidence: Sequence[str] = (),
        *,
        by: Principal,
    ) -> ResultOutcome:
        """Record the checked-in inspector ``by``'s finding for one item of their
        department; a failure opens a rectification (or guidance for an eligible first
        violation). Once per item and department: a change is `correct_result`.

        Raises:
            Forbidden: ``by`` has no open check-in at the inspection, or the item is
                another department's.
            ValidationError: the item is not part of the inspection.
            IllegalTransition: ``result.duplicate``, ``result.inspection_closed``.
        """
        return results.record_result(self._context, inspection_id, item, outcome, note, evidence, by)

    def correct_result(self, result_id: str, outcome: Outcome | str, note: str = "", *, by: Principal) -> ResultOutcome:
        """Correct a recorded result (audited as ``result.corrected``); the enterprise
        acknowledges it again. Never opens a second rectification for the result."""
        return results.correct_result(self._context, result_id, outcome, note, by)

    def acknowledge_result(self, result_id: str, *, by: Principal) -> ResultRecord:
        """The enterprise visited (``by``) confirms a result with its electronic signature.

        Raises:
            IllegalTransition: already acknowledged.
        """
        return results.acknowledge_result(self._context, result_id, by)

    def shared_records(self, enterprise: str, items: Sequence[str], *, by: Principal) -> list[ResultRecord]:
        """Same-item results of one enterprise within the sharing lookback, oldest first
        (never another enterprise's)."""
        return results.shared_records(self._context, enterprise, items, by)

    # ------------------------------------------------------------- rectification

    def submit_rectification(
        self, rect_id: str, evidence: Sequence[str], note: str = "", *, by: Principal
    ) -> Rectification:
        """The enterprise (``by``) uploads evidence of its fix (online submission)."""
        return rectification.submit_rectification(self._context, rect_id, evidence, note, by)

    def accept_rectification(self, rect_id: str, mode: str = "remote", *, by: Principal) -> Rectification:
        """The responsible department accepts the fix, remotely (云验收) or ``"on_site"``."""
        return rectification.accept_rectification(self._context, rect_id, by, mode)

    def reject_rectification(
        self, rect_id: str, reason: str, new_deadline: pendulum.DateTime, *, by: Principal
    ) -> Rectification:
        """The responsible department rejects the fix with a reason; it is open again until
        ``new_deadline``."""
        return rectification.reject_rectification(self._context, rect_id, by, reason, new_deadline)

    def refuse_rectification(self, rect_id: str, note: str = "", *, by: Principal) -> Rectification:
        """Record that the enterprise refuses to rectify: it becomes a key supervision target."""
        return rectification.refuse_rectification(self._context, rect_id, by, note)

    def sweep_overdue(self, *, by: Principal) -> list[Rectification]:
        """Mark open rectifications past their deadline overdue and warn; return them."""
        return rectification.sweep_overdue(self._context, by)

    # ----------------------------------------------------------------- feedback

    def rate(
        self, inspection_id: str, score: int, comment: str = "", *, anonymous: bool = False, by: Principal
    ) -> Evaluation:
        """The enterprise visited (``by``) rates a completed inspection (0-100), once.

        Raises:
            ValidationError: score out of range.
            IllegalTransition: not completed yet, or already rated.
        """
        return feedback.rate(self._context, inspection_id, score, comment, anonymous, by)

    def complain(self, inspection_id: str, reason: ComplaintReason | str, text: str, *, by: Principal) -> Complaint:
        """The enterprise visited (``by``) complains about an inspection; the supervising
        office hears it."""
        return feedback.complain(self._context, inspection_id, reason, text, by)
