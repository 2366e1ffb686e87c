"""The guidance-penalty-assistance loop (指导-处罚-帮扶, X city) and the first-violation and
minor-violation lists (首违不罚 / 轻微免罚, Haigang): record a violation in its
circumstance (a listed first one becomes guidance, `jointinspect.rules.guidance`), record
a penalty or assistance, and read an enterprise's loop."""

from __future__ import annotations

from collections.abc import Sequence

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, NotFoundError, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.guidance import LoopStage, LoopStep
from jointinspect.model.notification import Role
from jointinspect.model.result import Outcome
from jointinspect.operations import results
from jointinspect.operations._unit import Context, boundary, operation, permit
from jointinspect.requests import ResultOutcome


def record_violation(
    context: Context,
    inspection_id: str,
    item: str,
    circumstance: str,
    note: str,
    evidence: Sequence[str],
    by: Principal,
) -> ResultOutcome:
    """Record a failed item in ``circumstance`` (as `results.record_result` does); a first
    violation listed for that circumstance becomes guidance with no penalty."""
    return results.record(
        context, "record_violation", inspection_id, item, Outcome.FAIL, note, evidence, by, circumstance
    )


def record_loop_step(context: Context, result_id: str, stage: LoopStage | str, note: str, by: Principal) -> LoopStep:
    """The department records a penalty or the assistance it offered about a failed result.

    Raises:
        ValidationError: ``guidance.stage_manual`` for the guidance stage (the engine
            records it). IllegalTransition: ``guidance.not_a_violation``,
            ``guidance.no_penalty`` (a listed first violation), ``guidance.penalty_recorded``.
    """
    by = boundary("record_loop_step", by)
    result_id = v.identifier(result_id, "result_id")
    stage = member(LoopStage, "stage")(stage)
    note = v.text(note, "note")
    if stage is LoopStage.GUIDANCE:
        raise ValidationError("guidance.stage_manual")
    with operation(context, by) as effects:
        uow = effects.uow
        result = uow.results.get(result_id)
        if result is None:
            raise NotFoundError(kind="result", key=result_id)
        facts = AuthContext(department=result.department, enterprise=result.enterprise)
        permit(context, "record_loop_step", by, facts, result_id)
        uow.lock_enterprise(result.enterprise)  # one penalty per result, also under concurrency
        if result.outcome is not Outcome.FAIL:
            raise IllegalTransition("guidance.not_a_violation", result=result_id, outcome=result.outcome)
        if stage is LoopStage.PENALTY:
            if result.guidance:
                raise IllegalTransition("guidance.no_penalty", result=result_id)
            if any(s.stage is LoopStage.PENALTY for s in uow.enforcement_loop.for_result(result_id)):
                raise IllegalTransition("guidance.penalty_recorded", result=result_id)
        step = LoopStep(
            id=context.ids(),
            result_id=result_id,
            enterprise=result.enterprise,
            department=result.department,
            item=result.item,
            stage=stage,
            at=effects.now,
            actor=effects.actor,
            note=note,
        )
        uow.enforcement_loop.add(step)
        effects.audit(f"loop.{stage.value}", step.id, result=result_id, item=result.item, note=note)
        if stage is LoopStage.PENALTY:
            effects.notify("penalty.recorded", Role.ENTERPRISE, result.enterprise, step.id, item=result.item, note=note)
        else:
            effects.notify(
                "assistance.offered", Role.ENTERPRISE, result.enterprise, step.id, item=result.item, note=note
            )
    return step


def enforcement_loop(context: Context, enterprise: str, by: Principal) -> list[LoopStep]:
    """The loop steps about one enterprise, oldest first, in a read-only unit."""
    by = boundary("enforcement_loop", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    permit(context, "enforcement_loop", by, AuthContext(enterprise=enterprise), enterprise)
    with context.store.unit_of_work() as uow:
        return uow.enforcement_loop.for_enterprise(enterprise)
