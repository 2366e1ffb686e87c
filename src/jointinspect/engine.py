"""The engine: the operations a city calls, each one unit of work.

Every operation follows the same shape: open a unit of work, validate, apply pure rules,
write, queue notifications in the outbox and audit entries in the log, commit — or raise
a typed error having changed nothing. After commit the outbox is relayed to the notifier
(at least once; the notifier deduplicates by key).

`Engine` is the facade: each method delegates to a capability module in
`jointinspect.operations`, passing it the engine's collaborators as one `Context`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pendulum

from jointinspect.auth import AuthContext, Principal, authorize
from jointinspect.clock import SystemClock
from jointinspect.memory import MemoryStore
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import Department, Enterprise, GeoPoint, Inspector, Scenario, SupervisionItem
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.operations import (
    checkin,
    codes,
    feedback,
    filing,
    queries,
    rectification,
    reference,
    reservations,
    results,
)
from jointinspect.operations import replan as replan_operation
from jointinspect.operations._unit import Context, deliver_notifications
from jointinspect.policy.schema import Policy
from jointinspect.ports import Clock, FrequencyLedger, KeyStore, Notifier, Store
from jointinspect.requests import CodeView, FilingOutcome, IssuedCode, PlanRequest, ReplanOutcome, ResultOutcome


def _new_id() -> str:
    return uuid.uuid4().hex


def _refresh_context(engine: Engine, attribute: attrs.Attribute[Any], value: Any) -> Any:
    """Keep the operations' `Context` in step when an engine attribute is reassigned."""
    if attribute.name != "_context":
        engine._context = attrs.evolve(engine._context, **{attribute.name: value})
    return value


