"""Plan matching: the fewest visits that keep every plan's window (issue 8), lead rules.

Batch matching is checked against a brute force over every partition (it is optimal), is
independent of input order, and every visit lies inside every member plan's window with
at least the policy minimum of common time. Incremental filing through an Engine keeps the
same rule and never beats the optimum.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

import attrs
import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, InspectionStatus, Plan, Window
from jointinspect.model.reference import CreditClass
from jointinspect.policy.schema import Allowance, Direction, LeadRule, MatchingPolicy, Policy
from jointinspect.requests import PlanRequest
from jointinspect.rules.matching import (
    Group,
    allowed_window,
    choose_lead,
    common_time,
    common_window,
    group_of,
    match_batch,
    merge_targets,
)
from jointinspect.testing import principals
from jointinspect.testing.city import build_city, credit_code
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
DEPTS = ("SCJG", "YJGL", "STHJ", "XFJY")
ENTS = tuple(credit_code(n) for n in (1, 2, 3))
KINDS = (InspectionKind.ROUTINE, InspectionKind.SPECIAL, InspectionKind.COMPLAINT, InspectionKind.EMERGENCY)


# ------------------------------------------------------------------ strategies


@attrs.frozen
class Spec:
    """A plan to file: enterprise, department, items, start (hours after T0), length."""

    enterprise: str
    department: str
    items: frozenset[str]
    start_h: int
    length_h: int
    kind: InspectionKind

    @property
    def start(self) -> pendulum.DateTime:
        return T0.add(hours=self.start_h)

    @property
    def end(self) -> pendulum.DateTime:
        return self.start.add(hours=self.length_h)


@st.composite
def plan_specs(draw: st.DrawFn, max_plans: int = 10, emergency: bool = True) -> list[Spec]:
    n = draw(st.integers(1, max_plans))
    kinds = KINDS if emergency else KINDS[:3]
    enterprises = ENTS[: draw(st.integers(2, 3))]
    specs = []
    for _ in range(n):
        dept = draw(st.sampled_from(DEPTS))
        specs.append(
            Spec(
                enterprise=draw(st.sampled_from(enterprises)),
                department=dept,
                items=frozenset(
                    draw(st.sets(st.sampled_from([f"{dept}-0{k}" for k in range(1, 5)]), min_size=1, max_size=3))
                ),
                start_h=draw(st.integers(0, 12 * 24)),
                length_h=draw(st.sampled_from([8, 24, 72, 240])),
                kind=draw(st.sampled_from(kinds)),
            )
        )
    return specs


def to_plans(specs: list[Spec]) -> list[Plan]:
    return [
        Plan(
            id=f"p{n:02d}",
            enterprise=s.enterprise,
            department=s.department,
            items=s.items,
            inspectors=(f"{s.department}-I01", f"{s.department}-I02"),
            window=Window(s.start, s.end),
            kind=s.kind,
            filed_at=T0.subtract(days=30),
        )
        for n, s in enumerate(specs)
    ]


policies = st.builds(
    MatchingPolicy,
    min_common_hours=st.sampled_from([0, 2, 8]),
    lead_rule=st.sampled_from(list(LeadRule)),
    lead_priority=st.permutations(DEPTS).map(lambda p: tuple(p[:2])),
    allowances=st.sampled_from(
        [
            {},
            {InspectionKind.ROUTINE: Allowance(days=1)},
            {InspectionKind.SPECIAL: Allowance(hours=12, direction=Direction.EARLIER)},
        ]
    ),
)


def plan_sets(groups: list[Group]) -> set[frozenset[str]]:
    return {frozenset(g.plan_ids) for g in groups}


def feasible(members: list[Plan], policy: MatchingPolicy) -> bool:
    """Whether these plans can be one visit: stated directly, without the matcher's code."""
    if len(members) == 1:
        return True
    if len({m.enterprise for m in members}) > 1 or any(m.kind not in policy.kinds for m in members):
        return False
    start = max(allowed_window(m, policy).start for m in members)
    end = min(allowed_window(m, policy).end for m in members)
    return end - start >= policy.minimum


def set_partitions(items: list[Plan]) -> list[list[list[Plan]]]:
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for part in set_partitions(rest):
        out.append([[first], *part])
        for k in range(len(part)):
            out.append([*part[:k], [first, *part[k]], *part[k + 1 :]])
    return out


# ------------------------------------------------------------------ batch properties


@given(plan_specs(), policies, st.randoms(use_true_random=False))
def test_grouping_does_not_depend_on_filing_order(
    specs: list[Spec], policy: MatchingPolicy, rnd: random.Random
) -> None:
    plans = to_plans(specs)
    shuffled = list(plans)
    rnd.shuffle(shuffled)
    assert match_batch(shuffled, policy) == match_batch(plans, policy)


