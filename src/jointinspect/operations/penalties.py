"""Penalty decisions and credit repair (Anhui).

A penalty decision is publicised from its publicity start and weighs on the enterprise's
credit (`credit_view`). After the policy minimum (``policy.credit_repair``: 6 months; 1 year
for food, drugs and special equipment), once its rectification is accepted, it may be
repaired: admonition-type penalties by the daily `sweep_credit_repair`, others on the
enterprise's application with the deciding department's decision. A major decision
(``policy.legal_review``) is issued only under an approved legal review
(`jointinspect.operations.legal_review`).
"""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import IllegalTransition, NotFoundError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.penalty import CreditView, Penalty, PenaltyKind, PenaltyState, ReviewState, fen, yuan
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
)
from jointinspect.ports import UnitOfWork
from jointinspect.rules.penalties import check_repairable

#: Penalties read per unit of work by the repair sweep.
SWEEP_PAGE = 500


def issue_penalty(
    context: Context,
    enterprise: str,
    department: str,
    kind: PenaltyKind | str,
    field: str,
    fine_fen: int,
    by: Principal,
    rectification_id: str | None = None,
    review_id: str | None = None,
    publicity_start: dt.datetime | None = None,
) -> Penalty:
    """Record a penalty decision of ``department`` against ``enterprise``, publicised from
    ``publicity_start`` (default: now). A major decision needs ``review_id``, a legal review
    approved for exactly this decision (enterprise, department, kind, fine), used once."""
    by = boundary("issue_penalty", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    department = v.identifier(department, "department")
    kind = member(PenaltyKind, "kind")(kind)
    field = v.identifier(field, "field")
    fine_fen = fen(fine_fen)
    rectification_id = v.optional_identifier(rectification_id, "rectification_id")
    review_id = v.optional_identifier(review_id, "review_id")
    start = v.optional_instant(publicity_start, "publicity_start")
    with operation(context, by) as effects:
        permit(context, "issue_penalty", by, AuthContext(department=department, enterprise=enterprise), enterprise)
        require_enterprise(effects.uow, enterprise)
        require_department(effects.uow, department)
        if rectification_id is not None:
            rectification = effects.uow.rectifications.get(rectification_id)
            if rectification is None or rectification.enterprise != enterprise:
                raise NotFoundError("not_found", kind="rectification", key=rectification_id)
        penalty_id = context.ids()
        if review_id is not None or context.policy.legal_review.is_major(kind, fine_fen):
            _use_review(effects, review_id, penalty_id, enterprise, department, kind, fine_fen)
        penalty = Penalty(
            id=penalty_id,
            enterprise=enterprise,
            department=department,
            kind=kind,
            field=field,
            fine_fen=fine_fen,
            decided_at=effects.now,
            publicity_start=start or effects.now,
            rectification_id=rectification_id,
            review_id=review_id,
        )
        effects.uow.penalties.add(penalty)
        effects.audit(
            "penalty.issued", penalty.id, enterprise=enterprise, kind=kind, fine=yuan(fine_fen), review=review_id or "-"
        )
        effects.notify(
            "penalty.issued",
            Role.ENTERPRISE,
            enterprise,
            penalty.id,
            department=department,
            kind=kind,
            fine=yuan(fine_fen),
        )
    return penalty


def _use_review(
    effects: Effects,
    review_id: str | None,
    penalty_id: str,
    enterprise: str,
    department: str,
    kind: PenaltyKind,
    fine_fen: int,
) -> None:
    """Consume the approved review ``review_id`` for this decision, or refuse."""
    review = None if review_id is None else effects.uow.legal_reviews.get(review_id)
    if review is None or review.state is not ReviewState.APPROVED:
        raise IllegalTransition("penalty.legal_review_required", kind=kind, fine=yuan(fine_fen))
    wanted = {"enterprise": enterprise, "department": department, "kind": kind, "fine_fen": fine_fen}
    differs = [name for name, value in wanted.items() if getattr(review, name) != value]
    if review.penalty_id is not None:
        differs.append("penalty_id")
    if differs:
        raise IllegalTransition("penalty.review_mismatch", review=review.id, reason=", ".join(differs))
    effects.uow.legal_reviews.update(attrs.evolve(review, penalty_id=penalty_id))
    effects.audit("legal_review.used", review.id, penalty=penalty_id)


def _require_penalty(uow: UnitOfWork, penalty_id: str) -> Penalty:
    found = uow.penalties.get(penalty_id)
    if found is None:
        raise NotFoundError("not_found", kind="penalty", key=penalty_id)
    return found


def _repairable(context: Context, effects: Effects, penalty: Penalty) -> None:
    rectification = (
        None if penalty.rectification_id is None else effects.uow.rectifications.get(penalty.rectification_id)
    )
    check_repairable(penalty, rectification, context.policy.credit_repair, context.policy.zone, effects.now)


def apply_credit_repair(context: Context, penalty_id: str, reason: str, by: Principal) -> Penalty:
    """The enterprise applies for the repair of a publicised penalty (not an automatic kind)."""
    by = boundary("apply_credit_repair", by)
    penalty_id = v.identifier(penalty_id, "penalty_id")
    reason = v.text(reason, "reason", required=True)
    with operation(context, by) as effects:
        penalty = _require_penalty(effects.uow, penalty_id)
        facts = AuthContext(department=penalty.department, enterprise=penalty.enterprise)
        permit(context, "apply_credit_repair", by, facts, penalty_id)
        if penalty.state is not PenaltyState.PUBLIC:
            raise IllegalTransition("credit_repair.not_public", penalty=penalty_id, state=penalty.state)
        if penalty.kind in context.policy.credit_repair.automatic_kinds:
            raise IllegalTransition("credit_repair.automatic", penalty=penalty_id, kind=penalty.kind)
        _repairable(context, effects, penalty)
        applied = attrs.evolve(penalty, state=PenaltyState.REPAIR_APPLIED, note=reason)
        effects.uow.penalties.update(applied)
        effects.audit("credit_repair.applied", penalty_id, reason=reason)
        effects.notify(
            "credit_repair.applied",
            Role.DEPARTMENT,
            penalty.department,
            penalty_id,
            enterprise=penalty.enterprise,
            reason=reason,
        )
    return applied


def decide_credit_repair(context: Context, penalty_id: str, approve: bool, reason: str, by: Principal) -> Penalty:
    """The deciding department approves a repair application, or rejects it with a reason."""
    by = boundary("decide_credit_repair", by)
    penalty_id = v.identifier(penalty_id, "penalty_id")
    approve = v.boolean(approve, "approve")
    reason = v.text(reason, "reason", required=not approve)
    with operation(context, by) as effects:
        penalty = _require_penalty(effects.uow, penalty_id)
        facts = AuthContext(department=penalty.department, enterprise=penalty.enterprise)
        permit(context, "decide_credit_repair", by, facts, penalty_id)
        if penalty.state is not PenaltyState.REPAIR_APPLIED:
            raise IllegalTransition("credit_repair.not_applied", penalty=penalty_id, state=penalty.state)
        if approve:
            _repairable(context, effects, penalty)
            decided = _repair(effects, penalty, reason or "approved")
        else:
            decided = attrs.evolve(penalty, state=PenaltyState.PUBLIC, note=reason)
            effects.uow.penalties.update(decided)
            effects.audit("credit_repair.rejected", penalty_id, reason=reason)
            effects.notify("credit_repair.rejected", Role.ENTERPRISE, penalty.enterprise, penalty_id, reason=reason)
    return decided


def _repair(effects: Effects, penalty: Penalty, note: str) -> Penalty:
    repaired = attrs.evolve(penalty, state=PenaltyState.REPAIRED, note=note, repaired_at=effects.now)
    effects.uow.penalties.update(repaired)
    effects.audit("credit_repair.repaired", penalty.id, enterprise=penalty.enterprise, note=note)
    for role, recipient in ((Role.ENTERPRISE, penalty.enterprise), (Role.DEPARTMENT, penalty.department)):
        effects.notify(
            "credit_repair.repaired", role, recipient, penalty.id, enterprise=penalty.enterprise, kind=penalty.kind
        )
    return repaired


def sweep_credit_repair(context: Context, by: Principal) -> int:
    """Repair every automatic-kind penalty whose minimum publicity has passed and whose
    rectification is accepted; return how many were repaired."""
    by = boundary("sweep_credit_repair", by)
    permit(context, "sweep_credit_repair", by, AuthContext(), "-")
    policy = context.policy.credit_repair
    kinds = sorted(policy.automatic_kinds)
    shortest = min(policy.min_months, policy.long_months)
    now = context.clock.now()
    before = now.in_timezone(context.policy.zone).subtract(months=shortest).in_timezone("UTC")
    repaired = 0
    after: tuple[pendulum.DateTime, str] | None = None
    while kinds:
        with operation(context, by) as effects:
            page = effects.uow.penalties.public_since(kinds, before, after, SWEEP_PAGE)
            for penalty in page:
                try:
                    _repairable(context, effects, penalty)
                except IllegalTransition:
                    continue  # a longer field minimum or an open rectification: a later sweep
                _repair(effects, penalty, "automatic")
                repaired += 1
        if len(page) < SWEEP_PAGE:
            break
        after = (page[-1].publicity_start, page[-1].id)
    return repaired


def credit_view(context: Context, enterprise: str, by: Principal) -> CreditView:
    """The enterprise's credit record: penalties publicised and penalties repaired."""
    by = boundary("credit_view", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    with context.store.unit_of_work() as uow:
        permit(context, "credit_view", by, AuthContext(enterprise=enterprise), enterprise)
        require_enterprise(uow, enterprise)
        penalties = uow.penalties.for_enterprise(enterprise)
    return CreditView(
        enterprise,
        public=tuple(p for p in penalties if p.state is not PenaltyState.REPAIRED),
        repaired=tuple(p for p in penalties if p.state is PenaltyState.REPAIRED),
    )
