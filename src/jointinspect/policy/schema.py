"""A city's rules as data: thresholds, windows, kinds, roles. Loaded from dicts or TOML.

Every number the source articles give is somebody's local rule, so none of them is code:
a `Policy` holds them, `load_policy` builds one from plain data (through
cattrs) and refuses inconsistent input with a `PolicyError`
that names the offending field.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import tomllib
import typing
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import cattrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import JointInspectError, PolicyError, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.policy.bounds import Range, declared
from jointinspect.policy.fieldwork import OfflineCheckInPolicy, QuietSlotPolicy, SpotCheckPolicy
from jointinspect.policy.meanings import MEANINGS
from jointinspect.policy.oversight import ConflictPolicy, GuidancePolicy, WatchPolicy
from jointinspect.policy.seeds import CreditRepairPolicy, LegalReviewPolicy, LicencePolicy
from jointinspect.rules.frequency import Action, Scope

T = TypeVar("T")

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


_PERIOD_ZH = {Period.DAY: "自然日", Period.WEEK: "自然周", Period.MONTH: "自然月", Period.YEAR: "自然年"}


def _policy_identifier(value: object, field: str) -> str:
    try:
        return v.identifier(value, field)
    except ValidationError as exc:
        raise PolicyError(
            reason=f"{field} must be an identifier (letters, digits, '.', '_', ':', '-'; at most {v.ID_MAX_LEN})",
            reason_zh=f"{field} 须为标识符(字母、数字及 . _ : -,至多 {v.ID_MAX_LEN} 个字符)",
        ) from exc


def _rule_name(value: object) -> str:
    return _policy_identifier(value, "frequency.name")


def _policy_name(value: object) -> str:
    try:
        return v.name(value, "name")
    except ValidationError as exc:
        raise PolicyError(
            reason=f"name must be non-empty text of at most {v.NAME_MAX_LEN} characters",
            reason_zh=f"名称须为非空文字,至多 {v.NAME_MAX_LEN} 个字符",
        ) from exc


def _policy_call(convert: Callable[[object], T], value: object) -> T:
    """Run ``convert``, reporting its `ValidationError` as a `PolicyError` (a policy is
    refused as a whole)."""
    try:
        return convert(value)
    except PolicyError:
        raise
    except ValidationError as exc:
        raise PolicyError(reason=exc.message_en, reason_zh=exc.message_zh) from exc
    except TypeError as exc:  # not iterable
        raise PolicyError(
            reason=f"expected a list, got {type(value).__name__}", reason_zh=f"应为列表,实为 {type(value).__name__}"
        ) from exc


def _bounded(low: int, high: int) -> Range:
    """An attrs validator: an ``int`` (not ``bool``) in ``low..high``.

    The upper bounds keep every later computation in range (a deadline, lookback or
    window computed from the policy must stay a valid instant); see docs/validation.md.
    """

    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(
                reason=f"{attribute.name} must be an integer (got {type(value).__name__})",
                reason_zh=f"{attribute.name} 须为整数(实为 {type(value).__name__})",
            )
        if value < 0 <= low:
            raise PolicyError(
                reason=f"{attribute.name} must not be negative (got {value})",
                reason_zh=f"{attribute.name} 不得为负数(实为 {value})",
            )
        if not low <= value <= high:
            shown = value if value.bit_length() < 64 else "a huge number"
            raise PolicyError(
                reason=f"{attribute.name} must be between {low} and {high} (got {shown})",
                reason_zh=f"{attribute.name} 须在 {low} 至 {high} 之间(实为 {shown})",
            )

    return Range(low, high, check)


#: Upper bounds of the policy's numbers (documented in docs/validation.md).
MAX_ADVANCE_DAYS = 365
MAX_MIN_INSPECTORS = 50
MAX_COMMON_HOURS = 24 * 366
MAX_ALLOWANCE_DAYS = 366
MAX_ALLOWANCE_HOURS = 24 * MAX_ALLOWANCE_DAYS
MAX_RULE_LIMIT = 10_000
MAX_WINDOW_DAYS = 3_660
MAX_RADIUS_M = 100_000.0
MAX_TOLERANCE_MINUTES = 1_440
MAX_ENTERPRISE_CODE_DAYS = 1_830  # = MAX_CODE_LIFETIME_DAYS: a code lives at most five years
MAX_LOOKBACK_MONTHS = 120
MAX_DEADLINE_DAYS = 3_650


def _positive_number(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(
            reason=f"{attribute.name} must be a number (got {type(value).__name__})",
            reason_zh=f"{attribute.name} 须为数字(实为 {type(value).__name__})",
        )
    if not (math.isfinite(value) and 0 < value <= MAX_RADIUS_M):
        raise PolicyError(
            reason=f"{attribute.name} must be a positive number up to {MAX_RADIUS_M:g} (got {value})",
            reason_zh=f"{attribute.name} 须为不超过 {MAX_RADIUS_M:g} 的正数(实为 {value})",
        )


def _kinds_raw(value: object) -> frozenset[InspectionKind]:
    if isinstance(value, str | bytes | Mapping):
        raise PolicyError(
            reason=f"expected a list of inspection kinds, got {type(value).__name__}",
            reason_zh=f"应为检查类型的列表,实为 {type(value).__name__}",
        )
    return frozenset(member(InspectionKind, "kinds")(k) for k in value)  # type: ignore[attr-defined]


def _dates_raw(value: object) -> frozenset[dt.date]:
    if isinstance(value, str | bytes | Mapping):
        raise PolicyError(
            reason=f"expected a list of dates, got {type(value).__name__}",
            reason_zh=f"应为日期列表,实为 {type(value).__name__}",
        )
    return frozenset(v.day(d, "date") for d in value)  # type: ignore[attr-defined]


def _codes_raw(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping):
        raise PolicyError(
            reason=f"expected a list of department codes, got {type(value).__name__}",
            reason_zh=f"应为部门代码列表,实为 {type(value).__name__}",
        )
    return tuple(v.identifier(c, "lead_priority") for c in value)  # type: ignore[attr-defined]


def _roles_raw(value: object) -> tuple[Role, ...]:
    if isinstance(value, str | bytes | Mapping):
        raise PolicyError(
            reason=f"expected a list of roles, got {type(value).__name__}",
            reason_zh=f"应为角色列表,实为 {type(value).__name__}",
        )
    return tuple(member(Role, "approvers")(r) for r in value)  # type: ignore[attr-defined]


def _kinds(value: object) -> frozenset[InspectionKind]:
    return _policy_call(_kinds_raw, value)


def _dates(value: object) -> frozenset[dt.date]:
    return _policy_call(_dates_raw, value)


def _codes(value: object) -> tuple[str, ...]:
    return _policy_call(_codes_raw, value)


def _roles(value: object) -> tuple[Role, ...]:
    return _policy_call(_roles_raw, value)


def _strict_bool_field(_: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise PolicyError(
            reason=f"{attribute.name} must be true or false (got {type(value).__name__})",
            reason_zh=f"{attribute.name} 须为 true 或 false(实为 {type(value).__name__})",
        )


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
        return pendulum.duration(hours=self.min_common_hours) or pendulum.duration(microseconds=1)


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


#: Principal kinds a policy may name (`jointinspect.auth.PrincipalKind` values).
PRINCIPAL_KINDS = frozenset({"officer", "inspector", "enterprise", "supervisor", "legal_office", "system"})


def _principal_kinds(_: object, attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]) -> None:
    unknown = sorted(set(value) - PRINCIPAL_KINDS)
    if unknown:
        raise PolicyError(
            reason=f"authorization.{attribute.name}: unknown principal kinds {unknown}",
            reason_zh=f"authorization.{attribute.name}:未知的执行主体类别 {unknown}",
        )


_ADMINS = frozenset({"system", "supervisor"})


@attrs.frozen
class AuthorizationPolicy:
    """Which principal kinds may change what every operation relies on (see
    docs/authorization.md); the rest of the matrix is fixed by law and not configurable."""

    #: registering enterprises, departments, inspectors, items and scenarios.
    reference: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.reference"], default=_ADMINS, validator=_principal_kinds
    )
    #: putting an enterprise on or off the whitelist.
    whitelist: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.whitelist"], default=_ADMINS, validator=_principal_kinds
    )
    #: moving an enterprise's site (the geofence centre).
    sites: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.sites"], default=_ADMINS, validator=_principal_kinds
    )
    #: marking an enterprise for key supervision.
    key_supervision: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.key_supervision"], default=_ADMINS, validator=_principal_kinds
    )
    #: moving an inspector to another department.
    inspector_department: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.inspector_department"], default=_ADMINS, validator=_principal_kinds
    )
    #: maintenance: delivering notifications, reconciling, pruning, sweeping, verifying the audit.
    maintenance: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.maintenance"], default=_ADMINS, validator=_principal_kinds
    )


#: No code may be valid longer than this, whatever a policy says (about five years).
MAX_CODE_LIFETIME_DAYS = 1830


def _lifetime(_: object, __: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= MAX_CODE_LIFETIME_DAYS:
        raise PolicyError(
            reason=f"codes.max_lifetime_days must be 1..{MAX_CODE_LIFETIME_DAYS} (got {value})",
            reason_zh=f"codes.max_lifetime_days 须在 1 至 {MAX_CODE_LIFETIME_DAYS} 之间(实为 {value})",
        )


@attrs.frozen
class CodesPolicy:
    """Bounds on signed codes, enforced at issue and at verification."""

    #: longest validity (expires_at - issued_at) of any code; a signed code claiming more is refused.
    max_lifetime_days: int = attrs.field(
        metadata=MEANINGS["CodesPolicy.max_lifetime_days"],
        default=400,
        validator=Range(1, MAX_CODE_LIFETIME_DAYS, _lifetime),
    )

    @property
    def max_lifetime(self) -> pendulum.Duration:
        """The bound as a duration."""
        return pendulum.duration(days=self.max_lifetime_days)


#: Retention bounds (days) for pruned history: at least a day, at most about ten years.
MAX_RETENTION_DAYS = 3660


def _within(field: str, low: float, high: float) -> Range:
    def check(_: object, __: attrs.Attribute[Any], value: float) -> None:
        if not low <= value <= high:
            raise PolicyError(
                reason=f"{field} must be {low:g}..{high:g} (got {value})",
                reason_zh=f"{field} 须在 {low:g} 至 {high:g} 之间(实为 {value})",
            )

    return Range(low, high, check)


@attrs.frozen
class AuditPolicy:
    """The audit trail's signed anchors (docs/audit-trail.md)."""

    #: sign the head every this many entries (0: only on demand, `Engine.anchor_audit`).
    anchor_every: int = attrs.field(
        metadata=MEANINGS["AuditPolicy.anchor_every"], default=0, validator=_within("audit.anchor_every", 0, 10_000_000)
    )