@given(plan_specs(), policies)
def test_every_visit_lies_in_every_members_window(specs: list[Spec], policy: MatchingPolicy) -> None:
    plans = to_plans(specs)
    by_id = {p.id: p for p in plans}
    groups = match_batch(plans, policy)
    # A partition of the plans.
    ids = [i for g in groups for i in g.plan_ids]
    assert sorted(ids) == sorted(by_id)
    for g in groups:
        members = [by_id[i] for i in g.plan_ids]
        assert {m.enterprise for m in members} == {g.enterprise}
        if any(m.kind not in policy.kinds for m in members):
            assert len(members) == 1  # emergency plans never merge
        assert feasible(members, policy)
        for m in members:
            allowed = allowed_window(m, policy)
            assert allowed.start <= g.window.start and g.window.end <= allowed.end
        if len(members) > 1:
            assert g.window.end - g.window.start >= policy.minimum
        assert g.joint == (len({m.department for m in members}) >= 2)
        assert g.departments == tuple(sorted({m.department for m in members}))
        assert g.items == tuple(sorted({i for m in members for i in m.items}))


@settings(max_examples=150, deadline=None)
@given(plan_specs(max_plans=7), policies)
def test_batch_matching_is_optimal_against_every_partition(specs: list[Spec], policy: MatchingPolicy) -> None:
    plans = to_plans(specs)
    best = min(len(part) for part in set_partitions(plans) if all(feasible(g, policy) for g in part))
    assert len(match_batch(plans, policy)) == best


def expected_lead_department(members: list[Plan], policy: MatchingPolicy) -> str:
    """An independent statement of the lead rules (ties: smallest department code)."""
    depts = sorted({m.department for m in members})
    if policy.lead_rule is LeadRule.PRIORITY:
        for d in policy.lead_priority:
            if d in depts:
                return d
        return depts[0]
    if policy.lead_rule is LeadRule.EARLIEST_START:
        first = min(m.window.start for m in members)
        return min(m.department for m in members if m.window.start == first)
    counts = {d: len({i for m in members if m.department == d for i in m.items}) for d in depts}
    best = max(counts.values())
    return min(d for d in depts if counts[d] == best)


@given(plan_specs(emergency=False), policies)
def test_lead_and_common_window(specs: list[Spec], policy: MatchingPolicy) -> None:
    plans = to_plans(specs)
    by_id = {p.id: p for p in plans}
    for g in match_batch(plans, policy):
        members = [by_id[i] for i in g.plan_ids]
        assert g.lead_department == expected_lead_department(members, policy)
        common = common_time(allowed_window(m, policy) for m in members)
        assert common is not None
        assert common.start <= g.window.start and g.window.end <= common.end
        # Deterministic for a set of plans, whatever order the group is described in.
        assert group_of(list(reversed(members)), policy) == g


def _p(
    pid: str,
    dept: str,
    start_h: int,
    length_h: int,
    items: tuple[str, ...] = ("x",),
    kind: InspectionKind = InspectionKind.ROUTINE,
) -> Plan:
    start = T0.add(hours=start_h)
    return Plan(
        pid, ENTS[0], dept, items, ("i1", "i2"), Window(start, start.add(hours=length_h)), kind, T0.subtract(days=30)
    )


def test_minimum_common_time_boundary_is_inclusive() -> None:
    policy = MatchingPolicy(min_common_hours=2)
    a = _p("a", "SCJG", 0, 8)
    exactly = _p("b", "YJGL", 6, 8)
    short = _p("c", "YJGL", 7, 8)
    assert [g.plan_ids for g in match_batch([a, exactly], policy)] == [("a", "b")]
    assert [g.plan_ids for g in match_batch([a, short], policy)] == [("a",), ("c",)]


def test_no_chain_bridges_plans_that_share_no_time() -> None:
    # Issue 8: merging was transitive; now a and c, which share no time, are two visits.
    policy = MatchingPolicy(min_common_hours=2)
    plans = [_p("a", "SCJG", 0, 8), _p("b", "YJGL", 4, 8), _p("c", "STHJ", 10, 8)]
    groups = match_batch(plans, policy)
    assert plan_sets(groups) == {frozenset({"a", "b"}), frozenset({"c"})}
    assert groups[0].window == Window(T0.add(hours=4), T0.add(hours=8))


def test_allowance_moves_routine_plans_only_in_its_direction() -> None:
    routine = _p("a", "SCJG", 0, 8)
    later = _p("b", "YJGL", 24, 8)
    assert len(match_batch([routine, later], MatchingPolicy())) == 2
    forward = MatchingPolicy(allowances={InspectionKind.ROUTINE: Allowance(days=1, direction=Direction.LATER)})
    (g,) = match_batch([routine, later], forward)
    assert g.window == Window(T0.add(hours=24), T0.add(hours=32))
    back = MatchingPolicy(allowances={InspectionKind.ROUTINE: Allowance(days=1, direction=Direction.EARLIER)})
    (g,) = match_batch([routine, later], back)
    assert g.window == Window(T0, T0.add(hours=8))


