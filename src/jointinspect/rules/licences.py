"""Licence expiry prewarning (Yantai): which expiry dates each lead time covers today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def lead_ranges(today: dt.date, lead_days: Sequence[int]) -> list[tuple[int, dt.date, dt.date]]:
    """``(lead, first, last)`` for each lead time, longest first: a licence expiring in
    ``[first, last]`` is due the ``lead``-day warning today.

    A licence is warned for the shortest lead time that reaches its expiry: one expiring in
    5 days with lead times 30 and 7 gets the 7-day warning only (a licence registered late
    is not warned twice on one day), and one expiring in 20 days the 30-day warning now and
    the 7-day warning later. Expired licences (before ``today``) are not warned.
    """
    leads = sorted(set(lead_days))
    ranges: list[tuple[int, dt.date, dt.date]] = []
    for i, lead in enumerate(leads):
        first = today if i == 0 else today + dt.timedelta(days=leads[i - 1] + 1)
        ranges.append((lead, first, today + dt.timedelta(days=lead)))
    return ranges[::-1]
