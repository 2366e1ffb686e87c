"""Issue 8, the problem list as regression tests: joint visits keep every department's
window, the ledger counts the visit as it really happens, and the policy says how far a
plan may move.

Each test names the bullet of the issue it proves fixed.
"""

from __future__ import annotations

import itertools

import attrs
import pendulum
import pytest

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, FrequencyBlocked, PolicyError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, Window
from jointinspect.model.reference import CreditClass
from jointinspect.policy.schema import (
    PLANNED_KINDS,
    Allowance,
    Direction,
    FrequencyRule,
    LeadRule,
    MatchingPolicy,
    Policy,
    load_policy,
)
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.rules.frequency import Scope
from jointinspect.rules.matching import allowed_window, match_batch
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

ZONE = "Asia/Shanghai"
CITY = build_city(enterprises=2, departments=4)
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))
ENT = CITY.enterprises[0].credit_code
DEPTS = tuple(d.code for d in CITY.departments)


def day(month: int, d: int, hour: int = 9) -> pendulum.DateTime:
    """A local (policy zone) instant in the winter of 2026/27."""
    year = 2027 if month == 1 else 2026
    return pendulum.datetime(year, month, d, hour, tz=ZONE)


def engine(policy: Policy) -> Engine:
    counter = itertools.count()
    eng = Engine(
        store=MemoryStore(),
        policy=policy,
        clock=FixedClock(day(11, 20)),
        keys=MemoryKeyStore.from_seed(b"joint-visits-test-seed-32-bytes!"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    return eng


def file(
    eng: Engine, dept: str, start: pendulum.DateTime, hours: int = 8, kind: InspectionKind = InspectionKind.ROUTINE
) -> FilingOutcome:
    return eng.file_plan(
        PlanRequest(
            ENT,
            dept,
            start,
            start.add(hours=hours),
            kind=kind,
            items=[f"{dept}-01"],
            inspectors=[f"{dept}-I01", f"{dept}-I02"],
        ),
        by=principals.officer(dept),
    )


def live(eng: Engine) -> list[Inspection]:
    return [i for i in eng.inspections_of(ENT, by=principals.SYSTEM) if i.status is not InspectionStatus.SUPERSEDED]


def plans_of(eng: Engine) -> dict[str, Plan]:
    with eng.store.unit_of_work() as uow:
        return {p.id: p for p in uow.plans.for_enterprise(ENT)}


def assert_visits_keep_windows(eng: Engine) -> None:
    """Every visit lies inside every window it serves; the ledger counts exactly the visits."""
    plans = plans_of(eng)
    visits = live(eng)
    for insp in visits:
        for pid in insp.plan_ids:
            window = allowed_window(plans[pid], eng.policy.matching)
            assert window.start <= insp.window.start and insp.window.end <= window.end, (pid, insp.id)
    with eng.store.unit_of_work() as uow:
        held = {r.id: (r.at, r.kind, r.department, r.departments, r.inspectors) for r in uow.ledger.reservations(ENT)}
    assert held == {
        i.reservation_id: (i.window.start, i.kind, i.lead_department, i.departments, i.inspectors) for i in visits
    }


# 20 plans of one enterprise, filed for days from 12-13 to 01-03, complaints among them.
TWENTY = [
    (DEPTS[k % 4], day(12, 13).add(days=k), InspectionKind.COMPLAINT if k % 5 == 2 else InspectionKind.ROUTINE)
    for k in range(20)
] + [(DEPTS[1], day(12, 13).add(days=1, hours=2), InspectionKind.ROUTINE)]


def test_twenty_plans_are_not_one_visit_outside_most_windows() -> None:
    # Bullet 1: merging was transitive (connected components with a 7-day gap).
    eng = engine(Policy(frequency=()))
    outcomes = [file(eng, dept, start, kind=kind) for dept, start, kind in TWENTY]
    assert_visits_keep_windows(eng)
    visits = live(eng)
    assert len(visits) > 1
    # A complaint is visited inside its own window: it never waits for a routine visit.
    for out in outcomes:
        if out.plan.kind is InspectionKind.COMPLAINT:
            assert out.inspection is not None
            assert out.plan.window.start <= out.inspection.window.start < out.plan.window.end
    # Batch matching of the same plans gives the fewest visits; here, one per day, with the
    # two plans of 12-14 together.
    groups = match_batch(plans_of(eng).values(), Policy().matching)
    assert len(groups) == 20 and len(visits) == 20
    assert {len(g.plan_ids) for g in groups} == {1, 2}


@pytest.mark.parametrize("lead_first", [True, False])
@pytest.mark.parametrize("complaint_first", [True, False])
def test_complaint_day_12_and_routine_day_18_stay_two_visits(lead_first: bool, complaint_first: bool) -> None:
    # Bullet 2: with no common time the joint window fell back to the lead plan's window.
    order = (DEPTS[0], DEPTS[1]) if lead_first else (DEPTS[1], DEPTS[0])
    eng = engine(Policy(matching=MatchingPolicy(lead_rule=LeadRule.PRIORITY, lead_priority=order)))
    filings = [(DEPTS[0], day(12, 12), InspectionKind.COMPLAINT), (DEPTS[1], day(12, 18), InspectionKind.ROUTINE)]
    if not complaint_first:
        filings.reverse()
    outcomes = {kind: file(eng, dept, start, kind=kind) for dept, start, kind in filings}
    assert not any(o.merged for o in outcomes.values())
    complaint = outcomes[InspectionKind.COMPLAINT].inspection
    routine = outcomes[InspectionKind.ROUTINE].inspection
    assert complaint is not None and routine is not None and complaint.id != routine.id
    assert complaint.window.start == day(12, 12) and routine.window.start == day(12, 18)
    assert_visits_keep_windows(eng)


def test_the_ledger_counts_the_visit_where_it_happens() -> None:
    # Bullet 3: the ledger kept the first plan's instant and kind when a merge moved the visit.
    eng = engine(Policy(matching=MatchingPolicy(lead_rule=LeadRule.PRIORITY, lead_priority=(DEPTS[1],))))
    first = file(eng, DEPTS[0], day(12, 18, 0), hours=24)
    joined = file(eng, DEPTS[1], day(12, 18, 20), hours=3, kind=InspectionKind.COMPLAINT)
    assert joined.merged and first.inspection is not None and joined.inspection is not None
    assert joined.inspection.window == Window(day(12, 18, 20), day(12, 18, 23))
    with eng.store.unit_of_work() as uow:
        (reservation,) = uow.ledger.reservations(ENT)
    # Moved to the visit's start, of the lead's kind, with every inspector and department.
    assert reservation.at == day(12, 18, 20)
    assert reservation.kind is InspectionKind.COMPLAINT and reservation.department == DEPTS[1]
    assert reservation.departments == tuple(sorted(DEPTS[:2]))
    assert set(reservation.inspectors) == {f"{d}-I0{k}" for d in DEPTS[:2] for k in (1, 2)}
    assert_visits_keep_windows(eng)


def test_no_phantom_reservation_blocks_a_later_plan() -> None:
    # Bullet 3: a day-12 visit raises its warning two days after a day-10 visit, and no
    # reservation is left on day 18 where no visit happens.
    routine_may_move = MatchingPolicy(
        allowances={InspectionKind.ROUTINE: Allowance(days=7, direction=Direction.EARLIER)}
    )
    eng = engine(Policy(matching=routine_may_move))
    file(eng, DEPTS[0], day(12, 10))
    routine = file(eng, DEPTS[2], day(12, 18))
    complaint = file(eng, DEPTS[1], day(12, 12), kind=InspectionKind.COMPLAINT)
    # Joining the routine visit would make it a routine visit on day 12, two days after day 10:
    # the blocking rule forbids that move, so the complaint is visited on its own day 12 ...
    assert not complaint.merged and complaint.inspection is not None
    assert complaint.inspection.window.start == day(12, 12)
    assert [w.rule for w in complaint.warnings] == ["triggered_within_7_days"]
    # ... and the routine visit stays on day 18, where a day-20 plan may join it (it may move earlier).
    later = file(eng, DEPTS[3], day(12, 20))
    assert later.merged and routine.inspection is not None and later.inspection is not None
    assert later.inspection.id == routine.inspection.id
    assert later.inspection.window.start == day(12, 18)
    assert_visits_keep_windows(eng)


def test_a_visit_whose_window_is_over_takes_no_plan() -> None:
    # Bullet 4: any planned inspection was a merge target, even one whose window was over.
    eng = engine(Policy(frequency=()))
    first = file(eng, DEPTS[0], day(12, 12), hours=24 * 7)
    assert first.inspection is not None
    eng.clock.set(day(12, 19, 8))  # type: ignore[attr-defined]
    late = file(eng, DEPTS[1], day(12, 19, 7), hours=4, kind=InspectionKind.COMPLAINT)
    # Only 1 hour of the common time is still ahead: the plan gets its own visit, with a code.
    assert not late.merged and late.inspection is not None
    assert eng.issue_inspection_code(late.inspection.id, by=principals.SYSTEM).subject == late.inspection.id
    assert_visits_keep_windows(eng)


def test_a_window_shorter_than_the_minimum_is_refused_and_changes_nothing() -> None:
    eng = engine(Policy())
    with pytest.raises(ValidationError) as err:
        file(eng, DEPTS[0], day(12, 12), hours=1)
    assert err.value.code == "filing.window_too_short" and err.value.details["field"] == "window"
    assert "小时" in err.value.message_zh
    assert live(eng) == []


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"allowances": {"routine": {"days": -1}}}, "policy.allowance_negative", "matching.allowances.routine.days"),
        ({"allowances": {"special": {"hours": -3}}}, "policy.allowance_negative", "matching.allowances.special.hours"),
        ({"allowances": {"routine": {"days": 32}}}, "policy.allowance_too_long", "matching.allowances.routine"),
        (
            {"allowances": {"routine": {"days": 3}}, "window_limit_days": 2},
            "policy.allowance_too_long",
            "matching.allowances.routine",
        ),
        ({"allowances": {"complaint": {"days": 1}}}, "policy.allowance_triggered", "matching.allowances.complaint"),
        ({"allowances": {"assigned": {"hours": 2}}}, "policy.allowance_triggered", "matching.allowances.assigned"),
    ],
)
def test_bad_allowances_are_refused_naming_the_field(data: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy({"matching": data})
    assert err.value.code == code and err.value.details["field"] == field
    assert field in err.value.message_en and field in err.value.message_zh
    # The Chinese message is Chinese apart from the field name, codes and numbers.
    rest = err.value.message_zh.replace(field, "")
    assert not any(w in rest for w in ("allow", "must", "kind", "negative"))


def test_allowances_load_and_round_trip() -> None:
    data = {"matching": {"min_common_hours": 3, "allowances": {"routine": {"days": 2, "direction": "later"}}}}
    policy = load_policy(data)
    allowance = policy.matching.allowances[InspectionKind.ROUTINE]
    assert allowance.later == pendulum.duration(days=2) and allowance.earlier == pendulum.duration()
    assert load_policy(policy.to_dict()) == policy


def file_at(eng: Engine, dept: str, start_h: int, end_h: int) -> FilingOutcome:
    start = day(12, 12, 0).add(hours=start_h)
    return file(eng, dept, start, hours=end_h - start_h)


def test_replan_reaches_the_batch_optimum_with_the_ledger_following() -> None:
    # Incremental filing joins the first fitting visit: A+B take [8, 10), so C and D get a
    # visit each (three). The optimum is two: A+C at [0, 3) and B+D at [11, 13).
    eng = engine(Policy(frequency=()))
    a = file_at(eng, DEPTS[0], 0, 10)
    b = file_at(eng, DEPTS[1], 8, 13)
    file_at(eng, DEPTS[2], 0, 3)
    file_at(eng, DEPTS[3], 11, 14)
    assert b.merged and len(live(eng)) == 3
    optimum = match_batch(plans_of(eng).values(), eng.policy.matching)
    assert len(optimum) == 2
    with pytest.raises(Forbidden):
        eng.replan(ENT, by=Principal.officer(DEPTS[0]))
    assert len(live(eng)) == 3
    out = eng.replan(ENT, by=Principal.system())
    visits = live(eng)
    assert len(visits) == 2 and len(out.superseded) == 1 and set(out.visits) == {i.id for i in visits}
    assert {frozenset(i.plan_ids) for i in visits} == {frozenset(g.plan_ids) for g in optimum}
    assert_visits_keep_windows(eng)
    assert a.inspection is not None and a.inspection.id in out.visits
    with eng.store.unit_of_work() as uow:
        actions = [(e.record.action, e.record.actor) for e in uow.audit.entries()]
    assert ("inspection.replanned", "system/system") in actions or ("inspection.replanned", "system") in actions
    assert any(action == "inspection.superseded" for action, _ in actions)
    # Nothing left to gain: a second run changes nothing.
    again = eng.replan(ENT, by=Principal.system())
    assert again.changed == () and again.superseded == ()


def test_replan_leaves_started_visits_alone() -> None:
    eng = engine(Policy(frequency=()))
    a = file_at(eng, DEPTS[0], 0, 10)
    file_at(eng, DEPTS[1], 8, 13)
    file_at(eng, DEPTS[2], 0, 3)
    assert a.inspection is not None
    site = CITY.enterprises[0].site
    code = eng.issue_inspection_code(a.inspection.id, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM)
    eng.clock.set(day(12, 12, 8).add(minutes=5))  # type: ignore[attr-defined]
    eng.check_in(code.token, site, gate.token, by=principals.inspector(f"{DEPTS[0]}-I01"))
    out = eng.replan(ENT, by=Principal.system())
    assert out.changed == () and out.superseded == ()
    assert eng.inspection(a.inspection.id, by=principals.SYSTEM).status is InspectionStatus.IN_PROGRESS


def test_a_department_that_joins_by_merging_counts_toward_its_own_cap() -> None:
    # Bullet 3: departments that join a visit by merging were not in its reservation, so a
    # per-department cap never saw them.
    per_department = FrequencyRule(
        "one_per_department_week", 1, scope=Scope.ENTERPRISE_DEPARTMENT, window_days=7, counts=PLANNED_KINDS
    )
    eng = engine(Policy(frequency=(per_department,)))
    first = file(eng, DEPTS[0], day(12, 14))
    joined = file(eng, DEPTS[1], day(12, 14, 10), hours=4)
    assert joined.merged and first.inspection is not None
    assert_visits_keep_windows(eng)
    # DEPTS[1] (not the lead) already has its visit this week: a second plan of its own
    # three days later is refused, naming that department; another department is not.
    with pytest.raises(FrequencyBlocked) as refused:
        file(eng, DEPTS[1], day(12, 17))
    assert refused.value.details["scope"] == DEPTS[1]
    assert not file(eng, DEPTS[2], day(12, 17)).merged
    assert_visits_keep_windows(eng)
