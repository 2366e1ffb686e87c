"""Filing (备案): validate a plan, apply the whitelist, and place it — or hold it for
approval and place it once every approver has agreed."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import ANY, OWN_DEPARTMENT, RULES, AuthContext, Principal
from jointinspect.errors import ApprovalError, FilingRejected, IdempotencyConflict, NotFoundError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.reference import Enterprise, SupervisionItem
from jointinspect.model.result import ResultRecord
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
    require_inspector,
    require_item,
    require_plan,
)
from jointinspect.operations.placement import place
from jointinspect.operations.results import lookback_start, shared_results
from jointinspect.ports import UnitOfWork
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.rules import filing as filing_rules
from jointinspect.rules import quiet_slots as quiet_rules
from jointinspect.timeutil import iso

_V = TypeVar("_V")

#: What `FilingMemo.checked` keeps for a request: its window, its items' codes and its
#: inspectors' ids, checked, and whether its kind is exempt from notice.
Checked = tuple[Window, tuple[str, ...], tuple[str, ...], bool]


def file_plan(context: Context, request: PlanRequest, by: Principal) -> FilingOutcome:
    """File a plan: validate, apply the whitelist, merge or reserve a visit."""
    by = boundary("file_plan", by)
    request = v.instance_of(request, "request", PlanRequest)
    with operation(context, by) as effects:
        return file_in(context, effects, request, by)


class _Answers(Generic[_V]):
    """Answers by key, the last key asked compared first: a chunk's requests mostly ask
    what the one before asked, and comparing a request's instants with equal ones is cheap
    where hashing them is not (a new instant's first hash asks its zone for the offset:
    ~0.8 us each, two a request). Equal keys get the same answer either way."""

    def __init__(self) -> None:
        self._found: dict[tuple[object, ...], _V] = {}
        self._last: tuple[tuple[object, ...], _V] | None = None

    def get(self, key: tuple[object, ...]) -> _V | None:
        """The answer kept for ``key``, or ``None``."""
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        found = self._found.get(key)
        if found is not None:
            self._last = (key, found)
        return found

    def put(self, key: tuple[object, ...], answer: _V) -> None:
        """Keep ``answer`` for ``key``."""
        self._found[key] = answer
        self._last = (key, answer)


class FilingMemo:
    """What `file_in` found for earlier requests of one bulk-filing chunk (issue 11), reused
    for a later request that asks exactly the same.

    It lives for one chunk only: one unit of work (whose reference records filing never
    writes), one clock reading and one policy, so the same inputs give the same answer.
    Only checks that passed are kept: a request that would be refused goes through every
    check again and is refused by the same first check as alone.
    """

    def __init__(self) -> None:
        #: (department, items, scenario, inspectors, start, end, kind) -> the request's
        #: window (long enough), its items' codes, checked, its inspectors' ids, checked
        #: for those items throughout the window, and whether the kind is exempt from
        #: notice (the notice and the quiet period checked). One key for all: a chunk's
        #: requests mostly repeat the one before, which one comparison then answers.
        self.checked: _Answers[Checked] = _Answers()
        #: `checked`'s answer for a key, if any (its bound method: one call a request).
        self.checked_for = self.checked.get
        #: (kind, credit class, whitelisted) -> the whitelist's decision (the policy's).
        self.whitelist: _Answers[filing_rules.WhitelistDecision] = _Answers()
        #: departments the chunk's principal was allowed to file for, while that answer
        #: depends on the department alone (`department_only`).
        self.permitted: set[str] = set()
        #: the oldest moment a shared result may be from (`lookback_start` of the chunk's
        #: one clock reading), once asked.
        self.lookback: pendulum.DateTime | None = None

    def department_only(self, context: Context) -> bool:
        """Whether ``file_plan``'s authorization reads no fact but the department: no
        extra authorizer (they see every fact) and only the matrix's grants that bind the
        principal's kind and department (`OWN_DEPARTMENT`) or nothing (`ANY`)."""
        rule = RULES.get("file_plan")
        return (
            not context.authorizers
            and rule is not None
            and all(grant.binding is OWN_DEPARTMENT or grant.binding is ANY for grant in rule.grants)
        )