@attrs.frozen
class MaintenancePolicy:
    """Bounded growth: what `Engine.prune` forgets and when (docs/concepts.md)."""

    #: delivered notifications and expired one-time keys older than this many days are pruned.
    retention_days: int = attrs.field(
        metadata=MEANINGS["MaintenancePolicy.retention_days"],
        default=90,
        validator=_within("maintenance.retention_days", 1, MAX_RETENTION_DAYS),
    )
    #: also prune after every this many operations (0: only when `Engine.prune` is called).
    prune_every: int = attrs.field(
        metadata=MEANINGS["MaintenancePolicy.prune_every"],
        default=0,
        validator=_within("maintenance.prune_every", 0, 10_000_000),
    )

    @property
    def retention(self) -> pendulum.Duration:
        """The retention as a duration."""
        return pendulum.duration(days=self.retention_days)


@attrs.frozen
class DeliveryPolicy:
    """How the outbox relay retries a notifier that fails (docs/concepts.md, "Delivery")."""

    #: delay before the first retry; it doubles after each further failure...
    backoff_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.backoff_seconds"],
        default=30.0,
        validator=_within("delivery.backoff_seconds", 0, 86_400),
    )
    #: ...up to this cap.
    backoff_cap_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.backoff_cap_seconds"],
        default=3600.0,
        validator=_within("delivery.backoff_cap_seconds", 0, 7 * 86_400),
    )
    #: a send still running after this many seconds counts as failed (0: wait for it).
    send_timeout_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.send_timeout_seconds"],
        default=10.0,
        validator=_within("delivery.send_timeout_seconds", 0, 3600),
    )

    def backoff(self, attempts: int) -> pendulum.Duration:
        """The delay after the ``attempts``-th consecutive failure (1, 2, ...)."""
        exponent = min(max(attempts, 1) - 1, 32)
        return pendulum.duration(seconds=min(self.backoff_seconds * 2**exponent, self.backoff_cap_seconds))


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