def test_lead_rules_examples() -> None:
    a = _p("a", "YJGL", 10, 8, items=("y1", "y2"))
    b = _p("b", "SCJG", 0, 48, items=("s1",))
    plans = [a, b]
    assert choose_lead(plans, MatchingPolicy()).department == "YJGL"  # most items
    assert choose_lead(plans, MatchingPolicy(lead_rule=LeadRule.EARLIEST_START)).department == "SCJG"
    prio = MatchingPolicy(lead_rule=LeadRule.PRIORITY, lead_priority=("STHJ", "SCJG"))
    assert choose_lead(plans, prio).department == "SCJG"
    # The common time of the windows.
    assert common_window(plans, MatchingPolicy()) == Window(T0.add(hours=10), T0.add(hours=18))


def test_emergency_plans_never_merge() -> None:
    policy = MatchingPolicy()
    routine = _p("a", "SCJG", 0, 8)
    emergency = _p("b", "YJGL", 2, 8, kind=InspectionKind.EMERGENCY)
    groups = match_batch([routine, emergency], policy)
    assert plan_sets(groups) == {frozenset({"a"}), frozenset({"b"})}
    assert not any(g.joint for g in groups)


def test_merge_targets_only_same_enterprise_and_mergeable_kinds() -> None:
    from jointinspect.model.plan import Inspection

    policy = MatchingPolicy()
    a = _p("a", "SCJG", 0, 8)
    other_ent = attrs.evolve(_p("o", "SCJG", 0, 8), enterprise=ENTS[1])
    em = _p("e", "XFJY", 0, 8, kind=InspectionKind.EMERGENCY)

    def insp(iid: str, plan: Plan) -> Inspection:
        return Inspection(
            iid,
            plan.enterprise,
            plan.department,
            [plan.id],
            [plan.department],
            plan.items,
            plan.inspectors,
            plan.window,
            plan.kind,
            T0,
        )

    opened = [insp("i-a", a), insp("i-o", other_ent), insp("i-e", em)]
    by_id = {p.id: p for p in (a, other_ent, em)}
    new = _p("n", "YJGL", 4, 8)
    assert [(i.id, w) for i, w in merge_targets(new, opened, by_id, T0, policy)] == [
        ("i-a", Window(T0.add(hours=4), T0.add(hours=8)))
    ]
    # Not when the common time would be under the minimum, nor once the window is (nearly) over.
    assert merge_targets(_p("n1", "YJGL", 7, 8), opened, by_id, T0, policy) == []
    assert merge_targets(new, opened, by_id, T0.add(hours=7), policy) == []
    new_em = _p("n2", "YJGL", 4, 8, kind=InspectionKind.EMERGENCY)
    assert merge_targets(new_em, opened, by_id, T0, policy) == []


# ------------------------------------------------------------------ batch == incremental

CITY = build_city(enterprises=3, departments=4)
# Nobody on the whitelist: every plan is placed at once.
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))


def engine_for(policy: Policy) -> Engine:
    counter = itertools.count()
    eng = Engine(
        store=MemoryStore(), policy=policy, clock=FixedClock(T0.subtract(days=30)), ids=lambda: f"id{next(counter):04d}"
    )
    populate(eng, CITY)
    return eng


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_specs(max_plans=9), st.sampled_from([0, 2, 8]), st.sampled_from(list(LeadRule)))
def test_incremental_filing_keeps_the_rule_and_never_beats_the_optimum(
    specs: list[Spec], min_common_hours: int, lead_rule: LeadRule
) -> None:
    matching = MatchingPolicy(min_common_hours=min_common_hours, lead_rule=lead_rule, lead_priority=DEPTS[::-1])
    # No frequency rules: this compares matching alone.
    eng = engine_for(Policy(matching=matching, frequency=()))
    for s in specs:
        eng.file_plan(
            PlanRequest(
                s.enterprise,
                s.department,
                s.start,
                s.end,
                kind=s.kind,
                items=sorted(s.items),
                inspectors=[f"{s.department}-I01", f"{s.department}-I02"],
            ),
            by=principals.officer(s.department),
        )
    plans: list[Plan] = []
    live = []
    with eng.store.unit_of_work() as uow:
        for ent in ENTS:
            plans += uow.plans.for_enterprise(ent)
            for insp in uow.inspections.for_enterprise(ent):
                assert insp.status in (InspectionStatus.PLANNED, InspectionStatus.SUPERSEDED)
                if insp.status is InspectionStatus.PLANNED:
                    live.append(insp)
    by_id = {p.id: p for p in plans}
    by_insp: dict[str, list[Plan]] = defaultdict(list)
    for p in plans:
        assert p.inspection_id is not None
        by_insp[p.inspection_id].append(p)
    assert {frozenset(p.id for p in ps) for ps in by_insp.values()} == {frozenset(i.plan_ids) for i in live}
    for insp in live:
        members = [by_id[i] for i in insp.plan_ids]
        assert feasible(members, matching)
        for m in members:
            assert m.window.start <= insp.window.start and insp.window.end <= m.window.end
        g = group_of(members, matching)
        assert (insp.lead_department, insp.departments, insp.items, insp.window) == (
            g.lead_department,
            g.departments,
            g.items,
            g.window,
        )
    assert len(live) >= len(match_batch(plans, matching))