def file_in(
    context: Context, effects: Effects, request: PlanRequest, by: Principal, memo: FilingMemo | None = None
) -> FilingOutcome:
    """`file_plan`'s rules and writes inside an open unit of work (``effects``); bulk
    filing calls it once per request, with one `FilingMemo` per chunk. Every refusal is
    raised before the first write."""
    uow, now = effects.uow, effects.now
    if memo is None or request.department not in memo.permitted:
        facts = AuthContext(department=request.department, enterprise=request.enterprise)
        permit(context, "file_plan", by, facts, request.enterprise)
        # Only an allowed answer is kept: a refusal is decided and logged as alone.
        if memo is not None and memo.department_only(context):
            memo.permitted.add(request.department)
    uow.lock_enterprise(request.enterprise)
    if request.idempotency_key is not None:
        original = uow.plans.by_idempotency_key(request.department, request.idempotency_key)
        if original is not None:
            trimmable = request.kind in context.policy.quiet_slots.kinds and bool(
                uow.quiet_slots.for_enterprise(request.enterprise)
            )
            return _replay(uow, request, original, trimmable)
    key = (
        request.department,
        request.items,
        request.scenario,
        request.inspectors,
        request.start,
        request.end,
        request.kind,
    )
    checked = None if memo is None else memo.checked_for(key)
    if checked is None:
        window = request.window
        filing_rules.check_window_length(window, context.policy)
        enterprise = require_enterprise(uow, request.enterprise)
        codes, inspector_ids = _resolve(context, uow, request, window)
        exempt = filing_rules.check_advance_notice(request.kind, window, now, context.policy)
        filing_rules.check_quiet_period(request.kind, window, context.policy)
        if memo is not None:
            memo.checked.put(key, (window, codes, inspector_ids, exempt))
    else:  # the window's length, the department, items, inspectors and notice passed before
        window, codes, inspector_ids, exempt = checked
        found = uow.reference.get_enterprise(request.enterprise)
        # `require_enterprise` raises for none (asking again finds none again)
        enterprise = require_enterprise(uow, request.enterprise) if found is None else found
    placed = quiet_rules.place_outside(
        request.kind, window, uow.quiet_slots.for_enterprise(request.enterprise), context.policy
    )
    # A routine plan keeps only its time outside the quiet slots (issue 12); `is` first:
    # comparing two windows compares their instants.
    if placed is not window and placed != window:
        request = attrs.evolve(request, start=placed.start, end=placed.end)
    decision = _whitelist_decision(context, enterprise, request.kind, memo)
    if decision is filing_rules.WhitelistDecision.REFUSED:
        raise FilingRejected("whitelist.exempt", enterprise=enterprise.credit_code, kind=request.kind)
    pending = decision is filing_rules.WhitelistDecision.NEEDS_APPROVAL
    plan = _new_plan(context, request, placed, enterprise, codes, inspector_ids, now, pending)
    since = None if memo is None else memo.lookback
    if since is None:
        since = lookback_start(context, now)
        if memo is not None:
            memo.lookback = since
    shared = tuple(shared_results(context, uow, enterprise.credit_code, plan.items, now, since))
    _announce_filing(effects, plan, exempt, shared)
    if pending:
        uow.plans.add(plan)
        for role in context.policy.whitelist.approvers:
            effects.notify(
                "approval.requested",
                role,
                role.value,
                plan.id,
                enterprise=plan.enterprise,
                department=plan.department,
            )
        outcome = FilingOutcome(plan, None, shared_records=shared, exempt_notice=exempt)
    else:
        outcome = place(context, effects, plan, shared, exempt)
    return outcome


