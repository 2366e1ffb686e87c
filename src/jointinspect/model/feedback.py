"""The enterprise's rating of a visit (评价) and its complaints (投诉)."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect.model._enums import member
from jointinspect.timeutil import utc


def _to_complaint_reason(value: object) -> ComplaintReason:
    return member(ComplaintReason)(value)


@attrs.frozen
class Evaluation:
    """A 0-100 rating of one inspection by the enterprise, after check-out.

    With ``anonymous`` (Longhua) the rated department is not told who rated it.
    """

    inspection_id: str
    enterprise: str
    score: int
    comment: str
    at: pendulum.DateTime = attrs.field(converter=utc)
    anonymous: bool = False


class ComplaintReason(enum.StrEnum):
    """Why an enterprise complains."""

    NO_SCAN = "no_scan"  # entered without scanning
    MISCONDUCT = "misconduct"
    OVER_FREQUENCY = "over_frequency"
    UNSATISFIED = "unsatisfied"
    OTHER = "other"


@attrs.frozen
class Complaint:
    """A complaint about an inspection; it goes to the supervising office."""

    id: str
    inspection_id: str
    enterprise: str
    reason: ComplaintReason = attrs.field(converter=_to_complaint_reason)
    text: str
    at: pendulum.DateTime = attrs.field(converter=utc)
