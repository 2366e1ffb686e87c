"""Rectification (整改): the enterprise submits evidence, the department accepts or rejects
it, a refusal marks the enterprise for key supervision, and overdue ones are swept."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import NotFoundError, ValidationError
from jointinspect.model.notification import Role
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_enterprise,
    require_item,
)
from jointinspect.rules.rectification import RectificationAction, apply


def submit_rectification(
    context: Context, rectification_id: str, evidence: Sequence[str], note: str, by: Principal
) -> Rectification:
    """The enterprise uploads evidence of its fix."""
    by = boundary("submit_rectification", by)
    rectification_id = v.identifier(rectification_id, "rect_id")
    evidence = v.text_sequence(evidence, "evidence")
    return _rectify(context, rectification_id, RectificationAction.SUBMIT, by, evidence=tuple(evidence), note=note)


def accept_rectification(context: Context, rectification_id: str, by: Principal, mode: str) -> Rectification:
    """The department accepts the fix, ``"remote"`` or ``"on_site"``."""
    by = boundary("accept_rectification", by)
    rectification_id = v.identifier(rectification_id, "rect_id")
    if mode not in ("remote", "on_site"):
        raise ValidationError(
            "input.invalid",
            reason=f"acceptance mode {mode!r} is not remote or on_site",
            reason_zh=f"验收方式 {mode!r} 须为 remote 或 on_site",
        )
    return _rectify(context, rectification_id, RectificationAction.ACCEPT, by, accepted_mode=mode)


def reject_rectification(
    context: Context, rectification_id: str, by: Principal, reason: str, new_deadline: pendulum.DateTime
) -> Rectification:
    """The department rejects the fix; it is open again until ``new_deadline``."""
    by = boundary("reject_rectification", by)
    rectification_id = v.identifier(rectification_id, "rect_id")
    return _rectify(context, rectification_id, RectificationAction.REJECT, by, note=reason, new_deadline=new_deadline)


def refuse_rectification(context: Context, rectification_id: str, by: Principal, note: str) -> Rectification:
    """The enterprise refuses to rectify: it becomes a key supervision target."""
    by = boundary("refuse_rectification", by)
    rectification_id = v.identifier(rectification_id, "rect_id")
    return _rectify(context, rectification_id, RectificationAction.REFUSE, by, note=note)


def sweep_overdue(context: Context, by: Principal) -> list[Rectification]:
    """Mark open rectifications past their deadline overdue and warn; return them."""
    by = boundary("sweep_overdue", by)
    marked = []
    with operation(context, by) as effects:
        permit(context, "sweep_overdue", by, AuthContext(), "-")
        for rectification in effects.uow.rectifications.overdue(effects.now):
            if rectification.state is RectificationState.OPEN:
                marked.append(_transition(effects, rectification, RectificationAction.MARK_OVERDUE))
    return marked


def _rectify(
    context: Context, rectification_id: str, action: RectificationAction, by: Principal, **kwargs: object
) -> Rectification:
    with operation(context, by) as effects:
        rectification = effects.uow.rectifications.get(rectification_id)
        if rectification is None:
            raise NotFoundError(kind="rectification", key=rectification_id)
        facts = AuthContext(
            department=rectification.department,
            enterprise=rectification.enterprise,
            # the department responsible is the one whose item was found failing
            responsible_department=require_item(effects.uow, rectification.item).department,
        )
        permit(context, f"{action.value}_rectification", by, facts, rectification_id)
        return _transition(effects, rectification, action, **kwargs)


def _transition(
    effects: Effects, rectification: Rectification, action: RectificationAction, **kwargs: object
) -> Rectification:
    """Apply one action inside an operation: store, audit, notify."""
    after = apply(rectification, action, at=effects.now, actor=effects.actor, **kwargs)  # type: ignore[arg-type]
    effects.uow.rectifications.update(after)
    effects.audit(
        f"rectification.{action.value}", rectification.id, state=after.state, deadline=after.deadline.isoformat()
    )
    _announce(effects, after, action)
    return after


def _announce(effects: Effects, rectification: Rectification, action: RectificationAction) -> None:
    """Notify (and, on refusal, mark the enterprise) after one rectification action."""
    key = f"rectification.{action.value}:{rectification.id}:{len(rectification.history)}"
    if action is RectificationAction.SUBMIT:
        effects.notify("rectification.submitted", Role.DEPARTMENT, rectification.department, rectification.id, key=key)
    elif action is RectificationAction.REJECT:
        effects.notify(
            "rectification.rejected",
            Role.ENTERPRISE,
            rectification.enterprise,
            rectification.id,
            key=key,
            deadline=rectification.deadline.isoformat(),
            reason=rectification.history[-1].note,
        )
    elif action is RectificationAction.ACCEPT:
        effects.notify("rectification.accepted", Role.ENTERPRISE, rectification.enterprise, rectification.id, key=key)
    elif action is RectificationAction.MARK_OVERDUE:
        for role, who in ((Role.DEPARTMENT, rectification.department), (Role.SUPERVISOR, "judicial")):
            effects.notify(
                "rectification.overdue",
                role,
                who,
                rectification.id,
                key=f"{key}:{role}",
                enterprise=rectification.enterprise,
                deadline=rectification.deadline.isoformat(),
            )
    elif action is RectificationAction.REFUSE:
        enterprise = require_enterprise(effects.uow, rectification.enterprise)
        effects.uow.reference.put_enterprise(attrs.evolve(enterprise, key_supervision=True))
        effects.audit("enterprise.key_supervision", rectification.enterprise, rectification=rectification.id)
        effects.notify(
            "enterprise.key_supervision",
            Role.SUPERVISOR,
            "judicial",
            rectification.enterprise,
            key=key,
            rectification=rectification.id,
        )
