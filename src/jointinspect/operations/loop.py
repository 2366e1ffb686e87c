"""The guidance step of the guidance-penalty-assistance loop, inside `record_result`: which
list entry applies (`jointinspect.rules.guidance`) and what guidance writes."""

from __future__ import annotations

import pendulum

from jointinspect.model.guidance import LoopStage, LoopStep
from jointinspect.model.notification import Role
from jointinspect.model.reference import SupervisionItem
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.operations._context import Context, Effects
from jointinspect.policy.oversight import ListedItem
from jointinspect.ports import UnitOfWork
from jointinspect.rules import guidance as rule


def violated_before(context: Context, uow: UnitOfWork, enterprise: str, item: str, now: pendulum.DateTime) -> bool:
    """Whether ``item`` failed at ``enterprise`` before, within ``policy.guidance.period_months``
    (0: ever). Cost: one index probe, or the item's results within the period."""
    months = context.policy.guidance.period_months
    if months == 0:
        return uow.results.ever_failed(enterprise, item)
    since = now.subtract(months=months)
    return any(r.outcome is Outcome.FAIL for r in uow.results.for_enterprise(enterprise, [item], since))


def guidance_entry(
    context: Context,
    uow: UnitOfWork,
    item: SupervisionItem,
    enterprise: str,
    outcome: Outcome,
    circumstance: str,
    now: pendulum.DateTime,
) -> ListedItem | None:
    """The list entry that turns this finding into guidance, or ``None``."""
    if outcome is not Outcome.FAIL or rule.listed(context.policy, item, circumstance) is None:
        return None  # no store read for items on no list
    before = violated_before(context, uow, enterprise, item.code, now)
    return rule.guidance(context.policy, item, circumstance, outcome, before)


def give_guidance(
    context: Context, effects: Effects, result: ResultRecord, entry: ListedItem, circumstance: str
) -> LoopStep:
    """Record the guidance step for ``result``: store, audit, tell the enterprise."""
    step = LoopStep(
        id=context.ids(),
        result_id=result.id,
        enterprise=result.enterprise,
        department=result.department,
        item=result.item,
        stage=LoopStage.GUIDANCE,
        at=effects.now,
        actor=effects.actor,
        list_kind=entry.kind.value,
        circumstance=circumstance,
    )
    effects.uow.enforcement_loop.add(step)
    effects.audit("loop.guidance", step.id, result=result.id, item=result.item, list_kind=entry.kind.value)
    effects.notify(
        "guidance.given",
        Role.ENTERPRISE,
        result.enterprise,
        result.id,
        item=result.item,
        department=result.department,
    )
    return step
