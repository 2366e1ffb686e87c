"""Frequency windows: rolling windows against a brute-force oracle, calendar buckets in the
policy zone, scopes, which kinds count, and the reference check-and-reserve semantics."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind
from jointinspect.policy.schema import (
    PLANNED_KINDS,
    FrequencyRule,
    Period,
    Policy,
    load_policy,
)
from jointinspect.rules.filing import calendar_bucket, frequency_checks, ledger_reach
from jointinspect.rules.frequency import (
    Action,
    Reservation,
    ReservationState,
    RuleCheck,
    Scope,
    evaluate,
    max_in_rolling_window,
)

ZONE = "Asia/Shanghai"
BASE = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
R = InspectionKind.ROUTINE
C = InspectionKind.COMPLAINT


def minutes(n: int) -> pendulum.DateTime:
    return BASE.add(minutes=n)


# ------------------------------------------------------------------ rolling window oracle


def brute_force(others: list[int], at: int, width: int) -> int:
    """Try every window start (integer minutes suffice for integer event times)."""
    events = [*others, at]
    best = 0
    for s in range(at - width + 1, at + 1):  # windows [s, s + width) containing at
        best = max(best, sum(1 for e in events if s <= e < s + width))
    return best


@given(st.lists(st.integers(0, 300), max_size=25), st.integers(0, 300), st.integers(1, 120))
def test_max_in_rolling_window_matches_brute_force(others: list[int], at: int, width: int) -> None:
    got = max_in_rolling_window([minutes(t) for t in others], minutes(at), pendulum.duration(minutes=width))
    assert got == brute_force(others, at, width)


def test_rolling_window_is_half_open() -> None:
    week = pendulum.duration(days=7)
    at = BASE
    assert max_in_rolling_window([at - week], at, week) == 1
    assert max_in_rolling_window([at + week], at, week) == 1
    assert max_in_rolling_window([at - week + pendulum.duration(microseconds=1)], at, week) == 2
    assert max_in_rolling_window([at + week - pendulum.duration(microseconds=1)], at, week) == 2
    assert max_in_rolling_window([], at, week) == 1
    assert max_in_rolling_window([at, at], at, week) == 3  # simultaneous visits all count


# ------------------------------------------------------------------ calendar buckets


def test_day_bucket_follows_the_local_date() -> None:
    # 23:30 on 1 March in Shanghai is 15:30 UTC the same day...
    late = pendulum.datetime(2026, 3, 1, 23, 30, tz=ZONE)
    start, end = calendar_bucket(late.in_timezone("UTC"), Period.DAY, ZONE)
    assert (start, end) == (pendulum.datetime(2026, 2, 28, 16, tz="UTC"), pendulum.datetime(2026, 3, 1, 16, tz="UTC"))
    # ...and 00:30 on 2 March is still 1 March in UTC, yet belongs to 2 March.
    early = pendulum.datetime(2026, 3, 2, 0, 30, tz=ZONE)
    assert early.in_timezone("UTC").day == 1
    start, _ = calendar_bucket(early.in_timezone("UTC"), Period.DAY, ZONE)
    assert start == pendulum.datetime(2026, 3, 1, 16, tz="UTC")


def test_week_month_year_buckets() -> None:
    sunday_night = pendulum.datetime(2026, 3, 1, 23, 30, tz=ZONE).in_timezone("UTC")
    start, end = calendar_bucket(sunday_night, Period.WEEK, ZONE)
    assert start == pendulum.datetime(2026, 2, 23, tz=ZONE)  # Monday first
    assert end == pendulum.datetime(2026, 3, 2, tz=ZONE)
    monday = pendulum.datetime(2026, 3, 2, 0, 0, tz=ZONE).in_timezone("UTC")
    assert calendar_bucket(monday, Period.WEEK, ZONE)[0] == pendulum.datetime(2026, 3, 2, tz=ZONE)
    new_year = pendulum.datetime(2026, 1, 1, 0, 30, tz=ZONE).in_timezone("UTC")
    assert new_year.year == 2025
    assert calendar_bucket(new_year, Period.YEAR, ZONE) == (
        pendulum.datetime(2026, 1, 1, tz=ZONE),
        pendulum.datetime(2027, 1, 1, tz=ZONE),
    )
    assert calendar_bucket(new_year, Period.MONTH, ZONE) == (
        pendulum.datetime(2026, 1, 1, tz=ZONE),
        pendulum.datetime(2026, 2, 1, tz=ZONE),
    )
    feb = pendulum.datetime(2028, 2, 29, 12, tz=ZONE)
    assert calendar_bucket(feb, Period.MONTH, ZONE)[1] == pendulum.datetime(2028, 3, 1, tz=ZONE)


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)),
    st.sampled_from(list(Period)),
)
def test_bucket_properties(instant: dt.datetime, period: Period) -> None:
    at = pendulum.instance(instant)
    start, end = calendar_bucket(at, period, ZONE)
    assert start <= at < end
    local_start, local_end = start.in_timezone(ZONE), end.in_timezone(ZONE)
    assert (local_start.hour, local_start.minute, local_start.second) == (0, 0, 0)
    assert local_start.date() <= at.in_timezone(ZONE).date()
    if period is Period.DAY:
        assert end - start == pendulum.duration(days=1)
        assert local_start.date() == at.in_timezone(ZONE).date()
    elif period is Period.WEEK:
        assert local_start.weekday() == 0 and end - start == pendulum.duration(days=7)
    elif period is Period.MONTH:
        assert local_start.day == 1 and local_end.day == 1
        assert local_start.month == at.in_timezone(ZONE).month
    else:
        assert (local_start.month, local_start.day) == (1, 1)
        assert local_start.year == at.in_timezone(ZONE).year


# ------------------------------------------------------------------ evaluate


def res(
    rid: str,
    day: float,
    *,
    dept: str = "SCJG",
    kind: InspectionKind = R,
    inspectors: tuple[str, ...] = ("a", "b"),
    enterprise: str = "E1",
    state: ReservationState = ReservationState.CONFIRMED,
    expires_at: pendulum.DateTime | None = None,
) -> Reservation:
    return Reservation(rid, enterprise, dept, inspectors, kind, BASE + pendulum.duration(days=day), state, expires_at)


def rolling(
    limit: int,
    days: int,
    *,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.ENTERPRISE,
    counts: frozenset[InspectionKind] = frozenset(InspectionKind),
    name: str = "r",
) -> RuleCheck:
    return RuleCheck(name, action, limit, scope, counts, window=pendulum.duration(days=days))


def test_blocked_means_no_reservation() -> None:
    decision = evaluate([res("a", 0)], res("new", 3), [rolling(1, 7)], BASE)
    assert decision.reservation is None and not decision.allowed
    assert [(h.rule, h.count, h.limit, h.scope_key) for h in decision.blocked] == [("r", 2, 1, "E1")]
    ok = evaluate([res("a", 0)], res("new", 7), [rolling(1, 7)], BASE)
    assert ok.allowed and ok.reservation == res("new", 7)


def test_warn_rule_lets_the_visit_through() -> None:
    decision = evaluate([res("a", 0)], res("new", 1), [rolling(1, 7, action=Action.WARN)], BASE)
    assert decision.allowed and decision.reservation is not None
    assert [h.rule for h in decision.warnings] == ["r"]


def test_other_enterprises_and_own_id_do_not_count() -> None:
    existing = [res("x", 0, enterprise="E2"), res("new", 0)]
    assert evaluate(existing, res("new", 1), [rolling(1, 7)], BASE).allowed


def test_counts_filters_earlier_visits_by_kind() -> None:
    planned_only = rolling(1, 7, counts=PLANNED_KINDS)
    assert evaluate([res("c", 0, kind=C)], res("new", 1), [planned_only], BASE).allowed
    assert not evaluate([res("c", 0, kind=R)], res("new", 1), [planned_only], BASE).allowed


def test_scope_enterprise_department() -> None:
    check = rolling(1, 7, scope=Scope.ENTERPRISE_DEPARTMENT)
    assert evaluate([res("a", 0, dept="YJGL")], res("new", 1), [check], BASE).allowed
    blocked = evaluate([res("a", 0)], res("new", 1), [check], BASE)
    assert blocked.blocked[0].scope_key == "E1/SCJG"


def test_scope_inspector_enterprise_checks_each_inspector() -> None:
    check = rolling(1, 30, action=Action.WARN, scope=Scope.INSPECTOR_ENTERPRISE)
    existing = [res("a", 0, inspectors=("a", "z")), res("b", 1, inspectors=("q",))]
    decision = evaluate(existing, res("new", 2, inspectors=("a", "b")), [check], BASE)
    assert [(h.scope_key, h.count) for h in decision.warnings] == [("E1/a", 2)]


def test_calendar_bucket_check() -> None:
    bucket = calendar_bucket(BASE, Period.DAY, ZONE)
    check = RuleCheck("day", Action.WARN, 1, Scope.ENTERPRISE, frozenset(InspectionKind), bucket=bucket)
    same_day = res("a", 0.2)
    # 16:00 UTC the day before is local midnight: the same local day as BASE.
    at_midnight = Reservation("m", "E1", "SCJG", ("a",), R, bucket[0])
    before = Reservation("p", "E1", "SCJG", ("a",), R, bucket[0].subtract(microseconds=1))
    assert evaluate([before], res("new", 0), [check], BASE).warnings == ()
    assert evaluate([at_midnight], res("new", 0), [check], BASE).warnings[0].count == 2
    assert evaluate([same_day, at_midnight], res("new", 0), [check], BASE).warnings[0].count == 3
    assert evaluate([Reservation("e", "E1", "SCJG", ("a",), R, bucket[1])], res("new", 0), [check], BASE).warnings == ()


def test_pending_reservations_count_until_they_expire() -> None:
    now = BASE
    pending = res("p", 0, state=ReservationState.PENDING, expires_at=now.add(minutes=5))
    assert not evaluate([pending], res("new", 1), [rolling(1, 7)], now).allowed
    assert evaluate([pending], res("new", 1), [rolling(1, 7)], now.add(minutes=5)).allowed
    expired = res("p", 0, state=ReservationState.PENDING, expires_at=now.subtract(seconds=1))
    assert evaluate([expired], res("new", 1), [rolling(1, 7)], now).allowed


def test_all_blocking_and_warning_hits_are_reported() -> None:
    checks = [rolling(1, 7, name="b1"), rolling(5, 7, name="b2"), rolling(1, 7, action=Action.WARN, name="w1")]
    decision = evaluate([res("a", 0)], res("new", 1), checks, BASE)
    assert [h.rule for h in decision.blocked] == ["b1"]
    assert [h.rule for h in decision.warnings] == ["w1"]
    assert decision.reservation is None


def test_rule_check_needs_exactly_one_window() -> None:
    with pytest.raises(ValueError):
        RuleCheck("x", Action.BLOCK, 1, Scope.ENTERPRISE, [R])
    with pytest.raises(ValueError):
        RuleCheck(
            "x",
            Action.BLOCK,
            1,
            Scope.ENTERPRISE,
            [R],
            window=pendulum.duration(days=1),
            bucket=(BASE, BASE.add(days=1)),
        )


@given(
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from([R, C]), st.sampled_from(["SCJG", "YJGL"])), max_size=12),
    st.integers(0, 40),
    st.sampled_from([R, C]),
    st.integers(1, 3),
    st.integers(1, 10),
    st.sampled_from(list(Scope)),
)
def test_evaluate_agrees_with_brute_force(
    visits: list[tuple[int, InspectionKind, str]],
    day: int,
    kind: InspectionKind,
    limit: int,
    width: int,
    scope: Scope,
) -> None:
    existing = [
        res(f"v{n}", d, kind=k, dept=dep, inspectors=("a",) if n % 2 else ("b",))
        for n, (d, k, dep) in enumerate(visits)
    ]
    request = res("new", day, kind=kind, inspectors=("a",))
    check = rolling(limit, width, scope=scope, counts=frozenset({R}))
    decision = evaluate(existing, request, [check], BASE)
    counted = [
        v
        for v in existing
        if v.kind is R
        and (scope is not Scope.ENTERPRISE_DEPARTMENT or v.department == "SCJG")
        and (scope is not Scope.INSPECTOR_ENTERPRISE or "a" in v.inspectors)
    ]
    worst = brute_force(
        [int((v.at - BASE).total_minutes()) for v in counted], int((request.at - BASE).total_minutes()), width * 24 * 60
    )
    assert decision.allowed == (worst <= limit)
    if not decision.allowed:
        assert decision.blocked[0].count == worst


# ------------------------------------------------------------------ filing.frequency_checks


def test_frequency_checks_follow_applies_to() -> None:
    policy = Policy()
    routine = {c.rule for c in frequency_checks(policy, R, BASE)}
    complaint = {c.rule for c in frequency_checks(policy, C, BASE)}
    assert routine == {"one_planned_per_7_days", "more_than_2_in_7_days", "more_than_3_in_30_days"}
    assert complaint == {"triggered_within_7_days", "more_than_2_in_7_days", "more_than_3_in_30_days"}
    for check in frequency_checks(policy, R, BASE):
        rule = next(r for r in policy.frequency if r.name == check.rule)
        assert check.window == pendulum.duration(days=rule.window_days or 0)
        assert check.bucket is None
        assert (check.action, check.limit, check.scope, check.counts) == (
            rule.action,
            rule.limit,
            rule.scope,
            rule.counts,
        )
    first = next(c for c in frequency_checks(policy, R, BASE) if c.rule == "one_planned_per_7_days")
    assert first.counts == PLANNED_KINDS and not (first.counts & TRIGGERED_KINDS)


def test_frequency_checks_make_calendar_buckets_in_the_policy_zone() -> None:
    policy = load_policy(
        {
            "frequency": [
                {
                    "name": "month",
                    "limit": 3,
                    "action": "warn",
                    "period": "month",
                    "scope": "enterprise_department",
                    "applies_to": ["routine"],
                },
            ]
        }
    )
    late = pendulum.datetime(2026, 3, 31, 23, 30, tz=ZONE).in_timezone("UTC")
    (check,) = frequency_checks(policy, R, late)
    assert check.window is None
    assert check.bucket == (pendulum.datetime(2026, 3, 1, tz=ZONE), pendulum.datetime(2026, 4, 1, tz=ZONE))
    assert check.scope is Scope.ENTERPRISE_DEPARTMENT
    assert frequency_checks(policy, C, late) == []
    assert FrequencyRule("x", 1, period=Period.WEEK).describe() == "calendar week"


@given(
    window_days=st.integers(1, 400),
    period=st.sampled_from(list(Period)),
    zone=st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Pacific/Kiritimati"]),
    offsets=st.lists(st.integers(0, 10_000_000), min_size=1, max_size=4),
    later=st.integers(0, 10_000_000),
)
def test_ledger_reach_precedes_every_check_of_the_plans_visits(
    window_days: int, period: Period, zone: str, offsets: list[int], later: int
) -> None:
    """Issue 11: bulk filing preloads the ledger from `ledger_reach`; every check of a visit
    at or after a plan's window start (the earliest a visit serving it can be, without an
    allowance) looks no further back."""
    policy = Policy(
        zone=zone,
        frequency=(
            FrequencyRule("rolling", 1, window_days=window_days),
            FrequencyRule("calendar", 1, period=period),
        ),
    )
    t0 = pendulum.datetime(2026, 3, 2, tz="UTC")
    starts = [t0.add(seconds=o) for o in offsets]
    reach = ledger_reach(policy, starts)
    assert reach is not None
    at = min(starts).add(seconds=later)
    for check in frequency_checks(policy, InspectionKind.ROUTINE, at):
        low = at - check.window if check.window is not None else check.bucket[0] if check.bucket else at
        assert reach <= low
