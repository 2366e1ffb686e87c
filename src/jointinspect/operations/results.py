"""Results: record an item's finding (a failure opens a rectification), acknowledge it,
and share same-item results within the lookback."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pendulum

from jointinspect.errors import CheckInRejected, IllegalTransition, NotFoundError, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.operations._unit import (
    Context,
    operation,
    require_inspection,
    require_inspector,
    require_item,
)
from jointinspect.ports import UnitOfWork
from jointinspect.requests import ResultOutcome


def lookback_start(context: Context, now: pendulum.DateTime) -> pendulum.DateTime:
    """The oldest moment a result may be from to be shared."""
    return now.subtract(months=context.policy.sharing.lookback_months)


def shared_results(
    context: Context, uow: UnitOfWork, enterprise: str, items: Sequence[str], now: pendulum.DateTime
) -> list[ResultRecord]:
    """Same-item results of one enterprise within the lookback, oldest first."""
    return uow.results.for_enterprise(enterprise, list(items), lookback_start(context, now))


def shared_records(context: Context, enterprise: str, items: Sequence[str]) -> list[ResultRecord]:
    """Same-item results of one enterprise within the sharing lookback, in a read-only unit."""
    with context.store.unit_of_work() as uow:
        return shared_results(context, uow, enterprise, items, context.clock.now())


def record_result(
    context: Context,
    inspection_id: str,
    inspector_id: str,
    item: str,
    outcome: Outcome | str,
    note: str,
    evidence: Sequence[str],
) -> ResultOutcome:
    """Record the finding for one item; a failure opens a rectification."""
    outcome = member(Outcome)(outcome)
    with operation(context, inspector_id) as effects:
        uow, now = effects.uow, effects.now
        inspection = require_inspection(uow, inspection_id)
        inspector = require_inspector(uow, inspector_id)
        if item not in inspection.items:
            raise ValidationError("result.item_not_in_inspection", item=item, inspection=inspection_id)
        supervision_item = require_item(uow, item)
        if not supervision_item.checked_by(inspector.department):
            raise ValidationError(
                "filing.item_not_owned", item=item, owner=supervision_item.department, department=inspector.department
            )
        if not any(v.inspector_id == inspector_id for v in uow.visits.for_inspection(inspection_id)):
            raise CheckInRejected("result.not_checked_in", inspection=inspection_id)
        first = uow.results.first_since(inspection.enterprise, item, lookback_start(context, now))
        responsible = first.responsible_department if first else inspector.department
        first_violation = not uow.results.ever_failed(inspection.enterprise, item)
        guidance = (
            outcome is Outcome.FAIL
            and first_violation
            and supervision_item.first_violation_guidance
            and context.policy.rectification.first_violation_guidance
        )
        result = ResultRecord(
            id=context.ids(),
            inspection_id=inspection_id,
            enterprise=inspection.enterprise,
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
        effects.audit(
            "result.recorded", result.id, inspection=inspection_id, item=item, outcome=outcome, guidance=guidance
        )
        rectification = None
        if outcome is Outcome.FAIL:
            rectification = Rectification(
                id=context.ids(),
                result_id=result.id,
                enterprise=inspection.enterprise,
                department=inspector.department,
                item=item,
                deadline=now.add(days=context.policy.rectification.deadline_days),
                state=RectificationState.OPEN,
                opened_at=now,
                guidance=guidance,
            )
            uow.rectifications.add(rectification)
            effects.audit(
                "rectification.opened",
                rectification.id,
                result=result.id,
                deadline=rectification.deadline.isoformat(),
                guidance=guidance,
            )
            effects.notify(
                "rectification.opened",
                Role.ENTERPRISE,
                inspection.enterprise,
                rectification.id,
                item=item,
                deadline=rectification.deadline.isoformat(),
                guidance=guidance,
            )
    return ResultOutcome(result, rectification)


def acknowledge_result(context: Context, result_id: str, signer: str) -> ResultRecord:
    """The enterprise confirms a result with its electronic signature."""
    with operation(context, signer) as effects:
        result = effects.uow.results.get(result_id)
        if result is None:
            raise NotFoundError(kind="result", key=result_id)
        if result.acknowledged_at is not None:
            raise IllegalTransition("result.already_acknowledged", result=result_id)
        result = attrs.evolve(result, acknowledged_at=effects.now, acknowledged_by=signer)
        effects.uow.results.update(result)
        effects.audit("result.acknowledged", result_id, signer=signer)
    return result
