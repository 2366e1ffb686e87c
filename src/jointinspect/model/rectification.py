"""Rectification (整改): a failed item the enterprise must fix, tracked until accepted."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.model._enums import member
from jointinspect.timeutil import utc


class RectificationState(enum.StrEnum):
    """States of the closed loop: feedback, fix, submission, acceptance."""

    OPEN = "open"  # waiting for the enterprise's fix
    SUBMITTED = "submitted"  # evidence uploaded, waiting for acceptance
    OVERDUE = "overdue"  # deadline passed without accepted fix
    ACCEPTED = "accepted"  # closed: fix accepted remotely or on site
    REFUSED = "refused"  # enterprise refused; escalated to key supervision


def _to_rectification_state(value: object) -> RectificationState:
    return member(RectificationState)(value)


def _actor_text(value: object) -> str:
    return v.text(value, "actor")


def _note_text(value: object) -> str:
    return v.text(value, "note")


def _evidence_text_sequence(value: object) -> tuple[str, ...]:
    return v.text_sequence(value, "evidence")


@attrs.frozen
class RectificationEvent:
    """One transition, kept in the rectification's history."""

    at: pendulum.DateTime = attrs.field(converter=utc)
    action: str
    actor: str = attrs.field(converter=_actor_text)
    from_state: RectificationState
    to_state: RectificationState
    note: str = attrs.field(default="", converter=_note_text)
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_evidence_text_sequence)


@attrs.frozen
class Rectification:
    """A problem to fix, opened from a failed result."""

    id: str
    result_id: str
    enterprise: str
    department: str
    item: str
    deadline: pendulum.DateTime = attrs.field(converter=utc)
    state: RectificationState = attrs.field(converter=_to_rectification_state)
    opened_at: pendulum.DateTime = attrs.field(converter=utc)
    guidance: bool = False
    history: tuple[RectificationEvent, ...] = ()
    #: how the fix was accepted: "remote" (云验收) or "on_site".
    accepted_mode: str | None = None
