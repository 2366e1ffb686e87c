"""The inefficient-inspection watch (Chengdu): an inspector who left ``policy.watch.consecutive``
inspections of one enterprise in a row without a finding, within ``window_days``, may not
check in there again until a supervisor records an explanation. ``consecutive`` 0: off.

A run is counted at check-out (the inspector's findings of that inspection are in by
then; results need an open check-in): a failed item recorded by the inspector ends the
run, none lengthens it. Reaching the threshold warns the supervisor and the inspector's
department; a check-in while blocked is refused with ``watch.explanation_required``.
"""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, InspectionWatchBlocked
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection
from jointinspect.model.result import Outcome
from jointinspect.model.watch import InspectorStreak, NoFindingVisit
from jointinspect.operations._context import Context, Effects
from jointinspect.operations._unit import boundary, operation, permit, require_inspector
from jointinspect.ports import UnitOfWork


def _run(context: Context, streak: InspectorStreak | None, now: pendulum.DateTime) -> tuple[NoFindingVisit, ...]:
    """The visits of the run that still count at ``now``."""
    if streak is None:
        return ()
    return streak.within(now.subtract(days=context.policy.watch.window_days))


def blocked(context: Context, streak: InspectorStreak | None, now: pendulum.DateTime) -> bool:
    """Whether ``streak`` blocks its inspector at its enterprise at ``now``."""
    threshold = context.policy.watch.consecutive
    return threshold > 0 and len(_run(context, streak, now)) >= threshold


def check_watch(context: Context, uow: UnitOfWork, inspector_id: str, enterprise: str, now: pendulum.DateTime) -> None:
    """Refuse a check-in of a blocked inspector (called by `check_in` before any write).

    Raises:
        InspectionWatchBlocked: ``watch.explanation_required``.
    """
    if context.policy.watch.consecutive == 0:
        return
    streak = uow.watch.get(inspector_id, enterprise)
    if blocked(context, streak, now):
        raise InspectionWatchBlocked(
            inspector=inspector_id,
            enterprise=enterprise,
            count=len(_run(context, streak, now)),
            days=context.policy.watch.window_days,
        )


def count_check_out(context: Context, effects: Effects, inspection: Inspection, inspector_id: str) -> None:
    """Lengthen or end the inspector's run when they check out (called by `check_out`)."""
    threshold = context.policy.watch.consecutive
    if threshold == 0:
        return
    uow, now = effects.uow, effects.now
    found = any(
        r.outcome is Outcome.FAIL and r.inspector_id == inspector_id for r in uow.results.for_inspection(inspection.id)
    )
    streak = uow.watch.get(inspector_id, inspection.enterprise)
    run = _run(context, streak, now)
    if found:
        if streak is None or not streak.visits:
            return  # nothing to end
        run = ()
    elif any(visit.inspection_id == inspection.id for visit in run):
        return  # checked out of the same inspection again: counted once
    else:
        run = (*run, NoFindingVisit(inspection.id, now))
    base = streak or InspectorStreak(inspector_id, inspection.enterprise)
    uow.watch.put(attrs.evolve(base, visits=run))
    if len(run) == threshold:
        department = require_inspector(uow, inspector_id).department
        effects.audit("watch.blocked", inspector_id, enterprise=inspection.enterprise, count=len(run))
        for role, recipient in ((Role.SUPERVISOR, "judicial"), (Role.DEPARTMENT, department)):
            effects.notify(
                "watch.blocked",
                role,
                recipient,
                inspector_id,
                key=f"watch.blocked:{inspector_id}:{inspection.enterprise}:{inspection.id}:{role}",
                enterprise=inspection.enterprise,
                count=len(run),
            )


def explain_watch(
    context: Context, inspector_id: str, enterprise: str, explanation: str, by: Principal
) -> InspectorStreak:
    """A supervisor records why the inspector found nothing; the run starts again.

    Raises:
        IllegalTransition: ``watch.not_blocked`` when the inspector is not blocked there.
    """
    by = boundary("explain_watch", by)
    inspector_id = v.identifier(inspector_id, "inspector_id")
    enterprise = v.credit_code(enterprise, "enterprise")
    explanation = v.text(explanation, "explanation", required=True)
    with operation(context, by) as effects:
        uow = effects.uow
        inspector = require_inspector(uow, inspector_id)
        facts = AuthContext(department=inspector.department, enterprise=enterprise, inspector=inspector_id)
        permit(context, "explain_watch", by, facts, inspector_id)
        uow.lock_enterprise(enterprise)  # check-in and check-out of this enterprise wait for it
        streak = uow.watch.get(inspector_id, enterprise)
        if streak is None or not blocked(context, streak, effects.now):
            raise IllegalTransition("watch.not_blocked", inspector=inspector_id, enterprise=enterprise)
        count = len(_run(context, streak, effects.now))
        explained = attrs.evolve(
            streak, visits=(), explanation=explanation, explained_by=effects.actor, explained_at=effects.now
        )
        uow.watch.put(explained)
        effects.audit("watch.explained", inspector_id, enterprise=enterprise, count=count, explanation=explanation)
        effects.notify(
            "watch.explained",
            Role.DEPARTMENT,
            inspector.department,
            inspector_id,
            key=f"watch.explained:{inspector_id}:{enterprise}:{effects.now.isoformat()}",
            enterprise=enterprise,
            explanation=explanation,
        )
    return explained


def inspector_watch(context: Context, inspector_id: str, enterprise: str, by: Principal) -> InspectorStreak | None:
    """The inspector's run at the enterprise (``None``: never counted), in a read-only unit."""
    by = boundary("inspector_watch", by)
    inspector_id = v.identifier(inspector_id, "inspector_id")
    enterprise = v.credit_code(enterprise, "enterprise")
    with context.store.unit_of_work() as uow:
        inspector = require_inspector(uow, inspector_id)
        facts = AuthContext(department=inspector.department, enterprise=enterprise, inspector=inspector_id)
        permit(context, "inspector_watch", by, facts, inspector_id)
        return uow.watch.get(inspector_id, enterprise)
