"""Conflicting standards (X city): when a visit brings together two items whose standards
the policy declares in conflict (``policy.conflicts``), the engine flags it before the
visit — to both departments and the supervisor, and on the inspection and code views —
and the resolution records which standard prevailed."""

from __future__ import annotations

import attrs

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, NotFoundError, ValidationError
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection
from jointinspect.model.reference import Scenario
from jointinspect.operations._context import Context, Effects
from jointinspect.operations._unit import boundary, operation, permit, require_inspection, require_item


def flag_conflicts(context: Context, effects: Effects, inspection: Inspection) -> list[ConflictFlag]:
    """Flag the declared conflicts among the inspection's items not flagged on it yet
    (called when a plan is placed: filing, approval). Returns the new flags."""
    if not context.policy.conflicts.declared:  # most cities declare none: nothing to look for
        return []
    declared = context.policy.conflicts.among(inspection.items)
    if not declared:
        return []
    uow = effects.uow
    known = {flag.items for flag in uow.conflicts.for_inspection(inspection.id)}
    flagged = []
    for conflict in declared:
        if conflict.pair in known:
            continue
        first, second = (require_item(uow, code) for code in conflict.pair)
        flag = ConflictFlag(
            id=context.ids(),
            inspection_id=inspection.id,
            enterprise=inspection.enterprise,
            items=conflict.pair,
            departments=(first.department, second.department),
            topic=conflict.topic,
            flagged_at=effects.now,
        )
        uow.conflicts.add(flag)
        effects.audit("conflict.flagged", flag.id, inspection=inspection.id, items=",".join(flag.items))
        for department in sorted(set(flag.departments)):
            effects.notify(
                "conflict.flagged",
                Role.DEPARTMENT,
                department,
                flag.id,
                inspection=inspection.id,
                first=first.code,
                second=second.code,
                topic=flag.topic,
            )
        effects.notify(
            "conflict.flagged",
            Role.SUPERVISOR,
            "judicial",
            flag.id,
            inspection=inspection.id,
            first=first.code,
            second=second.code,
            topic=flag.topic,
        )
        flagged.append(flag)
    return flagged


def flag_scenario(context: Context, effects: Effects, scenario: Scenario) -> None:
    """Warn both departments and the supervisor when a scenario (一件事) bundles items whose
    standards the policy declares in conflict (called when the scenario is registered);
    each visit that checks them together is flagged again, on the inspection."""
    for conflict in context.policy.conflicts.among(scenario.items):
        first, second = (require_item(effects.uow, code) for code in conflict.pair)
        effects.audit("conflict.in_scenario", scenario.code, items=",".join(conflict.pair))
        recipients = [(Role.DEPARTMENT, d) for d in sorted({first.department, second.department})]
        for role, recipient in [*recipients, (Role.SUPERVISOR, "judicial")]:
            effects.notify(
                "conflict.in_scenario",
                role,
                recipient,
                scenario.code,
                key=f"conflict.in_scenario:{scenario.code}:{first.code}:{second.code}:{role}:{recipient}",
                first=first.code,
                second=second.code,
                topic=conflict.topic,
            )


def resolve_conflict(context: Context, flag_id: str, prevailing: str, reason: str, by: Principal) -> ConflictFlag:
    """Record which item's standard prevailed on the visit (the lead department or the
    supervisor), with the reason; both departments are told.

    Raises:
        ValidationError: ``conflict.not_a_party``. IllegalTransition: ``conflict.already_resolved``.
    """
    by = boundary("resolve_conflict", by)
    flag_id = v.identifier(flag_id, "flag_id")
    prevailing = v.identifier(prevailing, "prevailing")
    reason = v.text(reason, "reason", required=True)
    with operation(context, by) as effects:
        uow = effects.uow
        flag = uow.conflicts.get(flag_id)
        if flag is None:
            raise NotFoundError(kind="conflict", key=flag_id)
        inspection = require_inspection(uow, flag.inspection_id)
        facts = AuthContext(enterprise=flag.enterprise, lead_department=inspection.lead_department)
        permit(context, "resolve_conflict", by, facts, flag_id)
        uow.lock_enterprise(flag.enterprise)  # one resolution, also under concurrency
        flag = uow.conflicts.get(flag_id) or flag  # re-read under the lock
        if prevailing not in flag.items:
            raise ValidationError("conflict.not_a_party", item=prevailing, items=", ".join(flag.items))
        if flag.prevailing is not None:
            raise IllegalTransition("conflict.already_resolved", flag=flag_id, item=flag.prevailing)
        resolved = attrs.evolve(
            flag, prevailing=prevailing, reason=reason, resolved_by=effects.actor, resolved_at=effects.now
        )
        uow.conflicts.update(resolved)
        effects.audit("conflict.resolved", flag_id, prevailing=prevailing, reason=reason)
        for department in sorted(set(flag.departments)):
            effects.notify(
                "conflict.resolved",
                Role.DEPARTMENT,
                department,
                flag_id,
                inspection=flag.inspection_id,
                prevailing=prevailing,
                reason=reason,
            )
    return resolved


def conflicts_of(context: Context, inspection_id: str, by: Principal) -> list[ConflictFlag]:
    """The conflicts flagged on one inspection, in a read-only unit."""
    by = boundary("conflicts_of", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    with context.store.unit_of_work() as uow:
        inspection = require_inspection(uow, inspection_id)
        facts = AuthContext(enterprise=inspection.enterprise, lead_department=inspection.lead_department)
        permit(context, "conflicts_of", by, facts, inspection_id)
        return uow.conflicts.for_inspection(inspection_id)
