"""Rule groups of the inspection itself: filing, the whitelist, joint visits (matching),
frequency rules with Wuhu's defaults, check-ins, sharing of results and rectification."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Mapping

import attrs
import pendulum

from jointinspect.errors import PolicyError
from jointinspect.model.notification import Role
from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.policy.bounds import Range, declared
from jointinspect.policy.checks import (
    MAX_ADVANCE_DAYS,
    MAX_ALLOWANCE_DAYS,
    MAX_ALLOWANCE_HOURS,
    MAX_COMMON_HOURS,
    MAX_DEADLINE_DAYS,
    MAX_ENTERPRISE_CODE_DAYS,
    MAX_LOOKBACK_MONTHS,
    MAX_MIN_INSPECTORS,
    MAX_RADIUS_M,
    MAX_RULE_LIMIT,
    MAX_TOLERANCE_MINUTES,
    MAX_WINDOW_DAYS,
    _bounded,
    _codes,
    _dates,
    _kinds,
    _positive_number,
    _roles,
    _rule_name,
    _strict_bool_field,
)
from jointinspect.policy.meanings import MEANINGS
from jointinspect.policy.vocabulary import (
    ALL_KINDS,
    PLANNED_KINDS,
    CalendarFallback,
    DayUnit,
    LeadRule,
    Period,
    WhitelistMode,
)
from jointinspect.rules.frequency import Action, Scope

_PERIOD_ZH = {Period.DAY: "自然日", Period.WEEK: "自然周", Period.MONTH: "自然月", Period.YEAR: "自然年"}


@attrs.frozen
class FilingPolicy:
    """Advance notice, quiet periods and staffing for plans."""

    advance: int = attrs.field(
        metadata=MEANINGS["FilingPolicy.advance"], default=7, validator=_bounded(0, MAX_ADVANCE_DAYS)
    )
    unit: DayUnit = attrs.field(default=DayUnit.CALENDAR, metadata=MEANINGS["FilingPolicy.unit"])
    #: kinds that need no advance notice (cannot be planned); they are reported instead.
    exempt_kinds: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["FilingPolicy.exempt_kinds"], default=TRIGGERED_KINDS, converter=_kinds
    )
    min_inspectors: int = attrs.field(
        metadata=MEANINGS["FilingPolicy.min_inspectors"], default=2, validator=_bounded(0, MAX_MIN_INSPECTORS)
    )
    #: days of the month (in the policy zone) on which ``quiet_kinds`` may not start.
    quiet_days: frozenset[int] = attrs.field(
        default=frozenset(), metadata={**MEANINGS["FilingPolicy.quiet_days"], "bounds": declared(1, 31)}
    )
    quiet_kinds: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["FilingPolicy.quiet_kinds"], default=PLANNED_KINDS, converter=_kinds
    )
    calendar_fallback: CalendarFallback = attrs.field(
        default=CalendarFallback.WEEKDAYS, metadata=MEANINGS["FilingPolicy.calendar_fallback"]
    )
    #: a city may add next year's published schedule before the calendar package has it.
    extra_holidays: frozenset[dt.date] = attrs.field(
        metadata=MEANINGS["FilingPolicy.extra_holidays"], default=frozenset(), converter=_dates
    )
    extra_workdays: frozenset[dt.date] = attrs.field(
        metadata=MEANINGS["FilingPolicy.extra_workdays"], default=frozenset(), converter=_dates
    )

    def __attrs_post_init__(self) -> None:
        if isinstance(self.quiet_days, str | bytes) or any(
            isinstance(d, bool) or not isinstance(d, int) for d in self.quiet_days
        ):
            raise PolicyError(
                reason="filing.quiet_days must be a list of integers", reason_zh="filing.quiet_days 须为整数列表"
            )
        bad = sorted(d for d in self.quiet_days if not 1 <= d <= 31)
        if bad:
            raise PolicyError(
                reason=f"filing.quiet_days must be 1..31 (got {bad})",
                reason_zh=f"filing.quiet_days 须在 1 至 31 之间(实为 {bad})",
            )


@attrs.frozen
class WhitelistPolicy:
    """Which enterprises are limited or exempt, for which kinds, and who approves."""

    classes: Mapping[CreditClass, WhitelistMode] = attrs.field(
        metadata=MEANINGS["WhitelistPolicy.classes"], factory=lambda: {CreditClass.A: WhitelistMode.LIMITED}
    )
    #: mode for enterprises put on the whitelist explicitly.
    explicit: WhitelistMode = attrs.field(default=WhitelistMode.LIMITED, metadata=MEANINGS["WhitelistPolicy.explicit"])
    #: kinds the whitelist restricts; triggered inspections go ahead.
    kinds: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["WhitelistPolicy.kinds"], default=PLANNED_KINDS, converter=_kinds
    )
    #: every role here must approve, in any order (Laizhou: legal section and justice bureau).
    approvers: tuple[Role, ...] = attrs.field(
        metadata=MEANINGS["WhitelistPolicy.approvers"], default=(Role.SUPERVISOR,), converter=_roles
    )

    def __attrs_post_init__(self) -> None:
        if not self.approvers:
            raise PolicyError(
                reason="whitelist.approvers must name at least one role",
                reason_zh="whitelist.approvers 须至少列出一个角色",
            )


class Direction(enum.StrEnum):
    """Which way a policy allowance lets a planned kind move (see `Allowance`)."""

    EARLIER = "earlier"
    LATER = "later"
    BOTH = "both"


@attrs.frozen
class Allowance:
    """How far a visit may fall outside a plan's filed window, for one planned kind.

    The rule "a visit happens inside the window of every plan it serves" then holds
    against the *allowed* window: the filed one widened by ``days`` + ``hours`` on the
    side(s) ``direction`` names. Triggered kinds never get one (they are urgent).
    """

    # magnitude only: a negative one is refused as policy.allowance_negative by the policy
    days: int = attrs.field(
        metadata=MEANINGS["Allowance.days"], default=0, validator=_bounded(-MAX_ALLOWANCE_HOURS, MAX_ALLOWANCE_HOURS)
    )
    hours: int = attrs.field(
        metadata=MEANINGS["Allowance.hours"], default=0, validator=_bounded(-MAX_ALLOWANCE_HOURS, MAX_ALLOWANCE_HOURS)
    )
    direction: Direction = attrs.field(default=Direction.BOTH, metadata=MEANINGS["Allowance.direction"])

    @property
    def length(self) -> pendulum.Duration:
        """How far the plan may move, as a duration."""
        return pendulum.duration(days=self.days, hours=self.hours)

    @property
    def earlier(self) -> pendulum.Duration:
        """How much earlier than its filed start a visit may begin."""
        return self.length if self.direction is not Direction.LATER else pendulum.duration()

    @property
    def later(self) -> pendulum.Duration:
        """How much later than its filed end a visit may end."""
        return self.length if self.direction is not Direction.EARLIER else pendulum.duration()


def _check_allowances(policy: MatchingPolicy) -> None:
    limit = pendulum.duration(days=policy.window_limit_days)
    for kind in sorted(policy.allowances):
        allowance, field = policy.allowances[kind], f"matching.allowances.{kind}"
        if kind in TRIGGERED_KINDS:
            raise PolicyError("policy.allowance_triggered", field=field, kind=str(kind))
        for part in ("days", "hours"):
            if getattr(allowance, part) < 0:
                raise PolicyError("policy.allowance_negative", field=f"{field}.{part}", value=getattr(allowance, part))
        if allowance.length > limit:
            raise PolicyError(
                "policy.allowance_too_long",
                field=field,
                limit=policy.window_limit_days,
                value=int(allowance.length.total_seconds()) // 3600,
            )


@attrs.frozen
class MatchingPolicy:
    """When plans of one enterprise merge into one visit, and who leads it.

    A visit happens in the common time of its plans' (allowed) windows, and plans merge
    only when that common time is at least ``min_common_hours`` long; batch matching finds
    the fewest such visits (see `jointinspect.rules.matching`).
    """

    #: plans merge only when their windows share at least this many hours.
    min_common_hours: int = attrs.field(
        metadata=MEANINGS["MatchingPolicy.min_common_hours"], default=2, validator=_bounded(0, MAX_COMMON_HOURS)
    )
    lead_rule: LeadRule = attrs.field(default=LeadRule.MOST_ITEMS, metadata=MEANINGS["MatchingPolicy.lead_rule"])
    lead_priority: tuple[str, ...] = attrs.field(
        metadata=MEANINGS["MatchingPolicy.lead_priority"], default=(), converter=_codes
    )
    #: kinds that may merge; an emergency visit happens on its own.
    kinds: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["MatchingPolicy.kinds"], default=ALL_KINDS - {InspectionKind.EMERGENCY}, converter=_kinds
    )
    #: per planned kind, how far a visit may fall outside the filed window (default: not at all).
    allowances: Mapping[InspectionKind, Allowance] = attrs.field(
        metadata=MEANINGS["MatchingPolicy.allowances"], factory=dict
    )
    #: no allowance may be longer than this many days.
    window_limit_days: int = attrs.field(
        metadata=MEANINGS["MatchingPolicy.window_limit_days"], default=31, validator=_bounded(0, MAX_ALLOWANCE_DAYS)
    )
    #: where the minimum common time must lie: unset, anywhere (it may span days);
    #: "calendar", within one local day; "working", within one working day of the filing
    #: calendar (see jointinspect.rules.commonday).
    common_day: DayUnit | None = attrs.field(
        default=None,
        metadata={"zh": "共同时段须落在同一(工作)日内", "unit": "", "source": ""},
    )

    def __attrs_post_init__(self) -> None:
        _check_allowances(self)
        if self.common_day is not None and self.min_common_hours > 24:
            raise PolicyError(
                "policy.common_day_too_short",
                field="matching.min_common_hours",
                value=self.min_common_hours,
            )

    @property
    def minimum(self) -> pendulum.Duration:
        """The least common time of a joint visit (at least one microsecond: windows are half-open)."""
        return _minimum(self.min_common_hours)


@functools.cache
def _minimum(hours: int) -> pendulum.Duration:
    """`MatchingPolicy.minimum` of ``hours`` (built once: matching asks for it several times
    a plan, and a pendulum duration costs microseconds to build)."""
    return pendulum.duration(hours=hours) or pendulum.duration(microseconds=1)


@attrs.frozen
class FrequencyRule:
    """One frequency limit. Give ``window_days`` (rolling) or ``period`` (calendar)."""

    #: an identifier (it becomes part of notification keys, which every store bounds).
    name: str = attrs.field(metadata=MEANINGS["FrequencyRule.name"], converter=_rule_name)
    limit: int = attrs.field(metadata=MEANINGS["FrequencyRule.limit"], validator=_bounded(0, MAX_RULE_LIMIT))
    action: Action = attrs.field(default=Action.BLOCK, metadata=MEANINGS["FrequencyRule.action"])
    scope: Scope = attrs.field(default=Scope.ENTERPRISE, metadata=MEANINGS["FrequencyRule.scope"])
    #: kinds of the new visit this rule is checked for.
    applies_to: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["FrequencyRule.applies_to"], default=ALL_KINDS, converter=_kinds
    )
    #: kinds of earlier visits that count.
    counts: frozenset[InspectionKind] = attrs.field(
        metadata=MEANINGS["FrequencyRule.counts"], default=ALL_KINDS, converter=_kinds
    )
    window_days: int | None = attrs.field(
        default=None, metadata={**MEANINGS["FrequencyRule.window_days"], "bounds": declared(1, MAX_WINDOW_DAYS)}
    )
    period: Period | None = attrs.field(default=None, metadata=MEANINGS["FrequencyRule.period"])
    #: who hears a warning.
    notify: Role = attrs.field(default=Role.SUPERVISOR, metadata=MEANINGS["FrequencyRule.notify"])

    def __attrs_post_init__(self) -> None:
        if (self.window_days is None) == (self.period is None):
            raise PolicyError(
                reason=f"rule {self.name!r}: give exactly one of window_days, period",
                reason_zh=f"规则 {self.name!r}:window_days 与 period 须且只须给出其一",
            )
        if self.window_days is not None and (
            isinstance(self.window_days, bool)
            or not isinstance(self.window_days, int)
            or not 0 < self.window_days <= MAX_WINDOW_DAYS
        ):
            raise PolicyError(
                reason=f"rule {self.name!r}: window_days must be positive, at most {MAX_WINDOW_DAYS}",
                reason_zh=f"规则 {self.name!r}:window_days 须为正数,至多 {MAX_WINDOW_DAYS}",
            )

    def describe(self) -> str:
        """Human-readable window, e.g. '7 days' or 'calendar month'."""
        if self.window_days is not None:
            return f"{self.window_days} days"
        return f"calendar {self.period}"

    def describe_zh(self) -> str:
        """The window in Chinese, e.g. '7 天' or '自然月'."""
        if self.window_days is not None:
            return f"{self.window_days} 天"
        return _PERIOD_ZH[Period(str(self.period))]


@attrs.frozen
class CheckInPolicy:
    """Geofence, clock tolerance and code lifetimes for check-in."""

    radius_m: float = attrs.field(
        metadata=MEANINGS["CheckInPolicy.radius_m"],
        default=500.0,
        validator=Range(0, MAX_RADIUS_M, _positive_number, low_open=True),
    )
    tolerance_minutes: int = attrs.field(
        metadata=MEANINGS["CheckInPolicy.tolerance_minutes"], default=30, validator=_bounded(0, MAX_TOLERANCE_MINUTES)
    )
    one_time_codes: bool = attrs.field(
        metadata=MEANINGS["CheckInPolicy.one_time_codes"], default=True, validator=_strict_bool_field
    )
    require_enterprise_scan: bool = attrs.field(
        metadata=MEANINGS["CheckInPolicy.require_enterprise_scan"], default=True, validator=_strict_bool_field
    )
    #: lifetime of a standing enterprise code (posted at the gate); at least a day.
    enterprise_code_days: int = attrs.field(
        metadata=MEANINGS["CheckInPolicy.enterprise_code_days"],
        default=365,
        validator=_bounded(1, MAX_ENTERPRISE_CODE_DAYS),
    )

    @property
    def tolerance(self) -> pendulum.Duration:
        """Clock tolerance as a duration."""
        return pendulum.duration(minutes=self.tolerance_minutes)


@attrs.frozen
class SharingPolicy:
    """How far back same-item records of an enterprise are shown (result sharing)."""

    lookback_months: int = attrs.field(
        metadata=MEANINGS["SharingPolicy.lookback_months"], default=6, validator=_bounded(0, MAX_LOOKBACK_MONTHS)
    )


@attrs.frozen
class RectificationPolicy:
    """Deadlines and the 'first violation, no penalty' rule."""

    deadline_days: int = attrs.field(
        metadata=MEANINGS["RectificationPolicy.deadline_days"], default=15, validator=_bounded(1, MAX_DEADLINE_DAYS)
    )
    first_violation_guidance: bool = attrs.field(
        metadata=MEANINGS["RectificationPolicy.first_violation_guidance"], default=True, validator=_strict_bool_field
    )


def wuhu_rules() -> tuple[FrequencyRule, ...]:
    """Wuhu's rules, the defaults: one planned code per 7 days (block), triggered kinds
    warned, and supervision warnings past 2 visits in 7 days or 3 in 30 days."""
    return (
        FrequencyRule(
            "one_planned_per_7_days",
            1,
            Action.BLOCK,
            applies_to=PLANNED_KINDS,
            counts=PLANNED_KINDS,
            window_days=7,
        ),
        FrequencyRule(
            "triggered_within_7_days",
            1,
            Action.WARN,
            applies_to=TRIGGERED_KINDS,
            window_days=7,
        ),
        FrequencyRule("more_than_2_in_7_days", 2, Action.WARN, window_days=7),
        FrequencyRule("more_than_3_in_30_days", 3, Action.WARN, window_days=30),
    )