def approve_plan(
    context: Context, plan_id: str, role: Role | str | None, approve: bool, reason: str, by: Principal
) -> FilingOutcome:
    """Record one approver's decision on a plan awaiting whitelist approval."""
    by = boundary("approve_plan", by)
    plan_id = v.identifier(plan_id, "plan_id")
    approve = v.boolean(approve, "approve")
    with operation(context, by) as effects:
        uow = effects.uow
        plan = require_plan(uow, plan_id)
        uow.lock_enterprise(plan.enterprise)
        plan = require_plan(uow, plan_id)  # re-read under the lock
        needed = [r for r in context.policy.whitelist.approvers if r.value not in plan.approvals]
        role = _claimed_role(plan_id, role, needed, by)
        facts = AuthContext(
            department=plan.department,
            enterprise=plan.enterprise,
            role=None if role is None else role.value,
            needed_roles=tuple(r.value for r in needed),
            approvals=tuple(zip(plan.approvals, plan.approved_by, strict=False)),
        )
        permit(context, "approve_plan", by, facts, plan_id)
        assert role is not None  # the matrix refuses a principal claiming no role
        if plan.status is not PlanStatus.PENDING_APPROVAL:
            raise ApprovalError("approval.not_pending", plan=plan_id, status=plan.status)
        if role not in needed:
            raise ApprovalError(
                "approval.wrong_role", role=role, plan=plan_id, needed=",".join(r.value for r in needed) or "-"
            )
        if not approve:
            plan = attrs.evolve(plan, status=PlanStatus.REJECTED, reason=reason)
            uow.plans.update(plan)
            effects.audit("plan.rejected", plan.id, role=role, reason=reason)
            effects.notify("plan.rejected", Role.DEPARTMENT, plan.department, plan.id, reason=reason)
            outcome = FilingOutcome(plan, None)
        else:
            # who approved, in step with the roles: a second role needs a distinct principal
            plan = attrs.evolve(
                plan, approvals=(*plan.approvals, role.value), approved_by=(*plan.approved_by, by.actor)
            )
            effects.audit("plan.approved", plan.id, role=role, reason=reason)
            if len(needed) > 1:
                uow.plans.update(plan)
                outcome = FilingOutcome(plan, None)
            else:
                plan = attrs.evolve(plan, status=PlanStatus.ACTIVE)
                shared = tuple(shared_results(context, uow, plan.enterprise, plan.items, effects.now))
                outcome = place(context, effects, plan, shared, False, existing=True)
                effects.notify("plan.approved", Role.DEPARTMENT, plan.department, plan.id)
    return outcome


def _claimed_role(plan_id: str, role: Role | str | None, needed: list[Role], by: Principal) -> Role | None:
    """The role ``by`` approves in: the one given, else the single needed role it holds."""
    if role is not None:
        return member(Role)(role)
    held = [r for r in needed if r.value in by.roles]
    if len(held) > 1:
        raise ApprovalError("approval.role_ambiguous", plan=plan_id, roles=",".join(r.value for r in held))
    return held[0] if held else None


def _whitelist_decision(
    context: Context, enterprise: Enterprise, kind: InspectionKind, memo: FilingMemo | None
) -> filing_rules.WhitelistDecision:
    """`filing_rules.whitelist_decision` for the enterprise, kept in ``memo`` by what it
    reads of the enterprise (its credit class and whitelist flag) and the kind."""
    if memo is None:
        return filing_rules.whitelist_decision(enterprise, kind, context.policy.whitelist)
    key = (kind, enterprise.credit_class, enterprise.whitelisted)
    decision = memo.whitelist.get(key)
    if decision is None:
        decision = filing_rules.whitelist_decision(enterprise, kind, context.policy.whitelist)
        memo.whitelist.put(key, decision)
    return decision


