"""Placement: merge a plan into close open inspections, or reserve a new visit for it
under the frequency rules."""

from __future__ import annotations

import attrs

from jointinspect.errors import FrequencyBlocked
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, InspectionStatus, Plan
from jointinspect.model.result import ResultRecord
from jointinspect.operations._unit import Context, Effects
from jointinspect.operations.reservations import ledger_for, release_later
from jointinspect.policy.schema import FrequencyRule
from jointinspect.requests import FilingOutcome
from jointinspect.rules import filing as filing_rules
from jointinspect.rules.frequency import Reservation, ReservationState, RuleHit
from jointinspect.rules.matching import group_of, merge_targets


def place(
    context: Context,
    effects: Effects,
    plan: Plan,
    shared: tuple[ResultRecord, ...],
    exempt: bool,
    existing: bool = False,
) -> FilingOutcome:
    """Merge ``plan`` into close open inspections, or reserve a new visit for it."""
    uow = effects.uow
    open_inspections = uow.inspections.open_for_enterprise(
        plan.enterprise, plan.window.start - context.policy.matching.gap
    )
    plans_by_id = {p.id: p for p in uow.plans.for_inspections([i.id for i in open_inspections])}
    targets = merge_targets(plan, open_inspections, plans_by_id, context.policy.matching)
    warnings: tuple[RuleHit, ...] = ()
    superseded: list[Inspection] = []
    if not targets:
        plan, inspection, warnings = _reserve(context, effects, plan)
    else:
        plan, inspection, superseded = _merge(context, effects, plan, targets, plans_by_id)
    if existing:
        uow.plans.update(plan)
    else:
        uow.plans.add(plan)
    for hit in warnings:
        rule = rule_named(context, hit.rule)
        effects.notify(
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
        effects.audit("frequency.warning", inspection.id, rule=hit.rule, count=hit.count)
    return FilingOutcome(
        plan,
        inspection,
        merged=bool(targets),
        superseded=tuple(s.id for s in superseded),
        warnings=warnings,
        shared_records=shared,
        exempt_notice=exempt,
    )


def rule_named(context: Context, name: str) -> FrequencyRule:
    """The policy's frequency rule called ``name``."""
    return next(r for r in context.policy.frequency if r.name == name)


def _reserve(context: Context, effects: Effects, plan: Plan) -> tuple[Plan, Inspection, tuple[RuleHit, ...]]:
    """Reserve a new visit under the frequency rules and create its inspection."""
    uow, now = effects.uow, effects.now
    inspection_id = context.ids()
    external = context.ledger is not None
    request = Reservation(
        id=inspection_id,
        enterprise=plan.enterprise,
        department=plan.department,
        inspectors=plan.inspectors,
        kind=plan.kind,
        at=plan.window.start,
        state=ReservationState.PENDING if external else ReservationState.CONFIRMED,
        expires_at=now + context.pending_ttl if external else None,
    )
    checks = filing_rules.frequency_checks(context.policy, plan.kind, plan.window.start)
    decision = ledger_for(context, uow).check_and_reserve(request, checks, now)
    if decision.blocked:
        hit = decision.blocked[0]
        rule = rule_named(context, hit.rule)
        raise FrequencyBlocked(
            rule=hit.rule,
            limit=hit.limit,
            kinds=",".join(sorted(rule.counts)),
            enterprise=plan.enterprise,
            window=rule.describe(),
            count=hit.count,
            hits=[h.rule for h in decision.blocked],
        )
    if context.ledger is not None:
        ledger = context.ledger
        enterprise = plan.enterprise
        effects.on_failure.append(lambda: ledger.release(inspection_id, enterprise))
        effects.after_commit.append(lambda: ledger.confirm(inspection_id, enterprise))
    plan = attrs.evolve(plan, inspection_id=inspection_id)
    group = group_of([plan], context.policy.matching)
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
    effects.audit("inspection.created", inspection.id, plan=plan.id, reservation=inspection_id)
    return plan, inspection, decision.warnings


def _merge(
    context: Context,
    effects: Effects,
    plan: Plan,
    targets: list[Inspection],
    plans_by_id: dict[str, Plan],
) -> tuple[Plan, Inspection, list[Inspection]]:
    """Merge the plan into the first target; the other targets are superseded by it."""
    uow = effects.uow
    survivor, others = targets[0], targets[1:]
    superseded: list[Inspection] = []
    plan = attrs.evolve(plan, inspection_id=survivor.id)
    # the new plan is in no target yet: the members are the targets' plans plus it
    members = [plans_by_id[i] for t in targets for i in t.plan_ids if i in plans_by_id] + [plan]
    group = group_of(members, context.policy.matching)
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
            release_later(context, effects, other.reservation_id, other.enterprise)
        for plan_id in other.plan_ids:
            if plan_id in plans_by_id:
                uow.plans.update(attrs.evolve(plans_by_id[plan_id], inspection_id=survivor.id))
        effects.audit("inspection.superseded", other.id, successor=survivor.id)
    effects.audit("inspection.merged", inspection.id, plan=plan.id, departments=",".join(inspection.departments))
    if inspection.joint:
        for department in inspection.departments:
            effects.notify(
                "inspection.joint",
                Role.DEPARTMENT,
                department,
                inspection.id,
                key=f"inspection.joint:{inspection.id}:{plan.id}:{department}",
                lead=inspection.lead_department,
                start=inspection.window.start.isoformat(),
                departments=",".join(inspection.departments),
            )
    return plan, inspection, superseded
