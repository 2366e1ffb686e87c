"""Shortcuts placement takes for bulk filing (issue 11) give what the general steps give:
a join described with the window `merge_targets` found is the group of its members,
`reaching_from`'s kept answers are the ones it computes, a group of several plans is
described in one pass, and `merge_targets` does not ask again what `common_window` found."""

from __future__ import annotations

from random import Random

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_matching import ENTS, T0, Spec, plan_specs, policies, to_plans

from jointinspect.model.plan import Inspection, Plan, Window
from jointinspect.policy.schema import LeadRule, MatchingPolicy
from jointinspect.policy.vocabulary import DayUnit
from jointinspect.rules.commonday import CommonDay
from jointinspect.rules.matching import (
    _reaching_from,
    allowed_window,
    choose_lead,
    common_time,
    common_window,
    group_of,
    joinable,
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


@given(st.lists(st.integers(-100_000, 400_000), min_size=2, max_size=12), st.integers(0, 100), policies)
def test_reaching_from_keeps_an_answer_per_start_for_one_clock_reading(
    start_minutes: list[int], now_h: int, policy: MatchingPolicy
) -> None:
    """Many starts asked with the same clock reading and policy (as bulk filing asks them),
    some of them again as other objects: each gets its own start's answer."""
    now = T0.add(hours=now_h)
    for minutes in [*start_minutes, *reversed(start_minutes)]:
        start = T0.add(minutes=minutes)
        expected = _reaching_from(start, now, policy)
        found = reaching_from(start, now, policy)
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


def _group_in_steps(plans: list[Plan], policy: MatchingPolicy) -> tuple[object, ...]:
    """`group_of`'s fields as its docstring says them: the lead by `LeadRule` (ties by
    department, window start, plan id, as ``min`` keeps the first), the sorted ids and the
    sorted unions of departments, items and inspectors."""
    if policy.lead_rule is LeadRule.MOST_ITEMS:
        items_of: dict[str, set[str]] = {}
        for p in plans:
            items_of.setdefault(p.department, set()).update(p.items)
        lead = min(plans, key=lambda p: (-len(items_of[p.department]), p.department, p.window.start, p.id))
    else:
        lead = choose_lead(plans, policy)  # the other rules: unchanged (``min`` with a key)
    return (
        lead.enterprise,
        tuple(sorted(p.id for p in plans)),
        lead.department,
        tuple(sorted({p.department for p in plans})),
        tuple(sorted({i for p in plans for i in p.items})),
        tuple(sorted({i for p in plans for i in p.inspectors})),
    )


@settings(max_examples=300, deadline=None)
@given(plan_specs(max_plans=6, emergency=False), policies, st.randoms(use_true_random=False))
def test_a_group_of_several_plans_has_the_fields_its_steps_give(
    specs: list[Spec], policy: MatchingPolicy, random: Random
) -> None:
    """The one pass over the plans and the lead chosen without a key function give the
    lead, ids and unions the steps give, in any order of the plans (the lead's ties
    included: two plans of one department, the same window)."""
    plans = to_plans([attrs.evolve(s, enterprise=ENTS[0]) for s in specs])
    plans += [attrs.evolve(p, id=f"q{p.id}") for p in plans[:2]]  # equal keys but the id
    random.shuffle(plans)
    group = group_of(plans, policy, None, Window(T0, T0.add(hours=1)))
    fields = (
        group.enterprise,
        group.plan_ids,
        group.lead_department,
        group.departments,
        group.items,
        group.inspectors,
    )
    assert fields == _group_in_steps(plans, policy)
    with pytest.raises(ValueError):
        choose_lead([], policy)  # what ``min`` says of no plans


def _merge_targets_in_steps(
    plan: Plan, visits: list[Inspection], plans_by_id: dict[str, Plan], now: pendulum.DateTime, policy: MatchingPolicy
) -> list[tuple[Inspection, Window]]:
    """`merge_targets` asking `long_enough` of the part of every window ahead of ``now``."""
    if plan.kind not in policy.kinds:
        return []
    hits = []
    for visit in visits:
        if visit.enterprise != plan.enterprise or not joinable(visit, now, policy):
            continue
        members = [plans_by_id[i] for i in visit.plan_ids if i in plans_by_id]
        if len(members) != len(visit.plan_ids):
            continue
        try:
            window = common_window([*members, plan], policy)
        except ValueError:
            continue
        ahead = window if now <= window.start else (Window(now, window.end) if now < window.end else None)
        if long_enough(ahead, policy):
            hits.append((visit, window))
    return sorted(hits, key=lambda h: (h[1].end, h[0].id))


@settings(max_examples=300, deadline=None)
@given(plan_specs(max_plans=6, emergency=False), policies, st.integers(0, 96), st.booleans())
def test_merge_targets_asks_the_minimum_again_only_of_a_window_cut_by_now(
    specs: list[Spec], policy: MatchingPolicy, now_h: int, short: bool
) -> None:
    """A window `common_window` found for two plans or more, all of it ahead, is long
    enough without asking again; a visit of no plans (the new plan alone: its own window,
    maybe shorter than the minimum) and a window cut by ``now`` are asked. Each plan of
    the specs is a visit of its own, the last is the new plan; one more visit holds no
    plan, over the new plan's whole day."""
    *members, new = to_plans([attrs.evolve(s, enterprise=ENTS[0]) for s in specs])
    if short:
        new = attrs.evolve(new, window=Window(new.window.start, new.window.start.add(minutes=30)))
    visits = [
        Inspection(
            f"v{p.id}",
            p.enterprise,
            p.department,
            (p.id,),
            (p.department,),
            p.items,
            p.inspectors,
            p.window,
            p.kind,
            T0,
        )
        for p in members
    ]
    visits.append(
        Inspection(
            "v-none",
            new.enterprise,
            new.department,
            (),
            (new.department,),
            new.items,
            new.inspectors,
            Window(new.window.start, new.window.start.add(days=1)),
            new.kind,
            T0,
        )
    )
    now = T0.add(hours=now_h)
    plans_by_id = {p.id: p for p in members}
    assert merge_targets(new, visits, plans_by_id, now, policy) == _merge_targets_in_steps(
        new, visits, plans_by_id, now, policy
    )
