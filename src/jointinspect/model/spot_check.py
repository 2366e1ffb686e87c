"""Random spot checks (双随机、一公开): a campaign's stored draw, and declared conflicts of interest."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.model.plan import Window
from jointinspect.rules.spot_check import Draw
from jointinspect.timeutil import utc


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


@attrs.frozen
class SpotCheckRecord:
    """A department's drawn campaign as published: the draw (input and result), the items
    and window its plans are filed with, who drew it and when."""

    id: str
    campaign: str
    department: str
    draw: Draw
    items: tuple[str, ...] = attrs.field(converter=_strings)
    window: Window
    drawn_at: pendulum.DateTime = attrs.field(converter=utc)
    drawn_by: str


@attrs.frozen
class Conflict:
    """An inspector's declared conflict of interest with an enterprise (回避): never drawn for it."""

    inspector: str
    enterprise: str
    department: str
    reason: str
    declared_at: pendulum.DateTime = attrs.field(converter=utc)
