"""Every preset's own rule, shown firing through an Engine.

Frequency rules count visits (inspections): a plan that merges into an open inspection adds
no visit, so tests that need separate visits either space them beyond the matching gap or
turn merging off with ``matching={"kinds": []}``.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pendulum
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.codes.offline import OfflineRecord, public_key_hex, sign_offline
from jointinspect.engine import Engine
from jointinspect.errors import CheckInRejected, FilingRejected, FrequencyBlocked, IllegalTransition, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind, InspectionStatus, PlanStatus
from jointinspect.model.reference import CreditClass
from jointinspect.operations.spot_checks import SpotCheckRequest
from jointinspect.policy import PRESETS, preset
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.sample import build_city as build_sample_city
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

ZONE = "Asia/Shanghai"
#: Monday 2 March 2026, 09:00 in Shanghai.
T0 = pendulum.datetime(2026, 3, 2, 9, tz=ZONE).in_timezone("UTC")
CITY = build_city(enterprises=3, departments=3)
CITY = attrs.evolve(
    CITY,
    enterprises=(
        attrs.evolve(CITY.enterprises[0], credit_class=CreditClass.B),
        attrs.evolve(CITY.enterprises[1], credit_class=CreditClass.A),
        attrs.evolve(CITY.enterprises[2], credit_class=CreditClass.C),
    ),
)
ENT, A_ENT = CITY.enterprises[0].credit_code, CITY.enterprises[1].credit_code
NO_MERGE: dict[str, Any] = {"matching": {"kinds": []}}


def engine(name: str, **overrides: Any) -> tuple[Engine, FixedClock, CollectingNotifier]:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=60))
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=preset(name, **overrides),
        clock=clock,
        notifier=notes,
        keys=MemoryKeyStore.from_seed(b"preset-tests-signing-seed-32byte"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    return eng, clock, notes


def file(
    eng: Engine,
    start: pendulum.DateTime,
    *,
    dept: str = "SCJG",
    hours: int = 2,
    kind: InspectionKind = InspectionKind.ROUTINE,
    enterprise: str = ENT,
    inspectors: tuple[str, ...] | None = None,
) -> FilingOutcome:
    return eng.file_plan(
        PlanRequest(
            enterprise,
            dept,
            start,
            start.add(hours=hours),
            kind=kind,
            items=[f"{dept}-01"],
            inspectors=inspectors or (f"{dept}-I01", f"{dept}-I02"),
        ),
        by=principals.officer(dept),
    )


def warned(out: FilingOutcome) -> list[str]:
    return [w.rule for w in out.warnings]


def test_wuhu_blocks_a_second_planned_visit_within_7_days() -> None:
    eng, _, _ = engine("wuhu", **NO_MERGE)
    first = file(eng, T0)
    with pytest.raises(FrequencyBlocked) as err:
        file(eng, T0.add(days=3), dept="YJGL")
    assert err.value.details["rule"] == "one_planned_per_7_days"
    assert err.value.details["hits"] == ["one_planned_per_7_days"]
    assert file(eng, T0.add(days=7), dept="YJGL").inspection is not None  # half-open window
    # A complaint is not blocked but warned.
    out = file(eng, T0.add(days=1), dept="STHJ", kind=InspectionKind.COMPLAINT)
    assert out.inspection is not None and first.inspection is not None
    assert out.inspection.id != first.inspection.id
    assert "triggered_within_7_days" in warned(out)


def test_wuhu_merges_instead_of_blocking_by_default() -> None:
    eng, _, _ = engine("wuhu")
    first = file(eng, T0)
    second = file(eng, T0.subtract(hours=2), dept="YJGL", hours=6)  # shares the 2 hours of the first
    assert second.inspection is not None and first.inspection is not None
    assert second.merged and second.inspection.id == first.inspection.id
    assert second.inspection.joint and second.warnings == ()
    assert second.inspection.window == first.inspection.window


def test_a_blocked_plan_is_told_which_open_visits_it_could_join() -> None:
    # Issue 8: a plan three days later shares no time with the open visit, so it is not moved
    # into it; the blocking rule refuses it and names the visit (date in the policy zone).
    eng, _, _ = engine("wuhu")
    first = file(eng, T0)
    assert first.inspection is not None
    with pytest.raises(FrequencyBlocked) as err:
        file(eng, T0.add(days=3), dept="YJGL")
    assert err.value.code == "frequency.blocked_joinable"
    assert err.value.details["open_visits"] == [first.inspection.id]
    local = T0.in_timezone("Asia/Shanghai").date().isoformat()
    assert f"{first.inspection.id}@{local}" in err.value.message_en
    assert f"{first.inspection.id}@{local}" in err.value.message_zh


def test_wuhu_counts_a_visit_in_progress() -> None:
    eng, clock, _ = engine("wuhu")
    first = file(eng, T0)
    assert first.inspection is not None
    code = eng.issue_inspection_code(first.inspection.id, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM)
    clock.set(T0.add(minutes=5))
    eng.check_in(code.token, CITY.enterprises[0].site, gate.token, by=principals.inspector("SCJG-I01"))
    assert eng.inspection(first.inspection.id, by=principals.SYSTEM).status is InspectionStatus.IN_PROGRESS
    clock.set(T0.subtract(days=10))
    # The earlier visit is under way: the new plan cannot merge and is a second visit.
    with pytest.raises(FrequencyBlocked):
        file(eng, T0.add(days=2), dept="YJGL")
    assert file(eng, T0.add(days=2), dept="YJGL", kind=InspectionKind.REPORT).warnings


def test_yantai_needs_7_calendar_days_and_approval_for_good_credit() -> None:
    eng, clock, notes = engine("yantai")
    clock.set(T0)
    with pytest.raises(FilingRejected) as err:
        file(eng, T0.add(days=6))
    assert err.value.code == "filing.too_late"
    assert file(eng, T0.add(days=7)).inspection is not None
    pending = file(eng, T0.add(days=7), enterprise=A_ENT)
    assert pending.status is PlanStatus.PENDING_APPROVAL
    assert [n.role for n in notes.of_kind("approval.requested")] == [Role.SUPERVISOR]


def test_yucheng_warns_on_the_fourth_visit_in_15_days() -> None:
    eng, _, notes = engine("yucheng", **NO_MERGE)
    outs = [file(eng, T0.add(days=d)) for d in (0, 4, 8)]
    assert all(o.warnings == () for o in outs)
    fourth = file(eng, T0.add(days=12))
    assert warned(fourth) == ["four_in_15_days"] and fourth.warnings[0].count == 4
    assert notes.of_kind("frequency.warning")[0].role is Role.SUPERVISOR
    # 15 days after the first visit it no longer counts.
    eng2, _, _ = engine("yucheng", **NO_MERGE)
    for d in (0, 4, 8):
        file(eng2, T0.add(days=d))
    assert file(eng2, T0.add(days=15)).warnings == ()


def test_chengdu_warns_on_the_second_visit_in_a_local_day() -> None:
    eng, _, _ = engine("chengdu", **NO_MERGE)
    tuesday = pendulum.datetime(2026, 3, 3, tz=ZONE)
    late = tuesday.add(hours=22)
    assert file(eng, late.in_timezone("UTC"), hours=2).warnings == ()
    # 00:30 Wednesday local is still Tuesday in UTC, but another local day.
    after_midnight = tuesday.add(days=1, minutes=30).in_timezone("UTC")
    assert after_midnight.day == 3
    assert warned(file(eng, after_midnight, dept="YJGL", hours=2)) == []
    third = file(eng, tuesday.add(days=1, hours=10).in_timezone("UTC"), dept="STHJ", hours=2)
    assert set(warned(third)) == {"more_than_1_a_day", "more_than_2_a_week"}


def test_xianning_blocks_the_third_routine_visit_of_one_department_in_a_year() -> None:
    eng, _, _ = engine("xianning", **NO_MERGE)
    file(eng, T0)
    file(eng, T0.add(days=30))
    with pytest.raises(FrequencyBlocked) as err:
        file(eng, T0.add(days=60))
    assert err.value.details["rule"] == "two_a_year_per_agency"
    # Another department has its own allowance; complaints are exempt.
    assert file(eng, T0.add(days=60), dept="YJGL").inspection is not None
    assert file(eng, T0.add(days=90), kind=InspectionKind.COMPLAINT).warnings == ()
    # A new calendar year (local) starts a new count.
    new_year = pendulum.datetime(2027, 1, 1, 0, 30, tz=ZONE).in_timezone("UTC")
    assert file(eng, new_year).inspection is not None


def test_hainan_warns_on_two_visits_within_60_days() -> None:
    eng, _, _ = engine("hainan")
    assert file(eng, T0).warnings == ()
    assert file(eng, T0.add(days=60)).warnings == ()  # exactly 60 days apart
    between = file(eng, T0.add(days=30))
    assert warned(between) == ["twice_in_60_days"] and between.warnings[0].count == 2


def test_nanchang_counts_working_days() -> None:
    eng, clock, _ = engine("nanchang")
    clock.set(T0)  # Monday 2 March 2026
    with pytest.raises(FilingRejected) as err:
        file(eng, T0.add(days=7))  # seven calendar days, five working days
    assert err.value.code == "filing.too_late"
    assert err.value.details["earliest"] == "2026-03-11"
    assert file(eng, T0.add(days=10)).inspection is not None


def test_quiet_county_refuses_routine_on_days_1_to_15() -> None:
    eng, _, _ = engine("quiet_county")
    day10 = pendulum.datetime(2026, 3, 10, 9, tz=ZONE).in_timezone("UTC")
    with pytest.raises(FilingRejected) as err:
        file(eng, day10)
    assert err.value.code == "filing.quiet_period"
    assert file(eng, day10, kind=InspectionKind.COMPLAINT).inspection is not None
    assert file(eng, day10.add(days=6), dept="YJGL").inspection is not None


def test_laizhou_needs_two_approvals() -> None:
    eng, _, _ = engine("laizhou")
    out = file(eng, T0, enterprise=A_ENT)
    assert out.status is PlanStatus.PENDING_APPROVAL
    assert (
        eng.approve_plan(out.plan.id, Role.LEGAL_OFFICE, by=principals.approver(Role.LEGAL_OFFICE)).inspection is None
    )
    assert (
        eng.approve_plan(out.plan.id, Role.SUPERVISOR, by=principals.approver(Role.SUPERVISOR)).inspection is not None
    )


def test_inspector_watch_warns_per_inspector() -> None:
    eng, _, notes = engine("inspector_watch")
    file(eng, T0, inspectors=("SCJG-I01", "SCJG-I02"))
    file(eng, T0.add(days=10), inspectors=("SCJG-I01", "SCJG-I03"))
    third = file(eng, T0.add(days=20), inspectors=("SCJG-I01", "SCJG-I04"))
    assert [(w.rule, w.scope_key, w.count) for w in third.warnings] == [
        ("inspector_twice_in_30_days", f"{ENT}/SCJG-I01", 3)
    ]
    assert notes.of_kind("frequency.warning")[0].data()["scope"] == f"{ENT}/SCJG-I01"


def _visit(eng: Engine, clock: FixedClock, start: pendulum.DateTime, dept: str, items: list[str]) -> str:
    """File a plan of ``dept`` on ``items``, check ``<dept>-I01`` in; return the inspection id."""
    out = eng.file_plan(
        PlanRequest(ENT, dept, start, start.add(hours=2), items=items, inspectors=[f"{dept}-I01", f"{dept}-I02"]),
        by=principals.officer(dept),
    )
    assert out.inspection is not None
    code = eng.issue_inspection_code(out.inspection.id, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM)
    clock.set(start.add(minutes=5))
    eng.check_in(code.token, CITY.enterprises[0].site, gate.token, by=principals.inspector(f"{dept}-I01"))
    return out.inspection.id


def test_haigang_turns_a_listed_first_violation_into_guidance_once_in_12_months() -> None:
    eng, clock, notes = engine("haigang")
    circumstance = "未按规定公示,及时改正"
    first = _visit(eng, clock, T0, "SCJG", ["SCJG-02"])
    by = principals.inspector("SCJG-I01")
    assert eng.record_violation(first, "SCJG-02", circumstance, "未公示", by=by).result.guidance
    eng.check_out(first, by=by)
    again = _visit(eng, clock, T0.add(days=30), "SCJG", ["SCJG-02"])
    assert not eng.record_violation(again, "SCJG-02", circumstance, "仍未公示", by=by).result.guidance
    assert notes.of_kind("guidance.given")[0].recipient == ENT


def test_x_city_flags_conflicting_standards_before_a_joint_visit() -> None:
    eng, _, notes = engine("x_city")
    file(eng, T0, dept="STHJ")
    joint = file(eng, T0, dept="YJGL").inspection
    assert joint is not None and joint.joint
    (flag,) = eng.conflicts_of(joint.id, by=principals.SYSTEM)
    assert flag.items == ("STHJ-01", "YJGL-01") and flag.prevailing is None
    eng.deliver_notifications(by=principals.SYSTEM)
    told = {(n.role, n.recipient) for n in notes.of_kind("conflict.flagged")}
    assert told == {(Role.DEPARTMENT, "STHJ"), (Role.DEPARTMENT, "YJGL"), (Role.SUPERVISOR, "judicial")}


def test_spot_county_draws_at_least_61_percent_of_d_and_no_more_than_5_percent_of_a() -> None:
    eng, _, _ = engine("spot_county")
    d_class = attrs.evolve(build_sample_city(enterprises=4).enterprises[3], credit_class=CreditClass.D)
    eng.add_enterprise(d_class, by=principals.SYSTEM)
    request = SpotCheckRequest(
        campaign="c1",
        department="SCJG",
        start=T0,
        end=T0.add(days=3),
        items=["SCJG-01"],
        candidates=[e.credit_code for e in CITY.enterprises] + [d_class.credit_code],
        inspectors=["SCJG-I01", "SCJG-I02", "SCJG-I03"],
        seed="preset",
    )
    outcome = eng.draw_spot_check(request, by=principals.officer("SCJG"))
    # One of each class: only D's minimum (61%) needs a whole enterprise.
    assert [s.enterprise for s in outcome.record.draw.selections] == [d_class.credit_code]
    assert outcome.filings[0].plan.kind is InspectionKind.RANDOM
    with pytest.raises(ValidationError) as err:
        eng.draw_spot_check(attrs.evolve(request, campaign="c2", shares={"A": 0.06}), by=principals.officer("SCJG"))
    assert err.value.code == "spot_check.share_out_of_range"


def test_shenzhen_accepts_offline_records_for_10_natural_days() -> None:
    eng, clock, _ = engine("shenzhen")
    device = Ed25519PrivateKey.generate()
    eng.register_device_key("SCJG-I01", public_key_hex(device), by=principals.SYSTEM)
    out = file(eng, T0, kind=InspectionKind.EMERGENCY, hours=4)
    assert out.inspection is not None
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM).token
    site = CITY.enterprises[0].site
    at = T0.add(minutes=20)
    first = sign_offline(OfflineRecord(out.inspection.id, "SCJG-I01", at, site, gate, at.add(minutes=30)), device)
    late = sign_offline(OfflineRecord(out.inspection.id, "SCJG-I01", at.add(minutes=40), site, gate), device)
    clock.set(T0.add(days=11))  # the 11th natural day: too late
    with pytest.raises(CheckInRejected) as err:
        eng.check_in_offline(late, by=principals.inspector("SCJG-I01"))
    assert err.value.code == "checkin.offline_expired"
    clock.set(T0.add(days=10))
    assert eng.check_in_offline(first, by=principals.inspector("SCJG-I01")).checked_in_at == at


def test_quiet_enterprise_keeps_routine_visits_out_of_declared_peaks() -> None:
    eng, _, _ = engine("quiet_enterprise")
    peak = T0.add(days=10)
    slot = eng.declare_quiet_slot(
        ENT, peak.in_timezone(ZONE).date(), peak.in_timezone(ZONE).date(), by=principals.enterprise(ENT)
    )
    with pytest.raises(FilingRejected) as err:
        file(eng, peak)
    assert (err.value.code, err.value.details["slot"]) == ("filing.quiet_slot", slot.id)
    assert file(eng, peak, kind=InspectionKind.COMPLAINT).inspection is not None


def test_anhui_repairs_an_admonition_after_6_months_and_food_after_a_year() -> None:
    eng, clock, _ = engine("anhui")
    code = ENT
    general = eng.issue_penalty(code, "SCJG", "admonition", "general", by=principals.officer("SCJG"))
    food = eng.issue_penalty(code, "SCJG", "admonition", "food", by=principals.officer("SCJG"))
    clock.advance(days=180)
    assert eng.sweep_credit_repair(by=principals.SYSTEM) == 0  # six calendar months not yet over
    clock.advance(days=5)
    assert eng.sweep_credit_repair(by=principals.SYSTEM) == 1
    view = eng.credit_view(code, by=principals.SYSTEM)
    assert [p.id for p in view.repaired] == [general.id] and [p.id for p in view.public] == [food.id]
    clock.advance(days=185)
    assert eng.sweep_credit_repair(by=principals.SYSTEM) == 1
    assert eng.credit_view(code, by=principals.SYSTEM).clean


def test_dezhou_needs_a_legal_review_for_a_fine_of_260000_yuan() -> None:
    eng, _, _ = engine("dezhou")
    code = ENT
    with pytest.raises(IllegalTransition) as refused:
        eng.issue_penalty(code, "SCJG", "fine", "food", 26_000_000, by=principals.officer("SCJG"))
    assert refused.value.code == "penalty.legal_review_required"
    # 259,999.99 yuan is not a major decision.
    assert (
        eng.issue_penalty(code, "SCJG", "fine", "food", 25_999_999, by=principals.officer("SCJG")).fine_fen
        == 25_999_999
    )
    review = eng.request_legal_review(code, "SCJG", "fine", "food", 26_000_000, "facts", by=principals.officer("SCJG"))
    eng.decide_legal_review(review.id, True, by=principals.approver("legal_office", "SCJG"))
    issued = eng.issue_penalty(
        code, "SCJG", "fine", "food", 26_000_000, by=principals.officer("SCJG"), review_id=review.id
    )
    assert issued.review_id == review.id


def test_every_preset_has_a_test() -> None:
    # Static, so that it holds under pytest-xdist too: each preset names its test here.
    tests = {
        "wuhu": test_wuhu_blocks_a_second_planned_visit_within_7_days,
        "yantai": test_yantai_needs_7_calendar_days_and_approval_for_good_credit,
        "yucheng": test_yucheng_warns_on_the_fourth_visit_in_15_days,
        "chengdu": test_chengdu_warns_on_the_second_visit_in_a_local_day,
        "xianning": test_xianning_blocks_the_third_routine_visit_of_one_department_in_a_year,
        "hainan": test_hainan_warns_on_two_visits_within_60_days,
        "nanchang": test_nanchang_counts_working_days,
        "quiet_county": test_quiet_county_refuses_routine_on_days_1_to_15,
        "laizhou": test_laizhou_needs_two_approvals,
        "inspector_watch": test_inspector_watch_warns_per_inspector,
        "haigang": (
            test_haigang_turns_a_listed_first_violation_into_guidance_once_in_12_months,
            test_haigang_turns_a_first_listed_violation_into_guidance,
        ),
        "x_city": (
            test_x_city_flags_conflicting_standards_before_a_joint_visit,
            test_x_city_merges_per_enterprise_and_gives_15_days_to_rectify,
        ),
        "spot_county": test_spot_county_draws_at_least_61_percent_of_d_and_no_more_than_5_percent_of_a,
        "shenzhen": test_shenzhen_accepts_offline_records_for_10_natural_days,
        "quiet_enterprise": test_quiet_enterprise_keeps_routine_visits_out_of_declared_peaks,
        "dezhou": (
            test_dezhou_warns_the_discipline_commission_and_needs_the_gate_scan,
            test_dezhou_needs_a_legal_review_for_a_fine_of_260000_yuan,
        ),
        "anhui": test_anhui_repairs_an_admonition_after_6_months_and_food_after_a_year,
    }
    assert set(tests) == set(PRESETS)


def _checked_in(eng: Engine, clock: FixedClock, out: FilingOutcome, at: pendulum.DateTime) -> str:
    """Check the plan's first inspector in at the enterprise's site at ``at``; the inspection id."""
    assert out.inspection is not None
    visit = out.inspection
    code = eng.issue_inspection_code(visit.id, by=principals.officer(visit.lead_department))
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM)
    clock.set(at)
    eng.check_in(code.token, CITY.enterprises[0].site, gate.token, by=principals.inspector(out.plan.inspectors[0]))
    return visit.id


def test_dezhou_warns_the_discipline_commission_and_needs_the_gate_scan() -> None:
    eng, _, notes = engine("dezhou", **NO_MERGE)
    assert all(file(eng, T0.add(days=d)).warnings == () for d in (0, 4, 8))
    fourth = file(eng, T0.add(days=12))
    assert warned(fourth) == ["four_in_15_days"]
    assert notes.of_kind("frequency.warning")[0].role is Role.DISCIPLINE
    policy = preset("dezhou")
    assert policy.checkin.require_enterprise_scan and policy.checkin.radius_m == 300.0


def test_haigang_turns_a_first_listed_violation_into_guidance() -> None:
    listed = next(i.code for i in CITY.items_of("SCJG") if i.first_violation_guidance)
    for name, overrides, expected in (
        ("haigang", {}, True),
        ("haigang", {"rectification": {"first_violation_guidance": False}}, False),
    ):
        eng, clock, _ = engine(name, **overrides)
        out = eng.file_plan(
            PlanRequest(ENT, "SCJG", T0, T0.add(hours=2), items=[listed], inspectors=["SCJG-I01", "SCJG-I02"]),
            by=principals.officer("SCJG"),
        )
        inspection = _checked_in(eng, clock, out, T0.add(minutes=10))
        found = eng.record_result(inspection, listed, "fail", by=principals.inspector("SCJG-I01"))
        assert found.result.guidance is expected


def test_x_city_merges_per_enterprise_and_gives_15_days_to_rectify() -> None:
    eng, clock, _ = engine("x_city")
    first = file(eng, T0, hours=4)
    second = file(eng, T0.add(hours=1), dept="YJGL", hours=4)
    assert second.merged and first.inspection is not None and second.inspection is not None
    assert second.inspection.id == first.inspection.id
    inspection = _checked_in(eng, clock, first, T0.add(hours=1, minutes=10))
    found = eng.record_result(inspection, "SCJG-01", "fail", by=principals.inspector("SCJG-I01"))
    assert found.rectification is not None
    assert found.rectification.deadline == clock.now().add(days=15)
