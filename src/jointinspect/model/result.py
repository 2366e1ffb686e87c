"""What an inspection found, per item (检查结果)."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.model._enums import member
from jointinspect.timeutil import utc, utc_or_none


class Outcome(enum.StrEnum):
    """Finding for one item."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


def _to_outcome(value: object) -> Outcome:
    return member(Outcome, "outcome")(value)


def _guidance_boolean(value: object) -> bool:
    return v.boolean(value, "guidance")


def _note_text(value: object) -> str:
    return v.text(value, "note")


def _signer_text(value: object) -> str:
    return v.text(value, "signer")


def _evidence_text_sequence(value: object) -> tuple[str, ...]:
    return v.text_sequence(value, "evidence")


@attrs.frozen
class ResultRecord:
    """The finding for one item at one enterprise, recorded by one department.

    ``responsible_department`` is the first department that inspected this item at this
    enterprise within the sharing lookback: it answers for the result (谁检查谁负责).
    ``guidance`` is true when a first violation was turned into guidance (首违不罚).
    """

    id: str
    inspection_id: str
    enterprise: str
    department: str
    inspector_id: str
    item: str
    outcome: Outcome = attrs.field(converter=_to_outcome)
    note: str = attrs.field(converter=_note_text)
    evidence: tuple[str, ...] = attrs.field(converter=_evidence_text_sequence)
    recorded_at: pendulum.DateTime = attrs.field(converter=utc)
    responsible_department: str
    guidance: bool = attrs.field(default=False, converter=_guidance_boolean)
    acknowledged_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)
    acknowledged_by: str | None = attrs.field(default=None, converter=attrs.converters.optional(_signer_text))
