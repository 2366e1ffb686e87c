"""Legal review of major decisions (重大执法决定法制审核, Dezhou, X city).

A department requests the review of a proposed decision; its legal office approves or
returns it with a reason before a deadline (``policy.legal_review.deadline_days``); a
sweep warns the legal office and the supervisor once about each review past its deadline.
`jointinspect.operations.penalties.issue_penalty` refuses a major decision without an
approved review of exactly that decision.
"""

from __future__ import annotations

import attrs

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, NotFoundError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.penalty import LegalReview, PenaltyKind, ReviewState, fen, yuan
from jointinspect.operations._unit import (
    Context,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
)

#: Overdue reviews warned per unit of work by the sweep.
SWEEP_PAGE = 500


def request_legal_review(
    context: Context,
    enterprise: str,
    department: str,
    kind: PenaltyKind | str,
    field: str,
    fine_fen: int,
    summary: str,
    by: Principal,
) -> LegalReview:
    """Ask ``department``'s legal office to review a proposed decision."""
    by = boundary("request_legal_review", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    department = v.identifier(department, "department")
    kind = member(PenaltyKind, "kind")(kind)
    field = v.identifier(field, "field")
    fine_fen = fen(fine_fen)
    summary = v.text(summary, "summary", required=True)
    with operation(context, by) as effects:
        facts = AuthContext(department=department, enterprise=enterprise)
        permit(context, "request_legal_review", by, facts, enterprise)
        require_enterprise(effects.uow, enterprise)
        require_department(effects.uow, department)
        review = LegalReview(
            id=context.ids(),
            enterprise=enterprise,
            department=department,
            kind=kind,
            field=field,
            fine_fen=fine_fen,
            summary=summary,
            requested_at=effects.now,
            deadline=effects.now.add(days=context.policy.legal_review.deadline_days),
        )
        effects.uow.legal_reviews.add(review)
        effects.audit("legal_review.requested", review.id, enterprise=enterprise, kind=kind, fine=yuan(fine_fen))
        effects.notify(
            "legal_review.requested",
            Role.LEGAL_OFFICE,
            department,
            review.id,
            enterprise=enterprise,
            department=department,
            kind=kind,
            fine=yuan(fine_fen),
            deadline=review.deadline.isoformat(),
        )
    return review


def decide_legal_review(context: Context, review_id: str, approve: bool, reason: str, by: Principal) -> LegalReview:
    """The department's legal office approves the review, or returns it with a reason."""
    by = boundary("decide_legal_review", by)
    review_id = v.identifier(review_id, "review_id")
    approve = v.boolean(approve, "approve")
    reason = v.text(reason, "reason", required=not approve)
    with operation(context, by) as effects:
        review = effects.uow.legal_reviews.get(review_id)
        if review is None:
            raise NotFoundError("not_found", kind="legal review", key=review_id)
        facts = AuthContext(department=review.department, enterprise=review.enterprise)
        permit(context, "decide_legal_review", by, facts, review_id)
        if review.state is not ReviewState.REQUESTED:
            raise IllegalTransition("legal_review.not_requested", review=review_id, state=review.state)
        state = ReviewState.APPROVED if approve else ReviewState.RETURNED
        decided = attrs.evolve(review, state=state, reason=reason, decided_at=effects.now, decided_by=effects.actor)
        effects.uow.legal_reviews.update(decided)
        effects.audit(f"legal_review.{state.value}", review_id, reason=reason)
        dept, ent = review.department, review.enterprise
        if approve:
            effects.notify("legal_review.approved", Role.DEPARTMENT, dept, review_id, enterprise=ent, reason=reason)
        else:
            effects.notify("legal_review.returned", Role.DEPARTMENT, dept, review_id, enterprise=ent, reason=reason)
    return decided


def sweep_legal_reviews(context: Context, by: Principal) -> int:
    """Warn the legal office and the supervisor once about each review past its deadline;
    return how many reviews were warned about."""
    by = boundary("sweep_legal_reviews", by)
    permit(context, "sweep_legal_reviews", by, AuthContext(), "-")
    warned = 0
    while True:
        with operation(context, by) as effects:
            page = effects.uow.legal_reviews.overdue(effects.now, SWEEP_PAGE)
            for review in page:
                effects.uow.legal_reviews.update(attrs.evolve(review, overdue_warned=True))
                effects.audit("legal_review.overdue", review.id, deadline=review.deadline.isoformat())
                for role, recipient in ((Role.LEGAL_OFFICE, review.department), (Role.SUPERVISOR, "judicial")):
                    effects.notify(
                        "legal_review.overdue",
                        role,
                        recipient,
                        review.id,
                        enterprise=review.enterprise,
                        department=review.department,
                        deadline=review.deadline.isoformat(),
                    )
        warned += len(page)
        if len(page) < SWEEP_PAGE:
            return warned
