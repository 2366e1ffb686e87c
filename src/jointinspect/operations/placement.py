"""Placement: join a plan to an open inspection it shares enough time with, or reserve a
new visit for it, under the frequency rules (issue 8: a visit happens inside the window of
every plan it serves, and the ledger counts the visit as it really happens)."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.errors import FrequencyBlocked
from jointinspect.model._trusted import builder, sorted_names
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, Window
from jointinspect.model.result import ResultRecord
from jointinspect.operations._unit import Context, Effects
from jointinspect.operations.conflicts import flag_conflicts
from jointinspect.operations.reservations import ledger_for
from jointinspect.policy.schema import FrequencyRule
from jointinspect.requests import FilingOutcome, filing_outcome
from jointinspect.rules import filing as filing_rules
from jointinspect.rules.commonday import CommonDay, common_day
from jointinspect.rules.frequency import LedgerDecision, Reservation, ReservationState, RuleHit
from jointinspect.rules.matching import Group, group_of, joinable, merge_targets, reaching
from jointinspect.timeutil import iso, local_date


def place(
    context: Context,
    effects: Effects,
    plan: Plan,
    shared: tuple[ResultRecord, ...],
    exempt: bool,
    existing: bool = False,
) -> FilingOutcome:
    """Join ``plan`` to the best open inspection that keeps every rule, or reserve a new visit."""
    uow = effects.uow
    matching = context.policy.matching
    # Bounded reads (issue 15): only visits holding a plan that can still share the minimum.
    open_inspections = uow.inspections.open_for_enterprise(plan.enterprise, reaching(plan, effects.now, matching))
    days = days_of(context)
    plans_by_id: dict[str, Plan] = {}
    targets: list[tuple[Inspection, Window]] = []
    if open_inspections:  # (no visit to join: nothing to read, no target)
        plans_by_id = {p.id: p for p in uow.plans.for_inspections([i.id for i in open_inspections])}
        targets = merge_targets(plan, open_inspections, plans_by_id, effects.now, matching, days)
    warnings: tuple[RuleHit, ...] = ()
    inspection: Inspection | None = None
    for target, window in targets:
        joined = _join(context, effects, plan, target, plans_by_id, window, days)
        if joined is None:
            continue  # the moved visit would break a blocking rule: try the next
        plan, inspection, warnings = joined
        break
    merged = inspection is not None
    if inspection is None:
        plan, inspection, warnings = _reserve(context, effects, plan, days)
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
    flag_conflicts(context, effects, inspection)
    # by position, past attrs' __init__ (no converters): one outcome a plan
    return filing_outcome(plan, inspection, merged, (), warnings, shared, exempt, False)


def days_of(context: Context) -> CommonDay | None:
    """The days a joint visit's common time must lie in (policy zone and filing calendar)."""
    policy = context.policy
    return common_day(policy.matching, policy.zone, policy.filing)


def rule_named(context: Context, name: str) -> FrequencyRule:
    """The policy's frequency rule called ``name``."""
    return next(r for r in context.policy.frequency if r.name == name)


def reservation_for(context: Context, effects: Effects, inspection: Inspection) -> Reservation:
    """The ledger entry that counts ``inspection`` as it is now: its start, kind, lead
    department, every department and every inspector (pending until commit when the ledger
    is separate)."""
    external = context.ledger is not None
    return Reservation.checked(
        id=inspection.reservation_id or inspection.id,
        enterprise=inspection.enterprise,
        department=inspection.lead_department,
        inspectors=inspection.inspectors,
        kind=inspection.kind,
        at=inspection.window.start,
        state=ReservationState.PENDING if external else ReservationState.CONFIRMED,
        expires_at=effects.now + context.pending_ttl if external else None,
        departments=inspection.departments,
        # a visit's converters make its names what a reservation's make them
        names_checked=type(inspection) is Inspection,
    )