def _resolve(
    context: Context, uow: UnitOfWork, request: PlanRequest, window: Window
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The request's department, items and inspectors read and checked (for the window):
    its items' codes and its inspectors' ids."""
    require_department(uow, request.department)
    items = _items_of(uow, request)
    filing_rules.check_items(request.department, items)
    inspectors = [require_inspector(uow, i) for i in sorted(set(request.inspectors))]
    filing_rules.check_inspectors(request.department, inspectors, items, window, context.policy)
    return tuple([item.code for item in items]), tuple([i.id for i in inspectors])


def _items_of(uow: UnitOfWork, request: PlanRequest) -> list[SupervisionItem]:
    """The request's items plus its scenario's items this department checks, by code."""
    by_code = {code: require_item(uow, code) for code in set(request.items)}  # unknown codes raise here
    if request.scenario is not None:
        scenario = uow.reference.get_scenario(request.scenario)
        if scenario is None:
            raise NotFoundError("reference.not_found", kind="scenario", key=request.scenario)
        for code in scenario.items:
            if code not in by_code and (item := require_item(uow, code)).checked_by(request.department):
                by_code[code] = item
    return [by_code[code] for code in sorted(by_code)]


def _new_plan(
    context: Context,
    request: PlanRequest,
    window: Window,
    enterprise: Enterprise,
    codes: tuple[str, ...],
    inspector_ids: tuple[str, ...],
    now: pendulum.DateTime,
    pending: bool,
) -> Plan:
    # by position (the order of `Plan.checked`'s parameters): filing builds one a request
    return Plan.checked(
        context.ids(),
        enterprise.credit_code,
        request.department,
        codes,
        inspector_ids,
        window,  # the request's, kept out of quiet slots
        request.kind,
        now,
        PlanStatus.PENDING_APPROVAL if pending else PlanStatus.ACTIVE,
        request.reason,
        request.idempotency_key,
        # a request's reason and plan number went through the plan's own converters
        type(request) is PlanRequest,
    )


def _replay(uow: UnitOfWork, request: PlanRequest, original: Plan, trimmable: bool) -> FilingOutcome:
    """The outcome of a plan number filed before: the plan and the visit it is in now.

    Raises:
        IdempotencyConflict: the request differs from the plan filed under that number.
    """
    differs = [
        name
        for name, same in (
            ("enterprise", original.enterprise == request.enterprise),
            # a window trimmed out of quiet slots on filing lies within the one filed (issue 12)
            ("window", original.window == request.window or (trimmable and _within(original.window, request.window))),
            ("kind", original.kind == request.kind),
            ("items", set(request.items) <= set(original.items)),
            ("inspectors", original.inspectors == tuple(sorted(set(request.inspectors)))),
            ("reason", original.reason == request.reason),
        )
        if not same
    ]
    if differs:
        raise IdempotencyConflict(
            department=request.department, key=request.idempotency_key, plan=original.id, field=",".join(differs)
        )
    inspection = None if original.inspection_id is None else uow.inspections.get(original.inspection_id)
    while inspection is not None and inspection.successor is not None:
        inspection = uow.inspections.get(inspection.successor)
    merged = inspection is not None and len(inspection.plan_ids) > 1
    return FilingOutcome(original, inspection, merged=merged, replayed=True)


def _announce_filing(effects: Effects, plan: Plan, exempt: bool, shared: tuple[ResultRecord, ...]) -> None:
    """Audit the filing and send the filing record (and any unplanned-visit report)."""
    window = plan.window
    start = iso(window.start)
    effects.audit(
        "plan.filed",
        plan.id,
        enterprise=plan.enterprise,
        department=plan.department,
        kind=plan.kind,
        start=start,
        end=iso(window.end),
        items=",".join(plan.items),
        status=plan.status,
    )
    # 备案: the filing record goes to the department's legal office and to justice.
    for role, who in ((Role.LEGAL_OFFICE, plan.department), (Role.SUPERVISOR, "judicial")):
        effects.notify(
            "plan.filed",
            role,
            who,
            plan.id,
            enterprise=plan.enterprise,
            department=plan.department,
            kind=plan.kind,
            start=start,
        )
    if exempt:
        effects.notify(
            "plan.unplanned_reported",
            Role.SUPERVISOR,
            "judicial",
            plan.id,
            kind=plan.kind,
            enterprise=plan.enterprise,
            reason=plan.reason,
        )
    if shared:
        effects.notify(
            "results.shared",
            Role.DEPARTMENT,
            plan.department,
            plan.id,
            records=",".join(record.id for record in shared),
        )


def _within(inner: Window, outer: Window) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end
