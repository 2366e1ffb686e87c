"""The engine: the operations a city calls, each one unit of work.

Every operation follows the same shape: open a unit of work, validate, apply pure rules,
write, queue notifications in the outbox and audit entries in the log, commit — or raise
a typed error having changed nothing. After commit the outbox is relayed to the notifier
(at least once; the notifier deduplicates by key).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence

import attrs
import pendulum

from jointinspect import audit as audit_chain
from jointinspect.audit import AuditRecord
from jointinspect.clock import SystemClock
from jointinspect.codes.token import (
    CodeKind,
    encode,
    enterprise_claims,
    inspection_claims,
    new_token_id,
    verify,
)
from jointinspect.errors import (
    ApprovalError,
    CheckInRejected,
    FilingRejected,
    FrequencyBlocked,
    IllegalTransition,
    NotFoundError,
    ValidationError,
)
from jointinspect.memory import MemoryStore
from jointinspect.model._enums import member
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import (
    Department,
    Enterprise,
    GeoPoint,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.policy.schema import FrequencyRule, Policy
from jointinspect.ports import Clock, FrequencyLedger, KeyStore, Notifier, Store, UnitOfWork
from jointinspect.relay import deliver_pending
from jointinspect.requests import (
    CodeView,
    FilingOutcome,
    InspectorView,
    IssuedCode,
    PlanRequest,
    ResultOutcome,
)
from jointinspect.rules import checkin as checkin_rules
from jointinspect.rules import filing
from jointinspect.rules.frequency import Reservation, ReservationState, RuleHit
from jointinspect.rules.matching import group_of, merge_targets
from jointinspect.rules.rectification import RectificationAction, apply

_log = logging.getLogger("jointinspect")


def _new_id() -> str:
    return uuid.uuid4().hex


class _Effects:
    """Notifications and audit records collected during one operation."""

    def __init__(self, uow: UnitOfWork, now: pendulum.DateTime, actor: str) -> None:
        self.uow, self.now, self.actor = uow, now, actor
        # Work outside the unit of work (a separate ledger): run after commit, or undo on failure.
        self.after_commit: list[Callable[[], None]] = []
        self.on_failure: list[Callable[[], None]] = []

    def notify(
        self,
        kind: str,
        role: Role,
        recipient: str,
        subject: str,
        /,
        *,
        key: str | None = None,
        **payload: object,
    ) -> None:
        self.uow.outbox.add(
            Notification(
                key=key or f"{kind}:{subject}:{role}:{recipient}",
                kind=kind,
                role=role,
                recipient=recipient,
                subject=subject,
                at=self.now,
                payload={k: v for k, v in payload.items()},
            )
        )

    def audit(self, action: str, subject: str, **data: object) -> None:
        self.uow.audit.append(AuditRecord(self.now, self.actor, action, subject, data))


@attrs.define
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

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _operation(self, actor: str) -> Iterator[_Effects]:
        """One unit of work; commit on success, then relay notifications."""
        fx: _Effects | None = None
        committed = False
        try:
            with self.store.unit_of_work() as uow:
                fx = _Effects(uow, self.clock.now(), actor)
                yield fx
                uow.commit()
                committed = True
        except BaseException:
            # No reservation without a plan: undo what the separate ledger recorded, unless
            # the store did commit (an error while closing must not drop a committed visit).
            if not committed:
                for undo in fx.on_failure if fx else ():
                    undo()
            raise
        for step in fx.after_commit:
            try:
                step()
            except Exception:  # the operation succeeded; reconcile_reservations repairs the ledger
                _log.warning("post-commit ledger step failed; run reconcile_reservations", exc_info=True)
        if self.auto_deliver and self.notifier is not None:
            self.deliver_notifications()

    def deliver_notifications(self, batch: int = 100) -> int:
        """Relay undelivered outbox notifications to the notifier; return how many.

        Safe to call from several places: delivery is at least once and keyed.
        """
        if self.notifier is None:
            return 0
        return deliver_pending(self.store, self.notifier, batch)

    # ------------------------------------------------------------ reference data

    def add_enterprise(self, enterprise: Enterprise, actor: str = "system") -> Enterprise:
        """Register or update an enterprise."""
        with self._operation(actor) as fx:
            fx.uow.reference.put_enterprise(enterprise)
            fx.audit(
                "enterprise.put",
                enterprise.credit_code,
                credit_class=enterprise.credit_class,
                whitelisted=enterprise.whitelisted,
            )
        return enterprise

    def add_department(self, department: Department, actor: str = "system") -> Department:
        """Register or update a department."""
        with self._operation(actor) as fx:
            fx.uow.reference.put_department(department)
            fx.audit("department.put", department.code)
        return department

    def add_inspector(self, inspector: Inspector, actor: str = "system") -> Inspector:
        """Register or update an inspector; the department must exist."""
        with self._operation(actor) as fx:
            self._department(fx.uow, inspector.department)
            fx.uow.reference.put_inspector(inspector)
            fx.audit("inspector.put", inspector.id, certificate=inspector.certificate_no)
        return inspector

    def add_item(self, item: SupervisionItem, actor: str = "system") -> SupervisionItem:
        """Register or update a supervision item; its department must exist."""
        with self._operation(actor) as fx:
            self._department(fx.uow, item.department)
            fx.uow.reference.put_item(item)
            fx.audit("item.put", item.code, department=item.department)
        return item

    def add_scenario(self, scenario: Scenario, actor: str = "system") -> Scenario:
        """Register or update a scenario; every item must exist."""
        with self._operation(actor) as fx:
            for code in scenario.items:
                self._item(fx.uow, code)
            fx.uow.reference.put_scenario(scenario)
            fx.audit("scenario.put", scenario.code, items=",".join(scenario.items))
        return scenario

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
        window = request.window
        with self._operation(actor or request.department) as fx:
            uow, now = fx.uow, fx.now
            uow.lock_enterprise(request.enterprise)
            enterprise = self._enterprise(uow, request.enterprise)
            self._department(uow, request.department)
            by_code = {c: self._item(uow, c) for c in set(request.items)}  # unknown codes raise here
            if request.scenario is not None:
                scenario = uow.reference.get_scenario(request.scenario)
                if scenario is None:
                    raise NotFoundError("reference.not_found", kind="scenario", key=request.scenario)
                for code in scenario.items:
                    if code not in by_code and (it := self._item(uow, code)).checked_by(request.department):
                        by_code[code] = it
            items = [by_code[c] for c in sorted(by_code)]
            filing.check_items(request.department, items)
            inspectors = [self._inspector(uow, i) for i in sorted(set(request.inspectors))]
            filing.check_inspectors(request.department, inspectors, items, window, self.policy)
            exempt = filing.check_advance_notice(request.kind, window, now, self.policy)
            filing.check_quiet_period(request.kind, window, self.policy)
            decision = filing.whitelist_decision(enterprise, request.kind, self.policy.whitelist)
            if decision is filing.WhitelistDecision.REFUSED:
                raise FilingRejected("whitelist.exempt", enterprise=enterprise.credit_code, kind=request.kind)
            pending = decision is filing.WhitelistDecision.NEEDS_APPROVAL
            plan = Plan(
                id=self.ids(),
                enterprise=enterprise.credit_code,
                department=request.department,
                items=[i.code for i in items],
                inspectors=[i.id for i in inspectors],
                window=window,
                kind=request.kind,
                filed_at=now,
                status=PlanStatus.PENDING_APPROVAL if pending else PlanStatus.ACTIVE,
                reason=request.reason,
            )
            shared = tuple(self._shared(uow, enterprise.credit_code, plan.items, now))
            fx.audit(
                "plan.filed",
                plan.id,
                enterprise=plan.enterprise,
                department=plan.department,
                kind=plan.kind,
                start=window.start.isoformat(),
                end=window.end.isoformat(),
                items=",".join(plan.items),
                status=plan.status,
            )
            # 备案: the filing record goes to the department's legal office and to justice.
            for role, who in ((Role.LEGAL_OFFICE, plan.department), (Role.SUPERVISOR, "judicial")):
                fx.notify(
                    "plan.filed",
                    role,
                    who,
                    plan.id,
                    enterprise=plan.enterprise,
                    department=plan.department,
                    kind=plan.kind,
                    start=window.start.isoformat(),
                )
            if exempt:
                fx.notify(
                    "plan.unplanned_reported",
                    Role.SUPERVISOR,
                    "judicial",
                    plan.id,
                    kind=plan.kind,
                    enterprise=plan.enterprise,
                    reason=plan.reason,
                )
            if shared:
                fx.notify(
                    "results.shared", Role.DEPARTMENT, plan.department, plan.id, records=",".join(r.id for r in shared)
                )
            if pending:
                uow.plans.add(plan)
                for role in self.policy.whitelist.approvers:
                    fx.notify(
                        "approval.requested",
                        role,
                        role.value,
                        plan.id,
                        enterprise=plan.enterprise,
                        department=plan.department,
                    )
                outcome = FilingOutcome(plan, None, shared_records=shared, exempt_notice=exempt)
            else:
                outcome = self._place(fx, plan, shared, exempt)
        return outcome

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
        role = member(Role)(role)
        with self._operation(actor or role.value) as fx:
            uow = fx.uow
            plan = self._plan(uow, plan_id)
            uow.lock_enterprise(plan.enterprise)
            plan = self._plan(uow, plan_id)  # re-read under the lock
            if plan.status is not PlanStatus.PENDING_APPROVAL:
                raise ApprovalError("approval.not_pending", plan=plan_id, status=plan.status)
            needed = [r for r in self.policy.whitelist.approvers if r.value not in plan.approvals]
            if role not in needed:
                raise ApprovalError(
                    "approval.wrong_role", role=role, plan=plan_id, needed=",".join(r.value for r in needed) or "-"
                )
            if not approve:
                plan = attrs.evolve(plan, status=PlanStatus.REJECTED, reason=reason)
                uow.plans.update(plan)
                fx.audit("plan.rejected", plan.id, role=role, reason=reason)
                fx.notify("plan.rejected", Role.DEPARTMENT, plan.department, plan.id, reason=reason)
                outcome = FilingOutcome(plan, None)
            else:
                plan = attrs.evolve(plan, approvals=(*plan.approvals, role.value))
                fx.audit("plan.approved", plan.id, role=role, reason=reason)
                if len(needed) > 1:
                    uow.plans.update(plan)
                    outcome = FilingOutcome(plan, None)
                else:
                    plan = attrs.evolve(plan, status=PlanStatus.ACTIVE)
                    shared = tuple(self._shared(uow, plan.enterprise, plan.items, fx.now))
                    outcome = self._place(fx, plan, shared, False, existing=True)
                    fx.notify("plan.approved", Role.DEPARTMENT, plan.department, plan.id)
        return outcome

    def _place(
        self,
        fx: _Effects,
        plan: Plan,
        shared: tuple[ResultRecord, ...],
        exempt: bool,
        existing: bool = False,
    ) -> FilingOutcome:
        """Merge ``plan`` into close open inspections, or reserve a new visit for it."""
        uow, now = fx.uow, fx.now
        open_inspections = [
            i for i in uow.inspections.for_enterprise(plan.enterprise) if i.status is InspectionStatus.PLANNED
        ]
        plans_by_id = {p.id: p for p in uow.plans.for_enterprise(plan.enterprise)}
        targets = merge_targets(plan, open_inspections, plans_by_id, self.policy.matching)
        warnings: tuple[RuleHit, ...] = ()
        superseded: list[Inspection] = []
        if not targets:
            inspection_id = self.ids()
            external = self.ledger is not None
            request = Reservation(
                id=inspection_id,
                enterprise=plan.enterprise,
                department=plan.department,
                inspectors=plan.inspectors,
                kind=plan.kind,
                at=plan.window.start,
                state=ReservationState.PENDING if external else ReservationState.CONFIRMED,
                expires_at=now + self.pending_ttl if external else None,
            )
            checks = filing.frequency_checks(self.policy, plan.kind, plan.window.start)
            decision = self._ledger(uow).check_and_reserve(request, checks, now)
            if decision.blocked:
                hit = decision.blocked[0]
                rule = self._rule(hit.rule)
                raise FrequencyBlocked(
                    rule=hit.rule,
                    limit=hit.limit,
                    kinds=",".join(sorted(rule.counts)),
                    enterprise=plan.enterprise,
                    window=rule.describe(),
                    count=hit.count,
                    hits=[h.rule for h in decision.blocked],
                )
            warnings = decision.warnings
            if self.ledger is not None:
                ledger = self.ledger
                ent = plan.enterprise
                fx.on_failure.append(lambda: ledger.release(inspection_id, ent))
                fx.after_commit.append(lambda: ledger.confirm(inspection_id, ent))
            plan = attrs.evolve(plan, inspection_id=inspection_id)
            group = group_of([plan], self.policy.matching)
            inspection = Inspection(
                id=inspection_id,
                enterprise=plan.enterprise,
                lead_department=group.lead_department,
                plan_ids=group.plan_ids,
                departments=group.departments,
                items=group.items,
                inspectors=group.inspectors,
                window=group.window,
                kind=plan.kind,
                created_at=now,
                reservation_id=inspection_id,
            )
            uow.inspections.add(inspection)
            fx.audit("inspection.created", inspection.id, plan=plan.id, reservation=inspection_id)
        else:
            survivor, others = targets[0], targets[1:]
            plan = attrs.evolve(plan, inspection_id=survivor.id)
            # the new plan is in no target yet: the members are the targets' plans plus it
            members = [plans_by_id[i] for t in targets for i in t.plan_ids if i in plans_by_id] + [plan]
            group = group_of(members, self.policy.matching)
            lead_plan = next(m for m in members if m.department == group.lead_department)
            inspection = attrs.evolve(
                survivor,
                lead_department=group.lead_department,
                plan_ids=group.plan_ids,
                departments=group.departments,
                items=group.items,
                inspectors=group.inspectors,
                window=group.window,
                kind=lead_plan.kind,
            )
            uow.inspections.update(inspection)
            for other in others:
                gone = attrs.evolve(other, status=InspectionStatus.SUPERSEDED, successor=survivor.id)
                uow.inspections.update(gone)
                superseded.append(gone)
                if other.reservation_id:
                    self._release_later(fx, other.reservation_id, other.enterprise)
                for pid in other.plan_ids:
                    if pid in plans_by_id:
                        uow.plans.update(attrs.evolve(plans_by_id[pid], inspection_id=survivor.id))
                fx.audit("inspection.superseded", other.id, successor=survivor.id)
            fx.audit("inspection.merged", inspection.id, plan=plan.id, departments=",".join(inspection.departments))
            if inspection.joint:
                for dept in inspection.departments:
                    fx.notify(
                        "inspection.joint",
                        Role.DEPARTMENT,
                        dept,
                        inspection.id,
                        key=f"inspection.joint:{inspection.id}:{plan.id}:{dept}",
                        lead=inspection.lead_department,
                        start=inspection.window.start.isoformat(),
                        departments=",".join(inspection.departments),
                    )
        if existing:
            uow.plans.update(plan)
        else:
            uow.plans.add(plan)
        for hit in warnings:
            rule = self._rule(hit.rule)
            fx.notify(
                "frequency.warning",
                rule.notify,
                "judicial",
                inspection.id,
                key=f"frequency.warning:{inspection.id}:{hit.rule}:{hit.scope_key}",
                rule=hit.rule,
                count=hit.count,
                limit=hit.limit,
                scope=hit.scope_key,
                enterprise=plan.enterprise,
            )
            fx.audit("frequency.warning", inspection.id, rule=hit.rule, count=hit.count)
        return FilingOutcome(
            plan,
            inspection,
            merged=bool(targets),
            superseded=tuple(s.id for s in superseded),
            warnings=warnings,
            shared_records=shared,
            exempt_notice=exempt,
        )

    def _rule(self, name: str) -> FrequencyRule:
        return next(r for r in self.policy.frequency if r.name == name)

    def _release_later(self, fx: _Effects, reservation_id: str, enterprise: str) -> None:
        """Release a merged visit's reservation: in the transaction, or after commit."""
        if self.ledger is None:
            fx.uow.ledger.release(reservation_id, enterprise)
        else:
            ledger = self.ledger
            fx.after_commit.append(lambda: ledger.release(reservation_id, enterprise))

    def _ledger(self, uow: UnitOfWork) -> FrequencyLedger:
        return self.ledger if self.ledger is not None else uow.ledger

    def reconcile_reservations(self, enterprise: str) -> int:
        """Repair a separate ledger after a crash between commit and confirm: confirm
        pending reservations whose inspection exists, release the others. Returns the
        number of reservations changed."""
        if self.ledger is None:
            return 0
        changed = 0
        now = self.clock.now()
        with self.store.unit_of_work() as uow:
            known = {i.id: i for i in uow.inspections.for_enterprise(enterprise)}
        for res in self.ledger.reservations(enterprise):
            insp = known.get(res.id)
            alive = insp is not None and insp.status is not InspectionStatus.SUPERSEDED
            in_flight = res.state is ReservationState.PENDING and res.expires_at is not None and res.expires_at > now
            if not alive and in_flight:
                continue  # its filing may still be committing; it expires by itself otherwise
            if res.state is ReservationState.PENDING and alive:
                self.ledger.confirm(res.id, enterprise)
                changed += 1
            elif not alive:
                self.ledger.release(res.id, enterprise)
                changed += 1
        return changed

    # -------------------------------------------------------------------- codes

    def _keys(self) -> KeyStore:
        if self.keys is None:
            raise ValidationError("input.invalid", reason="the engine has no key store (keys=...)")
        return self.keys

    def issue_inspection_code(self, inspection_id: str, actor: str = "system") -> IssuedCode:
        """Sign the inspection code (检查码) of an inspection; valid until its window ends
        (plus clock tolerance). "No code, no entry."

        Raises:
            CheckInRejected: the inspection was superseded, completed or cancelled.
        """
        key_id, private = self._keys().signing_key()
        with self._operation(actor) as fx:
            insp = self._inspection(fx.uow, inspection_id)
            if insp.status is InspectionStatus.SUPERSEDED:
                raise CheckInRejected("checkin.inspection_superseded", inspection=insp.id, successor=insp.successor)
            if insp.status in (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED):
                raise CheckInRejected("checkin.inspection_closed", inspection=insp.id, status=insp.status.value)
            if insp.window.end.replace(microsecond=0) <= fx.now.replace(microsecond=0):
                raise CheckInRejected("code.window_over", inspection=insp.id, end=insp.window.end.isoformat())
            claims = inspection_claims(
                key_id=key_id,
                token_id=new_token_id(),
                issued_at=fx.now,
                expires_at=insp.window.end,
                inspection_id=insp.id,
                enterprise=insp.enterprise,
                window=insp.window,
            )
            token = encode(claims, private)
            fx.audit("code.issued", insp.id, token_id=claims.token_id, key_id=key_id)
        return IssuedCode(token, claims.token_id, insp.id, claims.expires_at)

    def issue_enterprise_code(self, credit_code: str, actor: str = "system") -> IssuedCode:
        """Sign the standing enterprise code (企业码) posted at the gate."""
        key_id, private = self._keys().signing_key()
        with self._operation(actor) as fx:
            ent = self._enterprise(fx.uow, credit_code)
            claims = enterprise_claims(
                key_id=key_id,
                token_id=new_token_id(),
                issued_at=fx.now,
                expires_at=fx.now.add(days=self.policy.checkin.enterprise_code_days),
                enterprise=ent.credit_code,
            )
            token = encode(claims, private)
            fx.audit("code.issued", ent.credit_code, token_id=claims.token_id, key_id=key_id)
        return IssuedCode(token, claims.token_id, ent.credit_code, claims.expires_at)

    def describe_code(self, token: str) -> CodeView:
        """What the enterprise sees when it scans an inspection code: departments, items,
        inspectors with certificate numbers, and the window.

        Raises:
            TokenError: the code does not verify or has expired.
        """
        claims = verify(
            token, self._keys(), self.clock.now(), self.policy.checkin.tolerance, expected_kind=CodeKind.INSPECTION
        )
        with self.store.unit_of_work() as uow:
            insp = self._inspection(uow, claims.subject)
            depts = tuple((d, self._department(uow, d).name) for d in insp.departments)
            items = tuple((c, self._item(uow, c).name) for c in insp.items)
            people = []
            for pid in insp.inspectors:
                p = self._inspector(uow, pid)
                people.append(InspectorView(p.id, p.name, p.department, p.certificate_no, p.valid_until))
        return CodeView(
            inspection_id=insp.id,
            enterprise=insp.enterprise,
            status=insp.status.value,
            lead_department=insp.lead_department,
            departments=depts,
            items=items,
            inspectors=tuple(people),
            window=insp.window,
            joint=insp.joint,
        )

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
        keys, tolerance = self._keys(), self.policy.checkin.tolerance
        now = self.clock.now()
        claims = verify(inspection_code, keys, now, tolerance, expected_kind=CodeKind.INSPECTION)
        ent_claims = None
        if enterprise_code is not None:
            ent_claims = verify(enterprise_code, keys, now, tolerance, expected_kind=CodeKind.ENTERPRISE)
        scanned = checkin_rules.check_codes_match(claims, ent_claims, self.policy.checkin.require_enterprise_scan)
        with self._operation(inspector_id) as fx:
            uow = fx.uow
            insp = uow.inspections.get(claims.subject)
            if insp is None:
                raise CheckInRejected("checkin.inspection_unknown", inspection=claims.subject)
            uow.lock_enterprise(insp.enterprise)
            insp = self._inspection(uow, claims.subject)  # re-read under the lock
            inspector = self._inspector(uow, inspector_id)
            enterprise = self._enterprise(uow, insp.enterprise)
            item_fields = {
                c: it.field for c in insp.items if (it := self._item(uow, c)).checked_by(inspector.department)
            }
            distance = checkin_rules.check_presence(
                inspection=insp,
                inspector=inspector,
                enterprise=enterprise,
                item_fields=item_fields,
                position=position,
                at=fx.now,
                policy=self.policy.checkin,
                zone=self.policy.zone,
            )
            if any(
                v.inspector_id == inspector_id and v.checked_out_at is None for v in uow.visits.for_inspection(insp.id)
            ):
                raise CheckInRejected("checkin.already_checked_in", inspector=inspector_id, inspection=insp.id)
            if self.policy.checkin.one_time_codes:
                guard_key = f"{claims.token_id}:{inspector_id}"
                if not self.store.replay_guard().consume(guard_key, claims.expires_at.add(days=1), fx.now):
                    raise CheckInRejected("checkin.replayed", inspector=inspector_id)
            visit = Visit(
                id=self.ids(),
                inspection_id=insp.id,
                inspector_id=inspector_id,
                enterprise=insp.enterprise,
                checked_in_at=fx.now,
                position=position,
                distance_m=round(distance, 1),
                token_id=claims.token_id,
                scanned=scanned,
            )
            uow.visits.add(visit)
            if insp.status is InspectionStatus.PLANNED:
                uow.inspections.update(attrs.evolve(insp, status=InspectionStatus.IN_PROGRESS))
            fx.audit(
                "visit.checked_in",
                insp.id,
                inspector=inspector_id,
                visit=visit.id,
                distance_m=visit.distance_m,
                scanned=scanned,
            )
            if not scanned:
                fx.notify(
                    "checkin.no_scan",
                    Role.SUPERVISOR,
                    "judicial",
                    visit.id,
                    inspection=insp.id,
                    inspector=inspector_id,
                    enterprise=insp.enterprise,
                )
            fx.notify(
                "checkin.entered",
                Role.ENTERPRISE,
                insp.enterprise,
                visit.id,
                inspector=inspector.name,
                certificate=inspector.certificate_no,
                department=inspector.department,
            )
        return visit

    def check_out(self, inspection_id: str, inspector_id: str) -> Visit:
        """Check an inspector out, recording the visit's duration; the inspection completes
        when everyone has left, and the enterprise is asked to rate it.

        Raises:
            CheckInRejected: ``checkin.not_checked_in`` when there is no open visit.
        """
        with self._operation(inspector_id) as fx:
            uow = fx.uow
            uow.lock_enterprise(self._inspection(uow, inspection_id).enterprise)
            insp = self._inspection(uow, inspection_id)  # re-read under the lock
            visits = uow.visits.for_inspection(inspection_id)
            open_visit = next((v for v in visits if v.inspector_id == inspector_id and v.checked_out_at is None), None)
            if open_visit is None:
                raise CheckInRejected("checkin.not_checked_in", inspector=inspector_id, inspection=inspection_id)
            visit = attrs.evolve(open_visit, checked_out_at=fx.now)
            uow.visits.update(visit)
            duration = visit.duration
            assert duration is not None
            fx.audit(
                "visit.checked_out",
                inspection_id,
                inspector=inspector_id,
                visit=visit.id,
                minutes=int(duration.total_minutes()),
            )
            if all(v.checked_out_at is not None or v.id == visit.id for v in visits):
                uow.inspections.update(attrs.evolve(insp, status=InspectionStatus.COMPLETED, completed_at=fx.now))
                fx.audit("inspection.completed", inspection_id)
                fx.notify(
                    "evaluation.requested",
                    Role.ENTERPRISE,
                    insp.enterprise,
                    inspection_id,
                    minutes=int(duration.total_minutes()),
                )
        return visit

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
        outcome = member(Outcome)(outcome)
        with self._operation(inspector_id) as fx:
            uow, now = fx.uow, fx.now
            insp = self._inspection(uow, inspection_id)
            inspector = self._inspector(uow, inspector_id)
            if item not in insp.items:
                raise ValidationError("result.item_not_in_inspection", item=item, inspection=inspection_id)
            it = self._item(uow, item)
            if not it.checked_by(inspector.department):
                raise ValidationError(
                    "filing.item_not_owned", item=item, owner=it.department, department=inspector.department
                )
            if not any(v.inspector_id == inspector_id for v in uow.visits.for_inspection(inspection_id)):
                raise CheckInRejected("result.not_checked_in", inspection=inspection_id)
            ever = uow.results.for_enterprise(insp.enterprise, [item], pendulum.datetime(1970, 1, 1))
            lookback = self._lookback(now)
            recent = [r for r in ever if r.recorded_at >= lookback]
            responsible = recent[0].responsible_department if recent else inspector.department
            first_violation = not any(r.outcome is Outcome.FAIL for r in ever)
            guidance = (
                outcome is Outcome.FAIL
                and first_violation
                and it.first_violation_guidance
                and self.policy.rectification.first_violation_guidance
            )
            result = ResultRecord(
                id=self.ids(),
                inspection_id=inspection_id,
                enterprise=insp.enterprise,
                department=inspector.department,
                inspector_id=inspector_id,
                item=item,
                outcome=outcome,
                note=note,
                evidence=tuple(evidence),
                recorded_at=now,
                responsible_department=responsible,
                guidance=guidance,
            )
            uow.results.add(result)
            fx.audit(
                "result.recorded", result.id, inspection=inspection_id, item=item, outcome=outcome, guidance=guidance
            )
            rect = None
            if outcome is Outcome.FAIL:
                rect = Rectification(
                    id=self.ids(),
                    result_id=result.id,
                    enterprise=insp.enterprise,
                    department=inspector.department,
                    item=item,
                    deadline=now.add(days=self.policy.rectification.deadline_days),
                    state=RectificationState.OPEN,
                    opened_at=now,
                    guidance=guidance,
                )
                uow.rectifications.add(rect)
                fx.audit(
                    "rectification.opened",
                    rect.id,
                    result=result.id,
                    deadline=rect.deadline.isoformat(),
                    guidance=guidance,
                )
                fx.notify(
                    "rectification.opened",
                    Role.ENTERPRISE,
                    insp.enterprise,
                    rect.id,
                    item=item,
                    deadline=rect.deadline.isoformat(),
                    guidance=guidance,
                )
        return ResultOutcome(result, rect)

    def acknowledge_result(self, result_id: str, signer: str) -> ResultRecord:
        """The enterprise confirms a result with its electronic signature (``signer``).

        Raises:
            IllegalTransition: already acknowledged.
        """
        with self._operation(signer) as fx:
            result = fx.uow.results.get(result_id)
            if result is None:
                raise NotFoundError(kind="result", key=result_id)
            if result.acknowledged_at is not None:
                raise IllegalTransition("result.already_acknowledged", result=result_id)
            result = attrs.evolve(result, acknowledged_at=fx.now, acknowledged_by=signer)
            fx.uow.results.update(result)
            fx.audit("result.acknowledged", result_id, signer=signer)
        return result

    def shared_records(self, enterprise: str, items: Sequence[str]) -> list[ResultRecord]:
        """Same-item results of one enterprise within the sharing lookback, oldest first
        (never another enterprise's)."""
        with self.store.unit_of_work() as uow:
            return self._shared(uow, enterprise, items, self.clock.now())

    def _lookback(self, now: pendulum.DateTime) -> pendulum.DateTime:
        return now.subtract(months=self.policy.sharing.lookback_months)

    def _shared(
        self, uow: UnitOfWork, enterprise: str, items: Sequence[str], now: pendulum.DateTime
    ) -> list[ResultRecord]:
        return uow.results.for_enterprise(enterprise, list(items), self._lookback(now))

    # ------------------------------------------------------------- rectification

    def _rectify(self, rect_id: str, action: RectificationAction, actor: str, **kwargs: object) -> Rectification:
        with self._operation(actor) as fx:
            rect = fx.uow.rectifications.get(rect_id)
            if rect is None:
                raise NotFoundError(kind="rectification", key=rect_id)
            return self._transition(fx, rect, action, **kwargs)

    def _transition(
        self, fx: _Effects, rect: Rectification, action: RectificationAction, **kwargs: object
    ) -> Rectification:
        """Apply one action inside an operation: store, audit, notify."""
        after = apply(rect, action, at=fx.now, actor=fx.actor, **kwargs)  # type: ignore[arg-type]
        fx.uow.rectifications.update(after)
        fx.audit(f"rectification.{action.value}", rect.id, state=after.state, deadline=after.deadline.isoformat())
        self._rectification_effects(fx, after, action)
        return after

    def _rectification_effects(self, fx: _Effects, rect: Rectification, action: RectificationAction) -> None:
        key = f"rectification.{action.value}:{rect.id}:{len(rect.history)}"
        if action is RectificationAction.SUBMIT:
            fx.notify("rectification.submitted", Role.DEPARTMENT, rect.department, rect.id, key=key)
        elif action is RectificationAction.REJECT:
            fx.notify(
                "rectification.rejected",
                Role.ENTERPRISE,
                rect.enterprise,
                rect.id,
                key=key,
                deadline=rect.deadline.isoformat(),
                reason=rect.history[-1].note,
            )
        elif action is RectificationAction.ACCEPT:
            fx.notify("rectification.accepted", Role.ENTERPRISE, rect.enterprise, rect.id, key=key)
        elif action is RectificationAction.MARK_OVERDUE:
            for role, who in ((Role.DEPARTMENT, rect.department), (Role.SUPERVISOR, "judicial")):
                fx.notify(
                    "rectification.overdue",
                    role,
                    who,
                    rect.id,
                    key=f"{key}:{role}",
                    enterprise=rect.enterprise,
                    deadline=rect.deadline.isoformat(),
                )
        elif action is RectificationAction.REFUSE:
            ent = self._enterprise(fx.uow, rect.enterprise)
            fx.uow.reference.put_enterprise(attrs.evolve(ent, key_supervision=True))
            fx.audit("enterprise.key_supervision", rect.enterprise, rectification=rect.id)
            fx.notify(
                "enterprise.key_supervision",
                Role.SUPERVISOR,
                "judicial",
                rect.enterprise,
                key=key,
                rectification=rect.id,
            )

    def submit_rectification(
        self, rect_id: str, evidence: Sequence[str], note: str = "", actor: str = "enterprise"
    ) -> Rectification:
        """The enterprise uploads evidence of its fix (online submission)."""
        return self._rectify(rect_id, RectificationAction.SUBMIT, actor, evidence=tuple(evidence), note=note)

    def accept_rectification(self, rect_id: str, actor: str, mode: str = "remote") -> Rectification:
        """The department accepts the fix, remotely (云验收) or ``"on_site"``."""
        if mode not in ("remote", "on_site"):
            raise ValidationError("input.invalid", reason=f"acceptance mode {mode!r} is not remote or on_site")
        return self._rectify(rect_id, RectificationAction.ACCEPT, actor, accepted_mode=mode)

    def reject_rectification(
        self, rect_id: str, actor: str, reason: str, new_deadline: pendulum.DateTime
    ) -> Rectification:
        """The department rejects the fix with a reason; it is open again until ``new_deadline``."""
        return self._rectify(rect_id, RectificationAction.REJECT, actor, note=reason, new_deadline=new_deadline)

    def refuse_rectification(self, rect_id: str, actor: str, note: str = "") -> Rectification:
        """Record that the enterprise refuses to rectify: it becomes a key supervision target."""
        return self._rectify(rect_id, RectificationAction.REFUSE, actor, note=note)

    def sweep_overdue(self, actor: str = "system") -> list[Rectification]:
        """Mark open rectifications past their deadline overdue and warn; return them."""
        marked = []
        with self._operation(actor) as fx:
            for rect in fx.uow.rectifications.due_before(fx.now):
                if rect.state is RectificationState.OPEN:
                    marked.append(self._transition(fx, rect, RectificationAction.MARK_OVERDUE))
        return marked

    # ----------------------------------------------------------------- feedback

    def rate(self, inspection_id: str, score: int, comment: str = "", *, anonymous: bool = False) -> Evaluation:
        """The enterprise rates a completed inspection (0-100), once.

        Raises:
            ValidationError: score out of range.
            IllegalTransition: not completed yet, or already rated.
        """
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            raise ValidationError("evaluation.score_range", score=score)
        with self._operation("enterprise") as fx:
            fx.uow.lock_enterprise(self._inspection(fx.uow, inspection_id).enterprise)
            insp = self._inspection(fx.uow, inspection_id)
            if insp.status is not InspectionStatus.COMPLETED:
                raise IllegalTransition("evaluation.not_checked_out", inspection=inspection_id)
            if fx.uow.feedback.get_evaluation(inspection_id) is not None:
                raise IllegalTransition("evaluation.duplicate", inspection=inspection_id)
            ev = Evaluation(inspection_id, insp.enterprise, score, comment, fx.now, anonymous)
            fx.uow.feedback.add_evaluation(ev)
            fx.audit("inspection.rated", inspection_id, score=score, anonymous=anonymous)
            for dept in insp.departments:
                rater = "anonymous" if anonymous else insp.enterprise
                fx.notify("inspection.rated", Role.DEPARTMENT, dept, inspection_id, score=score, rater=rater)
        return ev

    def complain(self, inspection_id: str, reason: ComplaintReason | str, text: str) -> Complaint:
        """The enterprise complains about an inspection; the supervising office hears it."""
        reason = member(ComplaintReason)(reason)
        with self._operation("enterprise") as fx:
            insp = self._inspection(fx.uow, inspection_id)
            complaint = Complaint(self.ids(), inspection_id, insp.enterprise, reason, text, fx.now)
            fx.uow.feedback.add_complaint(complaint)
            fx.audit("complaint.filed", complaint.id, inspection=inspection_id, reason=reason)
            fx.notify(
                "complaint.filed",
                Role.SUPERVISOR,
                "judicial",
                complaint.id,
                inspection=inspection_id,
                enterprise=insp.enterprise,
                reason=reason,
                text=text,
            )
        return complaint

    # ------------------------------------------------------------------ queries

    def inspection(self, inspection_id: str) -> Inspection:
        """One inspection (follow ``successor`` for a superseded one)."""
        with self.store.unit_of_work() as uow:
            return self._inspection(uow, inspection_id)

    def plan(self, plan_id: str) -> Plan:
        """One plan."""
        with self.store.unit_of_work() as uow:
            return self._plan(uow, plan_id)

    def inspections_of(self, enterprise: str) -> list[Inspection]:
        """Every inspection of one enterprise, oldest first."""
        with self.store.unit_of_work() as uow:
            return uow.inspections.for_enterprise(enterprise)

    def rectifications_of(self, enterprise: str) -> list[Rectification]:
        """Every rectification of one enterprise, oldest first."""
        with self.store.unit_of_work() as uow:
            return uow.rectifications.for_enterprise(enterprise)

    def enterprise(self, credit_code: str) -> Enterprise:
        """One enterprise."""
        with self.store.unit_of_work() as uow:
            return self._enterprise(uow, credit_code)

    def verify_audit(self) -> int:
        """Verify the whole audit chain; return its length.

        Raises:
            AuditChainBroken: at the first altered, removed or reordered entry.
        """
        with self.store.unit_of_work() as uow:
            return audit_chain.verify(uow.audit.entries())

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _enterprise(uow: UnitOfWork, code: str) -> Enterprise:
        found = uow.reference.get_enterprise(code)
        if found is None:
            raise NotFoundError("reference.not_found", kind="enterprise", key=code)
        return found

    @staticmethod
    def _department(uow: UnitOfWork, code: str) -> Department:
        found = uow.reference.get_department(code)
        if found is None:
            raise NotFoundError("reference.not_found", kind="department", key=code)
        return found

    @staticmethod
    def _inspector(uow: UnitOfWork, inspector_id: str) -> Inspector:
        found = uow.reference.get_inspector(inspector_id)
        if found is None:
            raise NotFoundError("reference.not_found", kind="inspector", key=inspector_id)
        return found

    @staticmethod
    def _item(uow: UnitOfWork, code: str) -> SupervisionItem:
        found = uow.reference.get_item(code)
        if found is None:
            raise NotFoundError("reference.not_found", kind="item", key=code)
        return found

    @staticmethod
    def _plan(uow: UnitOfWork, plan_id: str) -> Plan:
        found = uow.plans.get(plan_id)
        if found is None:
            raise NotFoundError(kind="plan", key=plan_id)
        return found

    @staticmethod
    def _inspection(uow: UnitOfWork, inspection_id: str) -> Inspection:
        found = uow.inspections.get(inspection_id)
        if found is None:
            raise NotFoundError(kind="inspection", key=inspection_id)
        return found

    def rebuild_reservations(self, enterprise: str | None = None) -> int:
        """After a failover of a separate ledger, put back the reservations of the store's
        live inspections that it lost and confirm the pending ones (see
        `jointinspect.ledger_rebuild`); ``None`` rebuilds every enterprise. Returns the
        number changed (0 without a separate ledger)."""
        from jointinspect import ledger_rebuild  # noqa: PLC0415 - kept with the method

        if self.ledger is None:
            return 0
        names = [enterprise] if enterprise is not None else ledger_rebuild.enterprises_of(self.store)
        return ledger_rebuild.rebuild_reservations(self.store, self.ledger, names, self.clock.now())