def amend_reservation(
    context: Context, effects: Effects, before: Reservation | None, after: Inspection
) -> LedgerDecision:
    """Make the visit's reservation follow ``after`` (re-checking the blocking rules at its
    new instant); for a separate ledger, confirm after commit and restore ``before`` if the
    unit of work fails. A blocked decision changes nothing."""
    request = reservation_for(context, effects, after)
    checks = filing_rules.frequency_checks(context.policy, request.kind, request.at)
    decision = ledger_for(context, effects.uow).amend(request, checks, effects.now)
    if decision.blocked or context.ledger is None:
        return decision
    ledger, rid, enterprise, now = context.ledger, request.id, request.enterprise, effects.now
    if before is None:
        effects.on_failure.append(lambda: ledger.release(rid, enterprise))
    else:
        previous = before

        def restore() -> None:
            ledger.amend(previous, (), now)

        effects.on_failure.append(restore)
    effects.after_commit.append(lambda: ledger.confirm(rid, enterprise))
    return decision


def current_reservation(context: Context, effects: Effects, inspection: Inspection) -> Reservation | None:
    """The stored reservation of ``inspection``, if any."""
    rid = inspection.reservation_id
    if rid is None:
        return None
    ledger = ledger_for(context, effects.uow)
    return next((r for r in ledger.reservations(inspection.enterprise) if r.id == rid), None)


def describe_group(inspection: Inspection, group: Group, kind_plan: Plan, *, plain: bool = False) -> Inspection:
    """``inspection`` re-described as ``group`` (plans, lead, departments, items, window, kind);
    ``plain``: ``group`` is `group_of` plans that are each exactly a `Plan`."""
    if type(inspection) is not Inspection:  # a subclass may hold more fields
        return attrs.evolve(
            inspection,
            lead_department=group.lead_department,
            plan_ids=group.plan_ids,
            departments=group.departments,
            items=group.items,
            inspectors=group.inspectors,
            window=group.window,
            kind=kind_plan.kind,
        )
    # Of plain plans, the group's items and inspectors are sorted sets of the names their
    # converters made, and the kind is a member; the visit's instants and status are its
    # converters'. The plan ids and departments, which no converter made, are checked.
    build = (
        _build_inspection
        if plain
        and type(kind_plan) is Plan
        and type(group.window) is Window
        and sorted_names(group.plan_ids)
        and sorted_names(group.departments)
        else Inspection.checked
    )
    return build(
        id=inspection.id,
        enterprise=inspection.enterprise,
        lead_department=group.lead_department,
        plan_ids=group.plan_ids,
        departments=group.departments,
        items=group.items,
        inspectors=group.inspectors,
        window=group.window,
        kind=kind_plan.kind,
        created_at=inspection.created_at,
        status=inspection.status,
        successor=inspection.successor,
        reservation_id=inspection.reservation_id,
        completed_at=inspection.completed_at,
    )


def lead_member(members: list[Plan], lead: str) -> tuple[Plan, bool]:
    """The first of ``members`` of department ``lead``, and whether each is exactly a `Plan`
    (`describe_group`'s ``plain``), in one pass."""
    found, plain = None, True
    for member in members:
        if type(member) is not Plan:
            plain = False
        if found is None and member.department == lead:
            found = member
    if found is None:  # (the lead is chosen among the members: never)
        raise LookupError(f"no member of lead department {lead!r}")
    return found, plain


def _join(
    context: Context,
    effects: Effects,
    plan: Plan,
    target: Inspection,
    plans_by_id: dict[str, Plan],
    window: Window,
    days: CommonDay | None,
) -> tuple[Plan, Inspection, tuple[RuleHit, ...]] | None:
    """Join ``plan`` to ``target`` (``window``: their common window, from `merge_targets`)
    and move its reservation; ``None`` if a blocking rule forbids it."""
    uow = effects.uow
    plan = plan.placed_in(target.id)
    # The members merge_targets found the window of (placing the plan changes no time).
    members = [plans_by_id[i] for i in target.plan_ids if i in plans_by_id] + [plan]
    group = group_of(members, context.policy.matching, days, window)
    lead_plan, plain = lead_member(members, group.lead_department)
    inspection = describe_group(target, group, lead_plan, plain=plain)
    # Only a separate ledger needs the reservation as it was (to restore it on failure):
    # the store's own ledger rolls back with the unit of work, so it is not read for that.
    before = current_reservation(context, effects, target) if context.ledger is not None else None
    decision = amend_reservation(context, effects, before, inspection)
    if decision.blocked:
        return None
    uow.inspections.update(inspection)
    departments, start = ",".join(inspection.departments), iso(inspection.window.start)
    effects.audit("inspection.merged", inspection.id, plan=plan.id, departments=departments, start=start)
    if inspection.joint:
        for department in inspection.departments:
            effects.notify(
                "inspection.joint",
                Role.DEPARTMENT,
                department,
                inspection.id,
                key=f"inspection.joint:{inspection.id}:{plan.id}:{department}",
                lead=inspection.lead_department,
                start=start,
                departments=departments,
            )
    return plan, inspection, decision.warnings


