"""Re-planning (issue 8): bring an enterprise's open visits back to the fewest.

Incremental filing joins a plan to one open visit at most, so after a while an enterprise
may have more visits than batch matching would make of the same plans. `replan` regroups
the plans of every open visit that may still change (planned, nobody checked in, of a
merging kind, at least the minimum of its window ahead) with `match_batch`, each visit's
reservation following it in the same unit of work: kept visits are amended (re-checked
under the blocking rules), the others superseded and their reservations released. If a
regrouped visit would break a blocking rule nothing changes (`FrequencyBlocked`).

Codes of a visit whose window changed are refused afterwards (``code.outdated``; see
docs/concepts.md) and the departments are told to issue new ones.
"""

from __future__ import annotations

from collections import Counter

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import FrequencyBlocked
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, Window
from jointinspect.operations._unit import Context, Effects, boundary, operation, permit
from jointinspect.operations.conflicts import flag_conflicts
from jointinspect.operations.placement import (
    amend_reservation,
    current_reservation,
    days_of,
    describe_group,
    rule_named,
)
from jointinspect.operations.reservations import ledger_for
from jointinspect.requests import ReplanOutcome
from jointinspect.rules.matching import Group, joinable, match_batch, reaching


def replan(context: Context, enterprise: str, by: Principal) -> ReplanOutcome:
    """Regroup ``enterprise``'s open visits into the fewest (see the module docstring)."""
    by = boundary("replan", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    permit(context, "replan", by, AuthContext(enterprise=enterprise), enterprise)
    with operation(context, by) as effects:
        uow, now = effects.uow, effects.now
        uow.lock_enterprise(enterprise)
        matching = context.policy.matching
        reach = reaching(None, now, matching)
        days = days_of(context)
        movable = [
            i for i in uow.inspections.open_for_enterprise(enterprise, reach) if joinable(i, now, matching, days)
        ]
        plans = {p.id: p for p in uow.plans.for_inspections([i.id for i in movable])}
        members = {pid: plans[pid] for i in movable for pid in i.plan_ids if pid in plans}
        if len(movable) < 2 or len(members) != sum(len(i.plan_ids) for i in movable):
            return ReplanOutcome(enterprise, tuple(i.id for i in movable), (), ())
        # Only time still ahead can be used: windows start no earlier than now.
        ahead = [_from_now(p, now) for p in members.values()]
        groups = match_batch(ahead, matching, days)
        if len(groups) >= len(movable):
            return ReplanOutcome(enterprise, tuple(sorted(i.id for i in movable)), (), ())
        kept, changed, superseded = _apply(context, effects, movable, members, groups)
        for inspection in kept:  # a regrouped visit may bring conflicting standards together
            flag_conflicts(context, effects, inspection)
    return ReplanOutcome(enterprise, tuple(sorted(i.id for i in kept)), changed, superseded)


def _from_now(plan: Plan, now: pendulum.DateTime) -> Plan:
    if plan.window.start >= now:
        return plan
    return attrs.evolve(plan, window=Window(now, plan.window.end))


def _apply(
    context: Context,
    effects: Effects,
    movable: list[Inspection],
    members: dict[str, Plan],
    groups: list[Group],
) -> tuple[list[Inspection], tuple[str, ...], tuple[str, ...]]:
    """Write the regrouping: each group keeps the old visit holding most of its plans."""
    uow, now = effects.uow, effects.now
    holder = {pid: insp for insp in movable for pid in insp.plan_ids}
    chosen: dict[str, Inspection] = {}
    taken: set[str] = set()
    for group in groups:
        votes = Counter(holder[pid].id for pid in group.plan_ids)
        best = next(iid for iid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if iid not in taken)
        taken.add(best)
        chosen[group.plan_ids[0]] = next(i for i in movable if i.id == best)
    ledger = ledger_for(context, uow)
    # Release the visits that go away first: they must not count against the ones that stay.
    gone = [i for i in movable if i.id not in taken]
    successor_of: dict[str, str] = {}
    for group in groups:
        for pid in group.plan_ids:
            successor_of.setdefault(holder[pid].id, chosen[group.plan_ids[0]].id)
    for insp in gone:
        before = current_reservation(context, effects, insp)
        if insp.reservation_id is not None:
            ledger.release(insp.reservation_id, insp.enterprise)
            if context.ledger is not None and before is not None:
                _restore_on_failure(context, effects, before)
        uow.inspections.update(
            attrs.evolve(insp, status=InspectionStatus.SUPERSEDED, successor=successor_of.get(insp.id))
        )
        effects.audit("inspection.superseded", insp.id, successor=successor_of.get(insp.id, "-"), reason="replan")
    kept: list[Inspection] = []
    changed: list[str] = []
    for group in groups:
        target = chosen[group.plan_ids[0]]
        plans = [members[pid] for pid in group.plan_ids]
        lead_plan = next(m for m in plans if m.department == group.lead_department)
        inspection = describe_group(target, group, lead_plan)
        decision = amend_reservation(context, effects, current_reservation(context, effects, target), inspection)
        if decision.blocked:
            hit = decision.blocked[0]
            rule = rule_named(context, hit.rule)
            raise FrequencyBlocked(
                rule=hit.rule,
                limit=hit.limit,
                kinds=",".join(sorted(rule.counts)),
                enterprise=inspection.enterprise,
                window=rule.describe(),
                count=hit.count,
                hits=[h.rule for h in decision.blocked],
            )
        uow.inspections.update(inspection)
        for plan in plans:
            if plan.inspection_id != inspection.id:
                uow.plans.update(attrs.evolve(plan, inspection_id=inspection.id))
        kept.append(inspection)
        effects.audit(
            "inspection.replanned",
            inspection.id,
            plans=",".join(inspection.plan_ids),
            start=inspection.window.start.isoformat(),
        )
        if inspection != target:
            changed.append(inspection.id)
            for department in inspection.departments:
                effects.notify(
                    "inspection.replanned",
                    Role.DEPARTMENT,
                    department,
                    inspection.id,
                    key=f"inspection.replanned:{inspection.id}:{now.isoformat()}:{department}",
                    lead=inspection.lead_department,
                    start=inspection.window.start.isoformat(),
                    departments=",".join(inspection.departments),
                )
    return kept, tuple(sorted(changed)), tuple(sorted(i.id for i in gone))


def _restore_on_failure(context: Context, effects: Effects, before: object) -> None:
    ledger, now = context.ledger, effects.now
    assert ledger is not None

    def restore() -> None:
        ledger.amend(before, (), now)  # type: ignore[arg-type]

    effects.on_failure.append(restore)
