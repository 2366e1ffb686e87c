"""The enterprise's rating of a visit (评价) and its complaints (投诉)."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.model._enums import member
from jointinspect.timeutil import utc


def _to_complaint_reason(value: object) -> ComplaintReason:
    return member(ComplaintReason, "reason")(value)


def _score(value: object, field: str) -> int:
    # the catalogued evaluation.score_range keeps the code callers already key on.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError("evaluation.score_range", score=value if isinstance(value, int) else type(value).__name__)
    return int(value)


def _score_score(value: object) -> int:
    return _score(value, "score")


def _anonymous_boolean(value: object) -> bool:
    return v.boolean(value, "anonymous")


def _comment_text(value: object) -> str:
    return v.text(value, "comment")


def _text_text(value: object) -> str:
    return v.text(value, "text")


@attrs.frozen
class Evaluation:
    """A 0-100 rating of one inspection by the enterprise, after check-out.

    With ``anonymous`` (Longhua) the rated department is not told who rated it.
    """

    inspection_id: str
    enterprise: str
    score: int = attrs.field(converter=_score_score)
    comment: str = attrs.field(converter=_comment_text)
    at: pendulum.DateTime = attrs.field(converter=utc)
    anonymous: bool = attrs.field(default=False, converter=_anonymous_boolean)


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
    text: str = attrs.field(converter=_text_text)
    at: pendulum.DateTime = attrs.field(converter=utc)
