"""Common time within one day: where a joint visit's minimum of common time must lie.

``matching.common_day`` (policy) says whether the ``min_common_hours`` plans must share
may spread over several days (unset, the default), must lie within one calendar day, or
within one *working* day of the filing calendar (`jointinspect.rules.filing.is_working_day`:
the Chinese calendar with adjusted holidays and the policy's own extra holidays and
working days). Days are local days of the policy zone.

Matching (`jointinspect.rules.matching`) asks one question: the latest instant ``t`` in
``[left, right]`` at which a visit of ``minimum`` length fits in one allowed day. Batch
matching stabs at those instants instead of the plain right ends, which keeps the greedy
optimal: every stabbing point lies in the same ordered set of allowed starts, and the
exchange argument only needs an order.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import attrs

from jointinspect.policy.schema import DayUnit, FilingPolicy, MatchingPolicy
from jointinspect.rules.filing import is_working_day

__all__ = ["CommonDay", "common_day"]

_DAY = dt.timedelta(days=1)


@attrs.frozen
class CommonDay:
    """The days a joint visit's common time must fall within: calendar or working days of
    ``zone``, working days by ``filing``'s calendar."""

    unit: DayUnit
    zone: str = "Asia/Shanghai"
    filing: FilingPolicy = attrs.field(factory=FilingPolicy)

    def latest_start(self, left: dt.datetime, right: dt.datetime, minimum: dt.timedelta) -> dt.datetime | None:
        """The latest ``t`` with ``left <= t <= right`` such that ``[t, t + minimum)`` lies
        within one allowed local day, or ``None`` when there is none."""
        if right < left:
            return None
        tz = zoneinfo.ZoneInfo(self.zone)
        day = right.astimezone(tz).date()
        while True:
            start = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
            end = dt.datetime.combine(day + _DAY, dt.time(), tz).astimezone(dt.UTC)
            if self.unit is DayUnit.CALENDAR or is_working_day(day, self.filing):
                t = min(right, end - minimum)
                if t >= max(left, start):
                    return t
            if start <= left:
                return None
            day -= _DAY


def common_day(
    policy: MatchingPolicy, zone: str = "Asia/Shanghai", filing: FilingPolicy | None = None
) -> CommonDay | None:
    """The `CommonDay` of a matching policy (``None``: common time may span days), in the
    policy zone with the filing calendar (`jointinspect.policy.schema.Policy` gives both)."""
    if policy.common_day is None:
        return None
    return CommonDay(policy.common_day, zone, FilingPolicy() if filing is None else filing)
