"""Conflicting standards (X city's open problem): two departments' items whose standards
contradict each other (environment: windows closed against volatile gases; emergency
management: windows open against explosions), flagged on a visit that brings both."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.timeutil import utc, utc_or_none


def _reason_text(value: object) -> str:
    return v.text(value, "reason")


def _topic_text(value: object) -> str:
    return v.text(value, "topic")


def _pair(value: object) -> tuple[str, str]:
    first, second = sorted(v.identifier_sequence(value, "items"))
    return first, second


@attrs.frozen
class ConflictFlag:
    """A declared conflict between two items of one inspection, flagged before the visit;
    ``prevailing`` names the item whose standard prevailed once it is resolved."""

    id: str
    inspection_id: str
    enterprise: str
    items: tuple[str, str] = attrs.field(converter=_pair)
    departments: tuple[str, str]
    topic: str = attrs.field(converter=_topic_text)
    flagged_at: pendulum.DateTime = attrs.field(converter=utc)
    prevailing: str | None = None
    reason: str = attrs.field(default="", converter=_reason_text)
    resolved_by: str | None = None
    resolved_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)

    @property
    def resolved(self) -> bool:
        """Whether the standard that prevails has been recorded."""
        return self.prevailing is not None
