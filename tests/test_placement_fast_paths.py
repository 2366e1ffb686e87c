"""Shortcuts placement takes for bulk filing (issue 11) give what the general steps give:
a join described with the window `merge_targets` found is the group of its members, and
`reaching_from`'s kept answers are the ones it computes."""

from __future__ import annotations

import attrs
import pendulum
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_matching import ENTS, T0, Spec, plan_specs, policies, to_plans

from jointinspect.model.plan import Inspection, Plan, Window
from jointinspect.policy.schema import MatchingPolicy
from jointinspect.policy.vocabulary import DayUnit
from jointinspect.rules.commonday import CommonDay
from jointinspect.rules.matching import (
    _reaching_from,
    allowed_window,
    common_time,
    common_window,
    group_of,
    long_enough,
    merge_targets,
    reaching_from,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(plan_specs(max_plans=6, emergency=False), policies, st.integers(0, 96))
def test_a_join_described_with_the_window_merge_targets_found_is_the_group_of_its_members(
    specs: list[Spec], policy: MatchingPolicy, now_h: int
) -> None:
    *members, new = to_plans([attrs.evolve(s, enterprise=ENTS[0]) for s in specs])
    assume(members)
    try:
        group = group_of(members, policy)
    except ValueError:  # the members share too little time to be one visit
        assume(False)
    lead = next(m for m in members if m.department == group.lead_department)
    visit = Inspection(
        "v",
        group.enterprise,
        group.lead_department,
        group.plan_ids,
        group.departments,
        group.items,
        group.inspectors,
        group.window,
        lead.kind,
        T0,
    )
    for target, window in merge_targets(new, [visit], {p.id: p for p in members}, T0.add(hours=now_h), policy):
        joined = [*members, new.placed_in(target.id)]
        assert group_of(joined, policy, None, window) == group_of(joined, policy)


@given(st.integers(-100, 400), st.integers(0, 100), policies, policies, st.booleans())
def test_reaching_from_keeps_the_answers_it_computes(
    start_h: int, now_h: int, policy: MatchingPolicy, other: MatchingPolicy, utc: bool
) -> None:
    now = T0.add(hours=now_h)
    start = T0.add(hours=start_h) if utc else T0.add(hours=start_h).in_timezone("Asia/Shanghai")
    for asked in (policy, other, policy):  # the same clock reading, two policies in turn
        for again in (start, T0.add(hours=start_h)):  # the same instant, another object
            found = reaching_from(again, now, asked)
            expected = _reaching_from(again, now, asked)
            assert found == expected
            assert found.isoformat() == expected.isoformat()


def _common_window_in_steps(plans: list[Plan], policy: MatchingPolicy, days: CommonDay | None) -> Window:
    """`common_window` step by step as the docstring says it (allowed windows, their common
    time, kept within the filed span when that still leaves the minimum)."""
    window = common_time([allowed_window(p, policy) for p in plans])
    if window is None or (len(plans) > 1 and not long_enough(window, policy, days)):
        raise ValueError("too little common time")
    filed = Window(min(p.window.start for p in plans), max(p.window.end for p in plans))
    closer = window.intersection(filed)
    if closer is not None and (len(plans) == 1 or long_enough(closer, policy, days)):
        return closer
    return window


@settings(max_examples=300, deadline=None)
@given(plan_specs(max_plans=5, emergency=False), policies, st.sampled_from([None, *DayUnit]))
def test_common_window_is_the_one_its_steps_give(
    specs: list[Spec], policy: MatchingPolicy, unit: DayUnit | None
) -> None:
    """The shortcuts (a lone plan's own window; on a policy without allowances the common
    time straight from the filed instants, built without Window's converters) give the
    window, or the refusal, of the steps themselves; and what they build is a true Window."""
    policy = attrs.evolve(policy, common_day=unit)
    plans = to_plans([attrs.evolve(s, enterprise=ENTS[0]) for s in specs])
    try:
        expected: Window | None = _common_window_in_steps(plans, policy, None)
    except ValueError:
        expected = None
    try:
        found: Window | None = common_window(plans, policy)
    except ValueError:
        found = None
    assert found == expected
    if found is not None:
        assert found == Window(found.start, found.end)
        assert found.start.tzinfo is pendulum.UTC and found.end.tzinfo is pendulum.UTC
