"""The policy's vocabulary: the sets of inspection kinds and the enumerations its settings
take (day units, calendar fallback, whitelist modes, lead rules, frequency periods)."""

from __future__ import annotations

import enum

from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind

PLANNED_KINDS = frozenset(InspectionKind) - TRIGGERED_KINDS
ALL_KINDS = frozenset(InspectionKind)


class DayUnit(enum.StrEnum):
    """How advance notice is counted."""

    CALENDAR = "calendar"
    WORKING = "working"


class CalendarFallback(enum.StrEnum):
    """What to do for a day the holiday calendar does not cover yet."""

    WEEKDAYS = "weekdays"  # Monday-Friday are working days
    ERROR = "error"  # refuse with filing.calendar_unknown


class WhitelistMode(enum.StrEnum):
    """How the whitelist treats an enterprise."""

    NORMAL = "normal"  # not restricted
    LIMITED = "limited"  # needs approval by the supervising office(s)
    EXEMPT = "exempt"  # refused


class LeadRule(enum.StrEnum):
    """How the lead department of a joint inspection is chosen."""

    MOST_ITEMS = "most_items"
    EARLIEST_START = "earliest_start"
    PRIORITY = "priority"  # first department of ``lead_priority`` taking part


class Period(enum.StrEnum):
    """Calendar buckets for frequency rules (in the policy zone)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
