"""Quiet slots: periods an enterprise declares (production peaks) in which routine visits are not placed."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum

from jointinspect.model.plan import Window
from jointinspect.timeutil import utc


@attrs.frozen
class QuietSlot:
    """An enterprise's quiet slot: local days ``start`` to ``end``, both included."""

    id: str
    enterprise: str
    start: dt.date
    end: dt.date
    reason: str
    declared_at: pendulum.DateTime = attrs.field(converter=utc)

    @property
    def days(self) -> int:
        """How many local days the slot covers."""
        return (self.end - self.start).days + 1

    def window(self, zone: str) -> Window:
        """The slot as instants: from the start day's midnight to the midnight after the end day, in ``zone``."""
        start = pendulum.datetime(self.start.year, self.start.month, self.start.day, tz=zone)
        after = self.end + dt.timedelta(days=1)
        return Window(start, pendulum.datetime(after.year, after.month, after.day, tz=zone))
