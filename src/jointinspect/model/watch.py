"""The inefficient-inspection watch (Chengdu): an inspector's run of consecutive
no-finding inspections of one enterprise, and the supervisor's explanation that ends it."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.timeutil import utc, utc_or_none


def _explanation_text(value: object) -> str:
    return v.text(value, "explanation")


@attrs.frozen
class NoFindingVisit:
    """One inspection the inspector left without recording a failed item."""

    inspection_id: str
    at: pendulum.DateTime = attrs.field(converter=utc)


@attrs.frozen
class InspectorStreak:
    """The run of ``inspector_id`` at ``enterprise``: consecutive no-finding inspections,
    oldest first, since the last finding or the last explanation.

    The last explanation recorded (by whom, when, what) stays for the record; a finding or
    an explanation empties ``visits``.
    """

    inspector_id: str
    enterprise: str
    visits: tuple[NoFindingVisit, ...] = ()
    explanation: str = attrs.field(default="", converter=_explanation_text)
    explained_by: str | None = None
    explained_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)

    def within(self, since: pendulum.DateTime) -> tuple[NoFindingVisit, ...]:
        """The visits of the run at or after ``since``."""
        return tuple(visit for visit in self.visits if visit.at >= since)
