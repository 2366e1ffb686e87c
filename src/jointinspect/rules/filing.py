"""Filing rules: advance notice, quiet periods, ownership of items, certified inspectors,
the whitelist decision, and turning frequency rules into concrete checks for one visit."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Sequence

import chinese_calendar
import pendulum

from jointinspect._last import LastAnswer
from jointinspect.errors import FilingRejected, ValidationError
from jointinspect.model.plan import InspectionKind, Window
from jointinspect.model.reference import Enterprise, Inspector, SupervisionItem
from jointinspect.policy.schema import (
    CalendarFallback,
    DayUnit,
    FilingPolicy,
    FrequencyRule,
    Period,
    Policy,
    WhitelistMode,
    WhitelistPolicy,
)
from jointinspect.rules.frequency import RuleCheck
from jointinspect.timeutil import local_date, shifted_back, span


def is_working_day(day: dt.date, policy: FilingPolicy) -> bool:
    """Whether ``day`` is a working day in China (adjusted holidays included).

    The policy's own lists win; outside the calendar package's years the policy's fallback
    decides (Monday to Friday, or a `FilingRejected` asking for an update).
    """
    if day in policy.extra_holidays:
        return False
    if day in policy.extra_workdays:
        return True
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        if policy.calendar_fallback is CalendarFallback.ERROR:
            raise FilingRejected("filing.calendar_unknown", day=day.isoformat()) from exc
        return day.weekday() < 5


def earliest_start(filed_on: dt.date, policy: FilingPolicy) -> dt.date:
    """The first local date a plan filed on ``filed_on`` may start on.

    Both units read "at least N days before": calendar days give ``filed_on + advance``;
    working days give the ``advance``-th working day after the filing day (filing on a
    Monday with 7 working days' notice allows a start on the Wednesday of the next week).
    """
    # Every plan of a bulk chunk is filed on the same day (one clock reading, whose date
    # `local_date` keeps as one object): the answer for that very date is kept.
    return _last_earliest.get(filed_on, policy, lambda: _earliest_start(filed_on, policy))


_last_earliest: LastAnswer[dt.date] = LastAnswer()


def _earliest_start(filed_on: dt.date, policy: FilingPolicy) -> dt.date:
    if policy.unit is DayUnit.CALENDAR:
        return filed_on + dt.timedelta(days=policy.advance)
    day, counted = filed_on, 0
    while counted < policy.advance:
        day += dt.timedelta(days=1)
        if is_working_day(day, policy):
            counted += 1
    return day


def check_advance_notice(kind: InspectionKind, window: Window, filed_at: pendulum.DateTime, policy: Policy) -> bool:
    """Enforce advance notice; return ``True`` when the kind is exempt (to be reported).

    Raises:
        FilingRejected: ``filing.too_late`` with the earliest allowed start date.
    """
    if kind in policy.filing.exempt_kinds:
        return True
    filed_on = local_date(filed_at, policy.zone)
    start_on = local_date(window.start, policy.zone)
    earliest = earliest_start(filed_on, policy.filing)
    if start_on < earliest:
        working = policy.filing.unit is DayUnit.WORKING
        raise FilingRejected(
            "filing.too_late",
            required=policy.filing.advance,
            unit="working days" if working else "days",
            unit_zh="工作日" if working else "自然日",
            start=start_on.isoformat(),
            earliest=earliest.isoformat(),
        )
    return False


def check_quiet_period(kind: InspectionKind, window: Window, policy: Policy) -> None:
    """Refuse a plan of a quiet kind starting on a quiet day of the month (local date)."""
    start_on = local_date(window.start, policy.zone)
    if kind in policy.filing.quiet_kinds and start_on.day in policy.filing.quiet_days:
        raise FilingRejected("filing.quiet_period", day=start_on.isoformat())


def check_items(department: str, items: Sequence[SupervisionItem]) -> None:
    """Every item must belong to the filing department (or list it in ``also_checked_by``)."""
    if not items:
        raise ValidationError("filing.no_items")
    for item in items:
        if not item.checked_by(department):
            raise ValidationError("filing.item_not_owned", item=item.code, owner=item.department, department=department)


#: The last instant of a half-open window ends this much before its end.
_MICROSECOND = dt.timedelta(microseconds=1)


def check_inspectors(
    department: str,
    inspectors: Sequence[Inspector],
    items: Sequence[SupervisionItem],
    window: Window,
    policy: Policy,
) -> None:
    """Enough inspectors, of the department, certified for every item's field throughout
    the window (local dates)."""
    if len(inspectors) < policy.filing.min_inspectors:
        raise ValidationError("filing.no_inspectors", minimum=policy.filing.min_inspectors)
    first = local_date(window.start, policy.zone)
    # The window is half-open: its last local day is the day of (end - 1 microsecond).
    last = local_date(shifted_back(window.end, _MICROSECOND), policy.zone)
    for inspector in inspectors:
        if inspector.department != department:
            raise ValidationError(
                "filing.inspector_other_department",
                inspector=inspector.id,
                owner=inspector.department,
                department=department,
            )
        if not (inspector.certified_on(first) and inspector.certified_on(last)):
            raise ValidationError(
                "filing.certificate_invalid",
                inspector=inspector.id,
                start=first.isoformat(),
                end=last.isoformat(),
            )
        for item in items:
            if item.field not in inspector.fields:
                raise ValidationError(
                    "filing.certificate_scope", inspector=inspector.id, field=item.field, item=item.code
                )


class WhitelistDecision(enum.StrEnum):
    """What the whitelist says about one plan."""

    NORMAL = "normal"
    NEEDS_APPROVAL = "needs_approval"
    REFUSED = "refused"


def whitelist_decision(enterprise: Enterprise, kind: InspectionKind, policy: WhitelistPolicy) -> WhitelistDecision:
    """Normal, needs approval (limited) or refused (exempt), from the explicit whitelist
    flag or the credit class; kinds outside ``policy.kinds`` are never restricted."""
    if kind not in policy.kinds:
        return WhitelistDecision.NORMAL
    modes = [policy.classes.get(enterprise.credit_class, WhitelistMode.NORMAL)]
    if enterprise.whitelisted:
        modes.append(policy.explicit)
    if WhitelistMode.EXEMPT in modes:
        return WhitelistDecision.REFUSED
    if WhitelistMode.LIMITED in modes:
        return WhitelistDecision.NEEDS_APPROVAL
    return WhitelistDecision.NORMAL


def calendar_bucket(at: pendulum.DateTime, period: Period, zone: str) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """The calendar day/week (Monday first)/month/year holding ``at``, in ``zone``, as UTC."""
    start = at.in_timezone(zone).start_of(period.value)
    end = start.add(**{f"{period.value}s": 1})
    return start.in_timezone("UTC"), end.in_timezone("UTC")


@functools.lru_cache(maxsize=512)
def _rolling_check(rule: FrequencyRule) -> RuleCheck:
    """A rolling-window rule's check does not depend on the visit: build it once (ledgers
    may also cache their encoding of it by identity)."""
    assert rule.window_days is not None
    return RuleCheck(
        rule=rule.name,
        action=rule.action,
        limit=rule.limit,
        scope=rule.scope,
        counts=rule.counts,
        window=pendulum.duration(days=rule.window_days),
    )


def frequency_checks(policy: Policy, kind: InspectionKind, at: pendulum.DateTime) -> list[RuleCheck]:
    """The policy's frequency rules that apply to a new visit of ``kind`` at ``at``, in
    policy order."""
    memo = _rolling_memo[0]
    if memo is None or memo[0] is not policy:
        memo = _rolling_memo[0] = (policy, {})
    rolling = memo[1].get(kind)
    if rolling is not None:  # the same checks for every visit of this kind (no calendar bucket)
        return list(rolling)
    rules = [rule for rule in policy.frequency if kind in rule.applies_to]
    if all(rule.window_days is not None for rule in rules):
        rolling = memo[1][kind] = tuple(_rolling_check(rule) for rule in rules)
        return list(rolling)
    checks = []
    for rule in policy.frequency:
        if kind not in rule.applies_to:
            continue
        if rule.window_days is not None:
            checks.append(_rolling_check(rule))
        else:
            assert rule.period is not None
            checks.append(
                RuleCheck(
                    rule=rule.name,
                    action=rule.action,
                    limit=rule.limit,
                    scope=rule.scope,
                    counts=rule.counts,
                    bucket=calendar_bucket(at, rule.period, policy.zone),
                )
            )
    return checks


#: The checks of the last policy asked for whose rules are all rolling, by kind (they do
#: not depend on the visit's instant): (the policy object, checks by kind).
_rolling_memo: list[tuple[Policy, dict[InspectionKind, tuple[RuleCheck, ...]]] | None] = [None]


#: At least the longest calendar bucket of each period, in any zone.
_PERIOD_REACH = {
    Period.DAY: dt.timedelta(days=2),
    Period.WEEK: dt.timedelta(days=8),
    Period.MONTH: dt.timedelta(days=32),
    Period.YEAR: dt.timedelta(days=367),
}


def ledger_reach(policy: Policy, starts: Sequence[dt.datetime]) -> pendulum.DateTime | None:
    """An instant before which no frequency check of the visits of plans filed with these
    window starts looks (``None`` without starts): the earliest start, less the longest
    ``earlier`` allowance and the longest rolling window or calendar bucket. Bulk filing
    preloads the ledger from there (issue 11); a check reaching further back (none should)
    reads the ledger itself, so it is a bound for speed, not a rule."""
    if not starts:
        return None
    reach = dt.timedelta(days=1)
    for rule in policy.frequency:
        if rule.window_days is not None:
            reach = max(reach, dt.timedelta(days=rule.window_days))
        elif rule.period is not None:
            reach = max(reach, _PERIOD_REACH.get(rule.period, dt.timedelta(days=367)))
    earlier = max((a.earlier for a in policy.matching.allowances.values()), default=dt.timedelta())
    return pendulum.instance(shifted_back(shifted_back(min(starts), earlier), reach))


def check_window_length(window: Window, policy: Policy) -> None:
    """Refuse a window shorter than the merge minimum (issue 8): no visit could serve it
    together with another plan, and the city asked for at least that much time on site.

    Raises:
        ValidationError: ``filing.window_too_short``, naming the field ``window``.
    """
    minimum = policy.matching.minimum
    if span(window.start, window.end) < minimum:
        raise ValidationError(
            "filing.window_too_short",
            field="window",
            hours=policy.matching.min_common_hours,
            start=window.start.isoformat(),
            end=window.end.isoformat(),
        )
