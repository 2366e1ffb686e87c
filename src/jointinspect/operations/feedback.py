"""Feedback: the enterprise rates a completed inspection once, or complains about one."""

from __future__ import annotations

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionStatus
from jointinspect.operations._unit import Context, boundary, operation, permit, require_inspection


def rate(context: Context, inspection_id: str, score: int, comment: str, anonymous: bool, by: Principal) -> Evaluation:
    """Rate a completed inspection (0-100), once."""
    by = boundary("rate", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise ValidationError("evaluation.score_range", score=score)
    with operation(context, by) as effects:
        effects.uow.lock_enterprise(require_inspection(effects.uow, inspection_id).enterprise)
        inspection = require_inspection(effects.uow, inspection_id)
        permit(context, "rate", by, AuthContext(enterprise=inspection.enterprise), inspection_id)
        if inspection.status is not InspectionStatus.COMPLETED:
            raise IllegalTransition("evaluation.not_checked_out", inspection=inspection_id)
        if effects.uow.feedback.get_evaluation(inspection_id) is not None:
            raise IllegalTransition("evaluation.duplicate", inspection=inspection_id)
        evaluation = Evaluation(inspection_id, inspection.enterprise, score, comment, effects.now, anonymous)
        effects.uow.feedback.add_evaluation(evaluation)
        effects.audit("inspection.rated", inspection_id, score=score, anonymous=anonymous)
        for department in inspection.departments:
            rater = "anonymous" if anonymous else inspection.enterprise
            effects.notify("inspection.rated", Role.DEPARTMENT, department, inspection_id, score=score, rater=rater)
    return evaluation


def complain(
    context: Context, inspection_id: str, reason: ComplaintReason | str, text: str, by: Principal
) -> Complaint:
    """File a complaint about an inspection with the supervising office."""
    by = boundary("complain", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    reason = member(ComplaintReason)(reason)
    with operation(context, by) as effects:
        inspection = require_inspection(effects.uow, inspection_id)
        permit(context, "complain", by, AuthContext(enterprise=inspection.enterprise), inspection_id)
        complaint = Complaint(context.ids(), inspection_id, inspection.enterprise, reason, text, effects.now)
        effects.uow.feedback.add_complaint(complaint)
        effects.audit("complaint.filed", complaint.id, inspection=inspection_id, reason=reason)
        effects.notify(
            "complaint.filed",
            Role.SUPERVISOR,
            "judicial",
            complaint.id,
            inspection=inspection_id,
            enterprise=inspection.enterprise,
            reason=reason,
            text=text,
        )
    return complaint
