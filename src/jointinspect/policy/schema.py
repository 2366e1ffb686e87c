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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pendulum

from jointinspect.errors import PolicyError
from jointinspect.model.notification import Role
from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.rules.frequency import Action, Scope

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


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise PolicyError(reason=f"{attribute.name} must not be negative (got {value})")


def _positive_number(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PolicyError(reason=f"{attribute.name} must be a positive number (got {value})")


@attrs.frozen
class FilingPolicy:
    """Advance notice, quiet periods and staffing for plans."""

    advance: int = attrs.field(default=7, validator=_positive)
    unit: DayUnit = DayUnit.CALENDAR
    #: kinds that need no advance notice (cannot be planned); they are reported instead.
    exempt_kinds: frozenset[InspectionKind] = TRIGGERED_KINDS
    min_inspectors: int = attrs.field(default=2, validator=_positive)
    #: days of the month (in the policy zone) on which ``quiet_kinds`` may not start.
    quiet_days: frozenset[int] = frozenset()
    quiet_kinds: frozenset[InspectionKind] = PLANNED_KINDS
    calendar_fallback: CalendarFallback = CalendarFallback.WEEKDAYS
    #: a city may add next year's published schedule before the calendar package has it.
    extra_holidays: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()

    def __attrs_post_init__(self) -> None:
        bad = sorted(d for d in self.quiet_days if not 1 <= d <= 31)
        if bad:
            raise PolicyError(reason=f"filing.quiet_days must be 1..31 (got {bad})")


@attrs.frozen
class WhitelistPolicy:
    """Which enterprises are limited or exempt, for which kinds, and who approves."""

    classes: Mapping[CreditClass, WhitelistMode] = attrs.field(factory=lambda: {CreditClass.A: WhitelistMode.LIMITED})
    #: mode for enterprises put on the whitelist explicitly.
    explicit: WhitelistMode = WhitelistMode.LIMITED
    #: kinds the whitelist restricts; triggered inspections go ahead.
    kinds: frozenset[InspectionKind] = PLANNED_KINDS
    #: every role here must approve, in any order (Laizhou: legal section and justice bureau).
    approvers: tuple[Role, ...] = (Role.SUPERVISOR,)

    def __attrs_post_init__(self) -> None:
        if not self.approvers:
            raise PolicyError(reason="whitelist.approvers must name at least one role")


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

    days: int = 0
    hours: int = 0
    direction: Direction = Direction.BOTH

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
    min_common_hours: int = attrs.field(default=2, validator=_positive)
    lead_rule: LeadRule = LeadRule.MOST_ITEMS
    lead_priority: tuple[str, ...] = ()
    #: kinds that may merge; an emergency visit happens on its own.
    kinds: frozenset[InspectionKind] = ALL_KINDS - {InspectionKind.EMERGENCY}
    #: per planned kind, how far a visit may fall outside the filed window (default: not at all).
    allowances: Mapping[InspectionKind, Allowance] = attrs.field(factory=dict)
    #: no allowance may be longer than this many days.
    window_limit_days: int = attrs.field(default=31, validator=_positive)

    def __attrs_post_init__(self) -> None:
        _check_allowances(self)

    @property
    def minimum(self) -> pendulum.Duration:
        """The least common time of a joint visit (at least one microsecond: windows are half-open)."""
        return pendulum.duration(hours=self.min_common_hours) or pendulum.duration(microseconds=1)


@attrs.frozen
class FrequencyRule:
    """One frequency limit. Give ``window_days`` (rolling) or ``period`` (calendar)."""

    name: str
    limit: int = attrs.field(validator=_positive)
    action: Action = Action.BLOCK
    scope: Scope = Scope.ENTERPRISE
    #: kinds of the new visit this rule is checked for.
    applies_to: frozenset[InspectionKind] = ALL_KINDS
    #: kinds of earlier visits that count.
    counts: frozenset[InspectionKind] = ALL_KINDS
    window_days: int | None = None
    period: Period | None = None
    #: who hears a warning.
    notify: Role = Role.SUPERVISOR

    def __attrs_post_init__(self) -> None:
        if (self.window_days is None) == (self.period is None):
            raise PolicyError(reason=f"rule {self.name!r}: give exactly one of window_days, period")
        if self.window_days is not None and self.window_days <= 0:
            raise PolicyError(reason=f"rule {self.name!r}: window_days must be positive")

    def describe(self) -> str:
        """Human-readable window, e.g. '7 days' or 'calendar month'."""
        if self.window_days is not None:
            return f"{self.window_days} days"
        return f"calendar {self.period}"


@attrs.frozen
class CheckInPolicy:
    """Geofence, clock tolerance and code lifetimes for check-in."""

    radius_m: float = attrs.field(default=500.0, validator=_positive_number)
    tolerance_minutes: int = attrs.field(default=30, validator=_positive)
    one_time_codes: bool = True
    require_enterprise_scan: bool = True
    #: lifetime of a standing enterprise code (posted at the gate).
    enterprise_code_days: int = attrs.field(default=365, validator=_positive)

    @property
    def tolerance(self) -> pendulum.Duration:
        """Clock tolerance as a duration."""
        return pendulum.duration(minutes=self.tolerance_minutes)


@attrs.frozen
class SharingPolicy:
    """How far back same-item records of an enterprise are shown (result sharing)."""

    lookback_months: int = attrs.field(default=6, validator=_positive)


@attrs.frozen
class RectificationPolicy:
    """Deadlines and the 'first violation, no penalty' rule."""

    deadline_days: int = attrs.field(default=15, validator=_positive)
    first_violation_guidance: bool = True


#: Principal kinds a policy may name (`jointinspect.auth.PrincipalKind` values).
PRINCIPAL_KINDS = frozenset({"officer", "inspector", "enterprise", "supervisor", "legal_office", "system"})


def _principal_kinds(_: object, attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]) -> None:
    unknown = sorted(set(value) - PRINCIPAL_KINDS)
    if unknown:
        raise PolicyError(reason=f"authorization.{attribute.name}: unknown principal kinds {unknown}")