@attrs.define(on_setattr=_refresh_context)
class Engine:
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
        )

    def deliver_notifications(self, batch: int = 100) -> int:
        """Relay undelivered outbox notifications to the notifier; return how many.

        Safe to call from several places: delivery is at least once and keyed.
        """
        return deliver_notifications(self._context, batch)

    # ------------------------------------------------------------ reference data

    def add_enterprise(self, enterprise: Enterprise, actor: str = "system") -> Enterprise:
        """Register or update an enterprise."""
        return reference.add_enterprise(self._context, enterprise, actor)

    def add_department(self, department: Department, actor: str = "system") -> Department:
        """Register or update a department."""
        return reference.add_department(self._context, department, actor)

    def add_inspector(self, inspector: Inspector, actor: str = "system") -> Inspector:
        """Register or update an inspector; the department must exist."""
        return reference.add_inspector(self._context, inspector, actor)

    def add_item(self, item: SupervisionItem, actor: str = "system") -> SupervisionItem:
        """Register or update a supervision item; its department must exist."""
        return reference.add_item(self._context, item, actor)

    def add_scenario(self, scenario: Scenario, actor: str = "system") -> Scenario:
        """Register or update a scenario; every item must exist."""
        return reference.add_scenario(self._context, scenario, actor)

    # -------------------------------------------------------------------- filing

    def file_plan(self, request: PlanRequest, actor: str | None = None) -> FilingOutcome:
        """File a plan: validate, apply the whitelist, merge or reserve a visit.

        Returns the outcome (the plan, its inspection, warnings, shared records). A plan of
        a limited (whitelisted) enterprise waits for approval and gets no inspection yet.

        Raises:
            ValidationError: unknown or foreign items, inspectors not certified...
            FilingRejected: too late, quiet period, whitelist exempt.
            FrequencyBlocked: a blocking frequency rule is exceeded.
        """
        return filing.file_plan(self._context, request, actor)

    def approve_plan(
        self,
        plan_id: str,
        role: Role | str,
        *,
        approve: bool = True,
        reason: str = "",
        actor: str | None = None,
    ) -> FilingOutcome:
        """Record one approver's decision on a plan awaiting whitelist approval.

        When every role in ``policy.whitelist.approvers`` has approved, the plan is placed
        (merged or reserved) as on filing; one rejection rejects it.

        Raises:
            ApprovalError: the plan is not pending, or ``role`` is not (or no longer) needed.
            FrequencyBlocked: placing the approved plan exceeds a blocking rule (the
                approval is then not recorded).
        """
        return filing.approve_plan(self._context, plan_id, role, approve, reason, actor)

    def replan(self, enterprise: str, *, by: Principal) -> ReplanOutcome:
        """Regroup an enterprise's open visits (planned, nobody checked in, window not over)
        into the fewest that keep every plan's window, as batch matching would (issue 8).

        Every change is audited; the departments of each changed visit are notified. Codes
        issued for a visit whose window changed are refused afterwards (``code.outdated``).

        Raises:
            Forbidden: ``by`` may not re-plan (policy ``authorization.maintenance``).
            FrequencyBlocked: a regrouped visit would break a blocking rule (nothing changes).
        """
        authorize("replan", by, AuthContext(enterprise=enterprise), policy=self.policy)
        return replan_operation.replan(self._context, enterprise, by.actor)

    def reconcile_reservations(self, enterprise: str) -> int:
        """Repair a separate ledger after a crash between commit and confirm: confirm
        pending reservations whose inspection exists, release the others. Returns the
        number of reservations changed."""
        return reservations.reconcile_reservations(self._context, enterprise)

    # -------------------------------------------------------------------- codes

    def issue_inspection_code(self, inspection_id: str, actor: str = "system") -> IssuedCode:
        """Sign the inspection code (检查码) of an inspection; valid until its window ends
        (plus clock tolerance). "No code, no entry."

        Raises:
            CheckInRejected: the inspection was superseded, completed or cancelled.
        """
        return codes.issue_inspection_code(self._context, inspection_id, actor)

    def issue_enterprise_code(self, credit_code: str, actor: str = "system") -> IssuedCode:
        """Sign the standing enterprise code (企业码) posted at the gate."""
        return codes.issue_enterprise_code(self._context, credit_code, actor)

    def describe_code(self, token: str) -> CodeView:
        """What the enterprise sees when it scans an inspection code: departments, items,
        inspectors with certificate numbers, and the window.

        Raises:
            TokenError: the code does not verify or has expired.
        """
        return codes.describe_code(self._context, token)

    # ----------------------------------------------------------------- check-in

    def check_in(
        self,
        inspection_code: str,
        inspector_id: str,
        position: GeoPoint,
        enterprise_code: str | None = None,
    ) -> Visit:
        """Check an inspector in (扫码入企): verify both codes, the assignment, the
        certificate, the window and the geofence, and consume the one-time code.

        Raises:
            TokenError: a code does not verify (``token.*``).
            CheckInRejected: the reason as ``checkin.*`` code.
        """
        return checkin.check_in(self._context, inspection_code, inspector_id, position, enterprise_code)

    def check_out(self, inspection_id: str, inspector_id: str) -> Visit:
        """Check an inspector out, recording the visit's duration; the inspection completes
        when everyone has left, and the enterprise is asked to rate it.

        Raises:
            CheckInRejected: ``checkin.not_checked_in`` when there is no open visit.
        """
        return checkin.check_out(self._context, inspection_id, inspector_id)

    # ------------------------------------------------------------------ results

    def record_result(
        self,
        inspection_id: str,
        inspector_id: str,
        item: str,
        outcome: Outcome | str,
        note: str = "",
        evidence: Sequence[str] = (),
    ) -> ResultOutcome:
        """Record the finding for one item; a failure opens a rectification (or guidance
        for an eligible first violation).

        Raises:
            ValidationError: the item is not part of the inspection or not the inspector's
                department's.
            CheckInRejected: the inspector never checked in to this inspection.
        """
        return results.record_result(self._context, inspection_id, inspector_id, item, outcome, note, evidence)

    def acknowledge_result(self, result_id: str, signer: str) -> ResultRecord:
        """The enterprise confirms a result with its electronic signature (``signer``).

        Raises:
            IllegalTransition: already acknowledged.
        """
        return results.acknowledge_result(self._context, result_id, signer)

    def shared_records(self, enterprise: str, items: Sequence[str]) -> list[ResultRecord]:
        """Same-item results of one enterprise within the sharing lookback, oldest first
        (never another enterprise's)."""
        return results.shared_records(self._context, enterprise, items)

    # ------------------------------------------------------------- rectification

    def submit_rectification(
        self, rect_id: str, evidence: Sequence[str], note: str = "", actor: str = "enterprise"
    ) -> Rectification:
        """The enterprise uploads evidence of its fix (online submission)."""
        return rectification.submit_rectification(self._context, rect_id, evidence, note, actor)

    def accept_rectification(self, rect_id: str, actor: str, mode: str = "remote") -> Rectification:
        """The department accepts the fix, remotely (云验收) or ``"on_site"``."""
        return rectification.accept_rectification(self._context, rect_id, actor, mode)

    def reject_rectification(
        self, rect_id: str, actor: str, reason: str, new_deadline: pendulum.DateTime
    ) -> Rectification:
        """The department rejects the fix with a reason; it is open again until ``new_deadline``."""
        return rectification.reject_rectification(self._context, rect_id, actor, reason, new_deadline)

    def refuse_rectification(self, rect_id: str, actor: str, note: str = "") -> Rectification:
        """Record that the enterprise refuses to rectify: it becomes a key supervision target."""
        return rectification.refuse_rectification(self._context, rect_id, actor, note)

    def sweep_overdue(self, actor: str = "system") -> list[Rectification]:
        """Mark open rectifications past their deadline overdue and warn; return them."""
        return rectification.sweep_overdue(self._context, actor)

    # ----------------------------------------------------------------- feedback

    def rate(self, inspection_id: str, score: int, comment: str = "", *, anonymous: bool = False) -> Evaluation:
        """The enterprise rates a completed inspection (0-100), once.

        Raises:
            ValidationError: score out of range.
            IllegalTransition: not completed yet, or already rated.
        """
        return feedback.rate(self._context, inspection_id, score, comment, anonymous)

    def complain(self, inspection_id: str, reason: ComplaintReason | str, text: str) -> Complaint:
        """The enterprise complains about an inspection; the supervising office hears it."""
        return feedback.complain(self._context, inspection_id, reason, text)

    # ------------------------------------------------------------------ queries

    def inspection(self, inspection_id: str) -> Inspection:
        """One inspection (follow ``successor`` for a superseded one)."""
        return queries.inspection(self._context, inspection_id)

    def plan(self, plan_id: str) -> Plan:
        """One plan."""
        return queries.plan(self._context, plan_id)

    def inspections_of(self, enterprise: str) -> list[Inspection]:
        """Every inspection of one enterprise, oldest first."""
        return queries.inspections_of(self._context, enterprise)

    def rectifications_of(self, enterprise: str) -> list[Rectification]:
        """Every rectification of one enterprise, oldest first."""
        return queries.rectifications_of(self._context, enterprise)

    def enterprise(self, credit_code: str) -> Enterprise:
        """One enterprise."""
        return queries.enterprise(self._context, credit_code)

    def verify_audit(self) -> int:
        """Verify the whole audit chain; return its length.

        Raises:
            AuditChainBroken: at the first altered, removed or reordered entry.
        """
        return queries.verify_audit(self._context)
