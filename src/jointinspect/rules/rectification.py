"""The rectification state machine: open -> submitted -> accepted, with rejection,
overdue and refusal. One table of legal moves; anything else is an
`IllegalTransition` and changes nothing."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import IllegalTransition, ValidationError
from jointinspect.model.rectification import Rectification, RectificationEvent, RectificationState

S = RectificationState


class RectificationAction(enum.StrEnum):
    """What someone does to a rectification."""

    SUBMIT = "submit"  # enterprise uploads evidence of the fix
    ACCEPT = "accept"  # department accepts (remotely or on site)
    REJECT = "reject"  # department rejects the fix, with a reason and a new deadline
    MARK_OVERDUE = "mark_overdue"  # the deadline passed (sweep)
    REFUSE = "refuse"  # enterprise refuses to rectify: key supervision


#: (state, action) -> new state. The whole machine.
TRANSITIONS: dict[tuple[RectificationState, RectificationAction], RectificationState] = {
    (S.OPEN, RectificationAction.SUBMIT): S.SUBMITTED,
    (S.OVERDUE, RectificationAction.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, RectificationAction.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, RectificationAction.REJECT): S.OPEN,
    (S.OPEN, RectificationAction.MARK_OVERDUE): S.OVERDUE,
    (S.OPEN, RectificationAction.REFUSE): S.REFUSED,
    (S.OVERDUE, RectificationAction.REFUSE): S.REFUSED,
}

TERMINAL = frozenset({S.ACCEPTED, S.REFUSED})


def apply(
    rect: Rectification,
    action: RectificationAction,
    *,
    at: pendulum.DateTime,
    actor: str,
    note: str = "",
    evidence: tuple[str, ...] = (),
    new_deadline: pendulum.DateTime | None = None,
    accepted_mode: str | None = None,
) -> Rectification:
    """Return ``rect`` after ``action``; the input is never modified.

    Raises:
        IllegalTransition: the action is not allowed in the current state (or an overdue
            sweep before the deadline).
        ValidationError: a rejection without a future deadline or a reason, a submission
            without evidence.
    """
    # boundary checks first (issue 10): None, bare strings and naive deadlines are typed errors.
    note = v.text(note, "note")
    evidence = v.text_sequence(evidence, "evidence")
    new_deadline = v.optional_instant(new_deadline, "new_deadline")
    target = TRANSITIONS.get((rect.state, action))
    if target is None or (action is RectificationAction.MARK_OVERDUE and at <= rect.deadline):
        raise IllegalTransition(
            "rectification.illegal_transition", rectification=rect.id, state=rect.state, action=action
        )
    deadline = rect.deadline
    if action is RectificationAction.SUBMIT and not evidence:
        raise ValidationError(
            "input.invalid",
            reason="a submission needs at least one evidence reference",
            reason_zh="提交整改至少需要一项佐证材料",
        )
    if action is RectificationAction.REJECT:
        if not note.strip():
            raise ValidationError("input.invalid", reason="a rejection needs a reason", reason_zh="退回整改须说明理由")
        if new_deadline is None or new_deadline <= at:
            raise ValidationError(
                "rectification.deadline_past",
                deadline=None if new_deadline is None else new_deadline.isoformat(),
                now=at.isoformat(),
            )
        deadline = new_deadline
    event = RectificationEvent(
        at=at,
        action=action.value,
        actor=actor,
        from_state=rect.state,
        to_state=target,
        note=note,
        evidence=evidence,
    )
    return attrs.evolve(
        rect,
        state=target,
        deadline=deadline,
        history=(*rect.history, event),
        accepted_mode=accepted_mode if action is RectificationAction.ACCEPT else rect.accepted_mode,
    )