_ADMINS = frozenset({"system", "supervisor"})


@attrs.frozen
class AuthorizationPolicy:
    """Which principal kinds may change what every operation relies on (see
    docs/authorization.md); the rest of the matrix is fixed by law and not configurable."""

    #: registering enterprises, departments, inspectors, items and scenarios.
    reference: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)
    #: putting an enterprise on or off the whitelist.
    whitelist: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)
    #: moving an enterprise's site (the geofence centre).
    sites: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)
    #: marking an enterprise for key supervision.
    key_supervision: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)
    #: moving an inspector to another department.
    inspector_department: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)
    #: maintenance: delivering notifications, reconciling, pruning, sweeping, verifying the audit.
    maintenance: frozenset[str] = attrs.field(default=_ADMINS, validator=_principal_kinds)


#: No code may be valid longer than this, whatever a policy says (about five years).
MAX_CODE_LIFETIME_DAYS = 1830


def _lifetime(_: object, __: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= MAX_CODE_LIFETIME_DAYS:
        raise PolicyError(reason=f"codes.max_lifetime_days must be 1..{MAX_CODE_LIFETIME_DAYS} (got {value})")


@attrs.frozen
class CodesPolicy:
    """Bounds on signed codes, enforced at issue and at verification."""

    #: longest validity (expires_at - issued_at) of any code; a signed code claiming more is refused.
    max_lifetime_days: int = attrs.field(default=400, validator=_lifetime)

    @property
    def max_lifetime(self) -> pendulum.Duration:
        """The bound as a duration."""
        return pendulum.duration(days=self.max_lifetime_days)


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
        raise PolicyError(reason=f"unknown time zone {value!r}") from exc


@attrs.frozen
class Policy:
    """Everything configurable, with Wuhu/Yantai defaults. Build with `load_policy`."""

    name: str = "default"
    zone: str = attrs.field(default="Asia/Shanghai", validator=_zone)
    filing: FilingPolicy = FilingPolicy()
    whitelist: WhitelistPolicy = WhitelistPolicy()
    matching: MatchingPolicy = MatchingPolicy()
    frequency: tuple[FrequencyRule, ...] = attrs.field(factory=wuhu_rules)
    checkin: CheckInPolicy = CheckInPolicy()
    sharing: SharingPolicy = SharingPolicy()
    rectification: RectificationPolicy = RectificationPolicy()
    authorization: AuthorizationPolicy = AuthorizationPolicy()
    codes: CodesPolicy = CodesPolicy()

    def __attrs_post_init__(self) -> None:
        if self.checkin.enterprise_code_days > self.codes.max_lifetime_days:
            raise PolicyError(reason="checkin.enterprise_code_days exceeds codes.max_lifetime_days")
        names = [r.name for r in self.frequency]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(reason=f"frequency rule names repeat: {dupes}")

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


def _is_frozenset(tp: Any) -> bool:
    return tp is frozenset or typing.get_origin(tp) is frozenset


def _plain(value: Any) -> Any:
    """Drop ``None`` (TOML has no null; a missing key loads as the default ``None``)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_structure_hook(int, _strict_int)
_converter.register_structure_hook(float, _strict_float)
# bool is a subclass of int: without its own hook it would go through _strict_int.
_converter.register_structure_hook(bool, _strict_bool)
_converter.register_structure_hook(dt.date, lambda v, _: v if isinstance(v, dt.date) else dt.date.fromisoformat(v))
_converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
# A hook registered for ``frozenset`` alone does not catch ``frozenset[X]`` annotations.
_converter.register_unstructure_hook_func(_is_frozenset, lambda s: sorted(_converter.unstructure(v) for v in s))


def load_policy(data: Mapping[str, Any]) -> Policy:
    """Build a `Policy` from plain data (missing keys take the defaults).

    Raises:
        PolicyError: naming every field that is wrong (unknown keys included).
    """
    try:
        return _converter.structure(dict(data), Policy)
    except PolicyError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        coded = _coded(exc)
        if coded is not None:
            raise coded from exc
        raise PolicyError(reason=_explain(exc)) from exc


def load_policy_file(path: str | Path) -> Policy:
    """Load a policy from a TOML file.

    Raises:
        PolicyError: if the file is not valid TOML or not a valid policy.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(reason=f"{path}: {exc}") from exc
    return load_policy(data)


def _format_exception(exc: BaseException, tp: type | None) -> str:
    # Our own validators already say what is wrong; cattrs would only say "invalid value".
    if isinstance(exc, PolicyError):
        return str(exc.details.get("reason", exc))
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


def _explain(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        # cattrs notes say where in the input each error sits ("@ $.frequency[0].limit").
        parts = cattrs.transform_error(exc, format_exception=_format_exception)
        return "; ".join(parts)
    cause = exc.__cause__ or exc
    if isinstance(cause, PolicyError):
        return str(cause.details.get("reason", cause))
    return str(exc)
