"""Results: record an item's finding (a failure opens a rectification), correct it (audited),
acknowledge it, and share same-item results within the lookback."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect._last import LastAnswer
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, NotFoundError, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, InspectionStatus
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_inspection,
    require_inspector,
    require_item,
)
from jointinspect.operations.loop import give_guidance, guidance_entry
from jointinspect.ports import UnitOfWork
from jointinspect.requests import ResultOutcome


def lookback_start(context: Context, now: pendulum.DateTime) -> pendulum.DateTime:
    """The oldest moment a result may be from to be shared."""
    sharing = context.policy.sharing
    # Bulk filing asks once a plan with the chunk's one clock reading: calendar months
    # are pendulum's arithmetic (~25 us), so the last answer is kept for that same reading.
    return _last_lookback.get(now, sharing, lambda: now.subtract(months=sharing.lookback_months))


_last_lookback: LastAnswer[pendulum.DateTime] = LastAnswer()


def shared_results(
    context: Context,
    uow: UnitOfWork,
    enterprise: str,
    items: Sequence[str],
    now: pendulum.DateTime,
    since: pendulum.DateTime | None = None,
) -> list[ResultRecord]:
    """Same-item results of one enterprise within the lookback, oldest first; ``since`` is
    `lookback_start` of ``now`` when the caller has it (bulk filing asks it once a chunk)."""
    if since is None:
        since = lookback_start(context, now)
    return uow.results.for_enterprise(enterprise, list(items), since)


def shared_records(context: Context, enterprise: str, items: Sequence[str], by: Principal) -> list[ResultRecord]:
    """Same-item results of one enterprise within the sharing lookback, in a read-only unit."""
    by = boundary("shared_records", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    items = v.identifier_sequence(items, "items")
    with context.store.unit_of_work() as uow:
        permit(context, "shared_records", by, AuthContext(enterprise=enterprise), enterprise)
        return shared_results(context, uow, enterprise, items, context.clock.now())


_CLOSED = (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED, InspectionStatus.SUPERSEDED)


def _checked_in(uow: UnitOfWork, inspection_id: str, inspector_id: str | None) -> bool:
    """Whether the inspector has an open check-in at the inspection."""
    return any(
        v.inspector_id == inspector_id and v.checked_out_at is None for v in uow.visits.for_inspection(inspection_id)
    )


def record_result(
    context: Context,
    inspection_id: str,
    item: str,
    outcome: Outcome | str,
    note: str,
    evidence: Sequence[str],
    by: Principal,
) -> ResultOutcome:
    """Record the checked-in inspector ``by``'s finding for one item; a failure opens a
    rectification. Once per (inspection, item, department): a second is `correct_result`."""
    return record(context, "record_result", inspection_id, item, outcome, note, evidence, by)


def record(
    context: Context,
    operation_name: str,
    inspection_id: str,
    item: str,
    outcome: Outcome | str,
    note: str,
    evidence: Sequence[str],
    by: Principal,
    circumstance: str = "",
) -> ResultOutcome:
    """`record_result` performed as ``operation_name`` (the matrix row checked), with the
    ``circumstance`` of a violation that the first-violation lists look up (issue 12)."""
    by = boundary(operation_name, by)
    circumstance = v.text(circumstance, "circumstance", max_len=200)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    item = v.identifier(item, "item")
    evidence = v.text_sequence(evidence, "evidence")
    outcome = member(Outcome)(outcome)
    inspector_id = by.inspector_id or "-"
    with operation(context, by) as effects:
        uow, now = effects.uow, effects.now
        inspection = require_inspection(uow, inspection_id)
        inspector = require_inspector(uow, inspector_id)
        if item not in inspection.items:
            raise ValidationError("result.item_not_in_inspection", item=item, inspection=inspection_id)
        supervision_item = require_item(uow, item)
        owned = supervision_item.checked_by(inspector.department)
        facts = AuthContext(
            department=inspector.department if owned else supervision_item.department,
            enterprise=inspection.enterprise,
            inspector=inspector_id,
            inspectors=inspection.inspectors,
            checked_in=_checked_in(uow, inspection_id, inspector_id),
        )
        permit(context, operation_name, by, facts, inspection_id)
        if inspection.status in _CLOSED:
            raise IllegalTransition("result.inspection_closed", inspection=inspection_id, status=inspection.status)
        if not owned:
            raise ValidationError(
                "filing.item_not_owned", item=item, owner=supervision_item.department, department=inspector.department
            )
        earlier = next(
            (
                r
                for r in uow.results.for_inspection(inspection_id)
                if r.item == item and r.department == inspector.department
            ),
            None,
        )
        if earlier is not None:
            raise IllegalTransition("result.duplicate", item=item, inspection=inspection_id, result=earlier.id)
        first = uow.results.first_since(inspection.enterprise, item, lookback_start(context, now))
        responsible = first.responsible_department if first else inspector.department
        listed = guidance_entry(context, uow, supervision_item, inspection.enterprise, outcome, circumstance, now)
        guidance = listed is not None
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
        if listed is not None:
            give_guidance(context, effects, result, listed, circumstance)
        rectification = _open_rectification(context, effects, inspection, result) if outcome is Outcome.FAIL else None
    return ResultOutcome(result, rectification)


def correct_result(context: Context, result_id: str, outcome: Outcome | str, note: str, by: Principal) -> ResultOutcome:
    """Correct a recorded result (audited as ``result.corrected``); the enterprise must
    acknowledge it again. A failure opens a rectification only if the result had none."""
    by = boundary("correct_result", by)
    result_id = v.identifier(result_id, "result_id")
    outcome = member(Outcome)(outcome)
    with operation(context, by) as effects:
        uow = effects.uow
        result = uow.results.get(result_id)
        if result is None:
            raise NotFoundError(kind="result", key=result_id)
        inspection = require_inspection(uow, result.inspection_id)
        facts = AuthContext(
            department=result.department,
            enterprise=result.enterprise,
            inspector=by.inspector_id,
            inspectors=inspection.inspectors,
            checked_in=_checked_in(uow, inspection.id, by.inspector_id),
        )
        permit(context, "correct_result", by, facts, result_id)
        corrected = attrs.evolve(result, outcome=outcome, note=note, acknowledged_at=None, acknowledged_by=None)
        uow.results.update(corrected)
        effects.audit("result.corrected", result_id, before=result.outcome, outcome=outcome, note=note)
        rectification = None
        if outcome is Outcome.FAIL and not any(
            r.result_id == result_id for r in uow.rectifications.for_enterprise(result.enterprise)
        ):
            rectification = _open_rectification(context, effects, inspection, corrected)
    return ResultOutcome(corrected, rectification)


def _open_rectification(
    context: Context, effects: Effects, inspection: Inspection, result: ResultRecord
) -> Rectification:
    """Open the rectification a failed result calls for: store, audit, notify."""
    now = effects.now
    rectification = Rectification(
        id=context.ids(),
        result_id=result.id,
        enterprise=inspection.enterprise,
        department=result.department,
        item=result.item,
        deadline=now.add(days=context.policy.rectification.deadline_days),
        state=RectificationState.OPEN,
        opened_at=now,
        guidance=result.guidance,
    )
    effects.uow.rectifications.add(rectification)
    effects.audit(
        "rectification.opened",
        rectification.id,
        result=result.id,
        deadline=rectification.deadline.isoformat(),
        guidance=result.guidance,
    )
    effects.notify(
        "rectification.opened",
        Role.ENTERPRISE,
        inspection.enterprise,
        rectification.id,
        item=result.item,
        deadline=rectification.deadline.isoformat(),
        guidance=result.guidance,
    )
    return rectification


def acknowledge_result(context: Context, result_id: str, by: Principal) -> ResultRecord:
    """The enterprise ``by`` confirms a result with its electronic signature."""
    by = boundary("acknowledge_result", by)
    result_id = v.identifier(result_id, "result_id")
    with operation(context, by) as effects:
        result = effects.uow.results.get(result_id)
        if result is None:
            raise NotFoundError(kind="result", key=result_id)
        permit(context, "acknowledge_result", by, AuthContext(enterprise=result.enterprise), result_id)
        if result.acknowledged_at is not None:
            raise IllegalTransition("result.already_acknowledged", result=result_id)
        result = attrs.evolve(result, acknowledged_at=effects.now, acknowledged_by=by.actor)
        effects.uow.results.update(result)
        effects.audit("result.acknowledged", result_id, signer=by.actor)
    return result