def _zone(_: object, __: attrs.Attribute[str], value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError(reason=f"unknown time zone {value!r}", reason_zh=f"未知的时区 {value!r}") from exc


@attrs.frozen
class Policy:
    """Everything configurable, with Wuhu/Yantai defaults. Build with `load_policy`."""

    name: str = attrs.field(metadata=MEANINGS["Policy.name"], default="default", converter=_policy_name)
    zone: str = attrs.field(metadata=MEANINGS["Policy.zone"], default="Asia/Shanghai", validator=_zone)
    filing: FilingPolicy = FilingPolicy()
    whitelist: WhitelistPolicy = WhitelistPolicy()
    matching: MatchingPolicy = MatchingPolicy()
    frequency: tuple[FrequencyRule, ...] = attrs.field(factory=wuhu_rules)
    checkin: CheckInPolicy = CheckInPolicy()
    sharing: SharingPolicy = SharingPolicy()
    rectification: RectificationPolicy = RectificationPolicy()
    authorization: AuthorizationPolicy = AuthorizationPolicy()
    codes: CodesPolicy = CodesPolicy()
    audit: AuditPolicy = AuditPolicy()
    maintenance: MaintenancePolicy = MaintenancePolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    guidance: GuidancePolicy = attrs.field(
        factory=GuidancePolicy, metadata={"zh": "首违不罚、轻微免罚清单", "unit": "", "source": "Haigang"}
    )
    watch: WatchPolicy = attrs.field(
        factory=WatchPolicy, metadata={"zh": "无效检查监测", "unit": "", "source": "Chengdu"}
    )
    conflicts: ConflictPolicy = attrs.field(
        factory=ConflictPolicy, metadata={"zh": "部门间检查标准冲突", "unit": "", "source": "X city"}
    )
    spot_check: SpotCheckPolicy = attrs.field(factory=SpotCheckPolicy)
    offline_checkin: OfflineCheckInPolicy = attrs.field(factory=OfflineCheckInPolicy)
    quiet_slots: QuietSlotPolicy = attrs.field(factory=QuietSlotPolicy)
    licences: LicencePolicy = attrs.field(factory=LicencePolicy)
    credit_repair: CreditRepairPolicy = attrs.field(factory=CreditRepairPolicy)
    legal_review: LegalReviewPolicy = attrs.field(factory=LegalReviewPolicy)

    def __attrs_post_init__(self) -> None:
        if self.checkin.enterprise_code_days > self.codes.max_lifetime_days:
            raise PolicyError(
                reason="checkin.enterprise_code_days exceeds codes.max_lifetime_days",
                reason_zh="checkin.enterprise_code_days 超过了 codes.max_lifetime_days",
            )
        names = [r.name for r in self.frequency]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(reason=f"frequency rule names repeat: {dupes}", reason_zh=f"频次规则名称重复:{dupes}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for TOML/JSON), the inverse of `load_policy`."""
        return _plain(_converter.unstructure(self))  # type: ignore[no-any-return]


def _strict_int(value: object, _: object) -> int:
    # cattrs would accept True, 7.9 or "7" through int(); a policy file must say 7.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _strict_float(value: object, _: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _strict_bool(value: object, _: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _strict_str(value: object, tp: Any) -> Any:
    # cattrs would turn 5 into "5"; a policy file must say "5". The hook also serves the
    # StrEnum types (subclasses of str), whose values are text too.
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value if tp is str else tp(value)


def _is_frozenset(tp: Any) -> bool:
    return tp is frozenset or typing.get_origin(tp) is frozenset


def _plain(value: Any) -> Any:
    """Drop ``None`` (TOML has no null; a missing key loads as the default ``None``)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_sequence_type(tp: Any) -> bool:
    return typing.get_origin(tp) in (tuple, frozenset, set)


def _sequence_hook(tp: Any) -> Callable[[Any, Any], Any]:
    origin = typing.get_origin(tp)

    def structure(value: Any, _: Any) -> Any:
        # cattrs would split "SCJG" into ('S', 'C', 'J', 'G'); a policy file must give a list.
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple | set | frozenset):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        if origin is tuple:
            return _converter._structure_tuple(value, tp)
        if origin is frozenset:
            return _converter._structure_frozenset(value, tp)
        return _converter._structure_set(value, tp)

    return structure


_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_structure_hook_factory(_is_sequence_type, _sequence_hook)
_converter.register_structure_hook(int, _strict_int)
_converter.register_structure_hook(float, _strict_float)
# bool is a subclass of int: without its own hook it would go through _strict_int.
_converter.register_structure_hook(bool, _strict_bool)
_converter.register_structure_hook(str, _strict_str)
_converter.register_structure_hook(dt.date, lambda value, _: v.day(value, "date"))
_converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
# A hook registered for ``frozenset`` alone does not catch ``frozenset[X]`` annotations.
_converter.register_unstructure_hook_func(_is_frozenset, lambda s: sorted(_converter.unstructure(v) for v in s))


def load_policy(data: Mapping[str, Any]) -> Policy:
    """Build a `Policy` from plain data (missing keys take the defaults).

    Raises:
        PolicyError: naming every field that is wrong (unknown keys included).
    """
    if not isinstance(data, Mapping):
        raise PolicyError(
            reason=f"a policy is a table of settings, got {type(data).__name__}",
            reason_zh=f"策略须为设置表,实为 {type(data).__name__}",
        )
    try:
        return _converter.structure(dict(data), Policy)
    except PolicyError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        coded = _coded(exc)
        if coded is not None:
            raise coded from exc
        raise PolicyError(reason=_explain(exc), reason_zh=_explain_zh(exc)) from exc
    except RecursionError as exc:  # absurdly nested input
        raise PolicyError(reason="the policy is nested too deeply", reason_zh="策略嵌套层级过深") from exc


def load_policy_file(path: str | Path) -> Policy:
    """Load a policy from a TOML file.

    Raises:
        PolicyError: if the file is not valid TOML or not a valid policy.
    """
    if not isinstance(path, str | Path) or (isinstance(path, str) and ("\x00" in path or not path)):
        raise PolicyError(
            reason=f"a policy file path is text or a Path, got {type(path).__name__}",
            reason_zh=f"策略文件路径须为文字或路径对象,实为 {type(path).__name__}",
        )
    try:
        raw = Path(path).read_bytes()
        if len(raw) > MAX_POLICY_FILE_BYTES:
            raise PolicyError(
                reason=f"{path}: larger than {MAX_POLICY_FILE_BYTES} bytes",
                reason_zh=f"{path}:文件大于 {MAX_POLICY_FILE_BYTES} 字节",
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except PolicyError:
        raise
    except UnicodeDecodeError as exc:
        raise PolicyError(
            reason=f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            reason_zh=f"{path}:不是 UTF-8 文字(第 {exc.start} 字节)",
        ) from exc
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(reason=f"{path}: {exc}", reason_zh=f"{path}:不是有效的 TOML 文件") from exc
    except RecursionError as exc:
        raise PolicyError(reason=f"{path}: nested too deeply", reason_zh=f"{path}:嵌套层级过深") from exc
    return load_policy(data)


#: Largest policy file read (a city's policy is a few kilobytes).
MAX_POLICY_FILE_BYTES = 1_000_000


def _format_exception(exc: BaseException, tp: type | None) -> str:
    # Our own validators already say what is wrong; cattrs would only say "invalid value".
    if isinstance(exc, PolicyError):
        return str(exc.details.get("reason", exc))
    if isinstance(exc, JointInspectError):
        return exc.message_en
    if isinstance(exc, TypeError) and str(exc).startswith("expected "):
        return f"invalid value for type, {exc}"
    return cattrs.v.format_exception(exc, tp)


def _coded(exc: BaseException) -> PolicyError | None:
    """A `PolicyError` with its own code (one that names its field) inside ``exc``, if any."""
    if isinstance(exc, PolicyError) and exc.code != PolicyError.default_code:
        return exc
    inner: list[BaseException] = list(getattr(exc, "exceptions", ()))
    if exc.__cause__ is not None:
        inner.append(exc.__cause__)
    for sub in inner:
        found = _coded(sub)
        if found is not None:
            return found
    return None


def _format_exception_zh(exc: BaseException, tp: type | None) -> str:
    # Our validators give their Chinese; anything else cattrs found is a type or value mismatch.
    if isinstance(exc, PolicyError):
        return str(exc.details.get("reason_zh", "取值无效"))
    if isinstance(exc, JointInspectError):
        return exc.message_zh
    if isinstance(exc, KeyError):
        return "缺少必填项"
    return "类型或取值无效"


def _explain_zh(exc: BaseException) -> str:
    """The Chinese of `_explain`: where the errors sit, in a Chinese sentence."""
    if isinstance(exc, cattrs.BaseValidationError):
        parts = cattrs.transform_error(exc, format_exception=_format_exception_zh)
        return ";".join(f"{where}:{what}" for what, _, where in (p.rpartition(" @ ") for p in parts))
    cause = exc.__cause__ or exc
    if isinstance(cause, PolicyError):
        return str(cause.details.get("reason_zh", "策略配置的取值无效"))
    return "策略配置的取值无效"


def _explain(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        # cattrs notes say where in the input each error sits ("@ $.frequency[0].limit").
        parts = cattrs.transform_error(exc, format_exception=_format_exception)
        return "; ".join(parts)
    cause = exc.__cause__ or exc
    if isinstance(cause, PolicyError):
        return str(cause.details.get("reason", cause))
    return str(exc)