def _reserve(
    context: Context, effects: Effects, plan: Plan, days: CommonDay | None
) -> tuple[Plan, Inspection, tuple[RuleHit, ...]]:
    """Reserve a new visit under the frequency rules and create its inspection."""
    uow, now = effects.uow, effects.now
    inspection_id = context.ids()
    external = context.ledger is not None
    plan = plan.placed_in(inspection_id)
    group = group_of([plan], context.policy.matching, days)
    # A plan as its converters made it (names a visit's converters keep, a member kind),
    # with text keys: a visit of its own built from its values is built without checking
    # them again.
    own = type(plan) is Plan and type(plan.id) is str and type(plan.department) is str
    request = Reservation.checked(
        id=inspection_id,
        enterprise=plan.enterprise,
        department=plan.department,
        inspectors=plan.inspectors,
        kind=plan.kind,
        at=group.window.start,
        state=ReservationState.PENDING if external else ReservationState.CONFIRMED,
        expires_at=now + context.pending_ttl if external else None,
        departments=group.departments,
        # a plan's converters made its inspectors; its department is the group's only one
        names_checked=own and len(group.departments) == 1,
    )
    checks = filing_rules.frequency_checks(context.policy, plan.kind, request.at)
    decision = ledger_for(context, uow).check_and_reserve(request, checks, now)
    if decision.blocked:
        _refuse(context, effects, plan, decision)
    if context.ledger is not None:
        ledger = context.ledger
        enterprise = plan.enterprise
        effects.on_failure.append(lambda: ledger.release(inspection_id, enterprise))
        effects.after_commit.append(lambda: ledger.confirm(inspection_id, enterprise))
    build = _build_inspection if own and type(group.window) is Window and _is_utc(now) else Inspection.checked
    inspection = build(
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
        status=InspectionStatus.PLANNED,
        successor=None,
        reservation_id=inspection_id,
        completed_at=None,
    )
    uow.inspections.add(inspection)
    effects.audit("inspection.created", inspection.id, plan=plan.id, reservation=inspection_id)
    return plan, inspection, decision.warnings


#: `Inspection` built from its fields as given (`_reserve`, from a plan's own values).
_build_inspection = builder(Inspection)


def _is_utc(value: object) -> bool:
    return type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC


def _refuse(context: Context, effects: Effects, plan: Plan, decision: LedgerDecision) -> None:
    """Raise `FrequencyBlocked`, naming the open visits the plan could join by refiling."""
    hit = decision.blocked[0]
    rule = rule_named(context, hit.rule)
    matching, now = context.policy.matching, effects.now
    # Any visit still open ahead of now, not only those this plan's window reaches (bounded
    # by time all the same: visits already over are not read).
    open_inspections = effects.uow.inspections.open_for_enterprise(plan.enterprise, reaching(None, now, matching))
    could_join = sorted(
        (i for i in open_inspections if joinable(i, now, matching, days_of(context)) and plan.kind in matching.kinds),
        key=lambda i: (i.window.start, i.id),
    )
    visits = ", ".join(f"{i.id}@{local_date(i.window.start, context.policy.zone).isoformat()}" for i in could_join)
    details = {
        "rule": hit.rule,
        "scope": hit.scope_key.partition("/")[2] or None,
        "limit": hit.limit,
        "kinds": ",".join(sorted(rule.counts)),
        "enterprise": plan.enterprise,
        "window": rule.describe(),
        "count": hit.count,
        "hits": [h.rule for h in decision.blocked],
        "open_visits": [i.id for i in could_join],
    }
    if could_join:
        raise FrequencyBlocked("frequency.blocked_joinable", visits=visits, **details)
    raise FrequencyBlocked(**details)
