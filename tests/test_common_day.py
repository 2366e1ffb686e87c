"""Merging needs the minimum common time within one (working) day (issue 8).

``matching.common_day`` = "working": plans merge only when their windows share at least
``min_common_hours`` inside one working day of the filing calendar (policy zone); batch
matching stays optimal (checked against a brute force over every partition, with a
feasibility test written here without the matcher's code), incremental filing follows
the same rule, and bad values are typed errors naming the field in both languages.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import PolicyError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.policy.schema import DayUnit, FilingPolicy, MatchingPolicy, Policy, load_policy
from jointinspect.requests import PlanRequest
from jointinspect.rules.batch import columns, match_columns, partition
from jointinspect.rules.commonday import CommonDay
from jointinspect.rules.filing import is_working_day
from jointinspect.rules.matching import allowed_window, match_batch
from jointinspect.testing import principals
from jointinspect.testing.city import build_city, credit_code
from jointinspect.testing.contract import populate

ZONE = "Asia/Shanghai"
TZ = zoneinfo.ZoneInfo(ZONE)
# Thursday 2026-04-30 00:00 local: May Day holidays (05-01..05-05) and a weekend follow.
T0 = pendulum.datetime(2026, 4, 30, 0, tz=ZONE)
ENTS = (credit_code(1), credit_code(2))
DEPTS = ("SCJG", "YJGL", "STHJ")


def plans_from(specs: list[tuple[int, int, int, int]]) -> list[Plan]:
    """(enterprise, department, start hour after T0, length in hours) -> plans."""
    return [
        Plan(
            id=f"p{n:02d}",
            enterprise=ENTS[e],
            department=DEPTS[d],
            items=(f"{DEPTS[d]}-01",),
            inspectors=(f"{DEPTS[d]}-I01", f"{DEPTS[d]}-I02"),
            window=Window(T0.add(hours=start), T0.add(hours=start + length)),
            kind=InspectionKind.ROUTINE,
            filed_at=T0.subtract(days=30),
        )
        for n, (e, d, start, length) in enumerate(specs)
    ]


specs = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 2), st.integers(0, 10 * 24), st.sampled_from([3, 8, 20, 30, 72, 200])),
    min_size=1,
    max_size=7,
)
policies = st.builds(
    MatchingPolicy, min_common_hours=st.sampled_from([0, 2, 8, 24]), common_day=st.sampled_from(list(DayUnit))
)


def feasible(members: list[Plan], policy: MatchingPolicy) -> bool:
    """Whether these plans can be one visit, stated directly: their common window overlaps
    some allowed local day by at least the minimum."""
    if len(members) == 1:
        return True
    if len({m.enterprise for m in members}) > 1:
        return False
    start = max(allowed_window(m, policy).start for m in members)
    end = min(allowed_window(m, policy).end for m in members)
    day = start.astimezone(TZ).date()
    while dt.datetime.combine(day, dt.time(), TZ) < end:
        lo = max(start, dt.datetime.combine(day, dt.time(), TZ))
        hi = min(end, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TZ))
        allowed = policy.common_day is DayUnit.CALENDAR or is_working_day(day, FilingPolicy())
        if allowed and hi - lo >= policy.minimum:
            return True
        day += dt.timedelta(days=1)
    return False


def partitions(items: list[Plan]) -> list[list[list[Plan]]]:
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for part in partitions(rest):
        out.append([[first], *part])
        out.extend([*part[:k], [first, *part[k]], *part[k + 1 :]] for k in range(len(part)))
    return out


@settings(max_examples=150, deadline=None)
@given(specs, policies)
def test_batch_matching_within_one_day_is_optimal_against_every_partition(
    raw: list[tuple[int, int, int, int]], policy: MatchingPolicy
) -> None:
    plans = plans_from(raw)
    groups = match_batch(plans, policy)
    by_id = {p.id: p for p in plans}
    for g in groups:
        assert feasible([by_id[i] for i in g.plan_ids], policy), g
    best = min(len(part) for part in partitions(plans) if all(feasible(g, policy) for g in part))
    assert len(groups) == best


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 20 * 24), st.integers(0, 20 * 24), st.sampled_from([1, 2, 8, 24]), st.sampled_from(list(DayUnit)))
def test_latest_start_is_the_latest_fitting_start(a: int, b: int, hours: int, unit: DayUnit) -> None:
    left, right, minimum = T0.add(hours=min(a, b)), T0.add(hours=max(a, b)), dt.timedelta(hours=hours)
    found = CommonDay(unit, ZONE).latest_start(left, right, minimum)
    # brute force over whole hours (every bound here is on the hour)
    fits = [
        t
        for t in (left + dt.timedelta(hours=k) for k in range(max(a, b) - min(a, b) + 1))
        if t.astimezone(TZ).date() == (t + minimum - dt.timedelta(microseconds=1)).astimezone(TZ).date()
        and (unit is DayUnit.CALENDAR or is_working_day(t.astimezone(TZ).date(), FilingPolicy()))
    ]
    assert found == (max(fits) if fits else None)


def engine(policy: Policy) -> Engine:
    counter = itertools.count()
    eng = Engine(
        store=MemoryStore(),
        policy=policy,
        clock=FixedClock(T0.subtract(days=20)),
        keys=MemoryKeyStore.from_seed(b"common-day-test-seed-32-bytes!!!"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, build_city(enterprises=2, departments=3))
    return eng


def file(eng: Engine, dept: str, start: pendulum.DateTime, hours: int) -> bool:
    ent = build_city(enterprises=2, departments=3).enterprises[0].credit_code
    request = PlanRequest(
        ent, dept, start, start.add(hours=hours), items=[f"{dept}-01"], inspectors=[f"{dept}-I01", f"{dept}-I02"]
    )
    return eng.file_plan(request, by=principals.officer(dept)).merged


@pytest.mark.parametrize(("unit", "merges"), [(None, True), (DayUnit.CALENDAR, True), (DayUnit.WORKING, False)])
def test_a_holiday_overlap_merges_only_without_the_working_day_rule(unit: DayUnit | None, merges: bool) -> None:
    eng = engine(Policy(frequency=(), matching=MatchingPolicy(common_day=unit)))
    departments = [d.code for d in build_city(enterprises=2, departments=3).departments]
    holiday = T0.add(days=2, hours=9)  # 2026-05-02, a Saturday in the May Day holidays
    assert not file(eng, departments[0], holiday, 8)
    assert file(eng, departments[1], holiday.add(hours=2), 4) is merges


def test_an_overlap_across_midnight_needs_the_minimum_on_one_side() -> None:
    eng = engine(Policy(frequency=(), matching=MatchingPolicy(min_common_hours=3, common_day=DayUnit.WORKING)))
    departments = [d.code for d in build_city(enterprises=2, departments=3).departments]
    # Wed 04-29 22:00 .. Thu 04-30 01:00 is 3 hours of common time, but 2 on Wednesday and
    # 1 on Thursday (both working days): no merge.
    assert not file(eng, departments[0], T0.subtract(hours=2), 3)
    assert not file(eng, departments[1], T0.subtract(hours=4), 5)
    # 21:00-24:00 on Wednesday shares 3 hours of one working day with the second visit.
    assert file(eng, departments[2], T0.subtract(hours=3), 3)


@pytest.mark.parametrize("unit", ["working", "calendar"])
def test_more_than_a_day_of_common_time_is_refused_naming_the_field(unit: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy({"matching": {"min_common_hours": 25, "common_day": unit}})
    error = refused.value
    assert error.code == "policy.common_day_too_short"
    assert "matching.min_common_hours" in error.message_en and "25" in error.message_en
    assert "matching.min_common_hours" in error.message_zh and "共同时段" in error.message_zh
    assert load_policy({"matching": {"min_common_hours": 25}}).matching.common_day is None  # any time: allowed


def test_an_unknown_day_unit_is_refused_naming_the_field() -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy({"matching": {"common_day": "weekly"}})
    assert "common_day" in refused.value.message_en and "common_day" in refused.value.message_zh


def test_columnar_matching_refuses_a_day_rule_rather_than_ignore_it() -> None:
    cols = columns(plans_from([(0, 0, 0, 8), (0, 1, 2, 8)]), MatchingPolicy())
    assert partition(match_columns(cols, MatchingPolicy()), cols.ids) == [("p00", "p01")]
    with pytest.raises(ValidationError):
        match_columns(cols, MatchingPolicy(common_day=DayUnit.WORKING))
