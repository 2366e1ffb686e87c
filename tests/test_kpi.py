"""The supervision KPIs against a small city counted by hand (issue 13).

Six plans are filed on 2026-02-09 (Shanghai): SCJG and YJGL for enterprise E0 on the same
day (one joint visit), STHJ for E1, SCJG and YJGL for the whitelisted E2 (one approved, one
rejected) and an emergency of SCJG at E3. Two check-ins follow: SCJG-I01 at the joint visit,
scanning the enterprise code, for 40 minutes; STHJ-I01 at E1 without scanning, for 30. One
item fails at the joint visit (a first violation: guidance, no penalty), and its rectification
is accepted 3 days and 12 hours later.
E0 rates its visit 90; E1 complains that nobody scanned.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from jointinspect.errors import Forbidden, ValidationError
from jointinspect.kpi import DepartmentMonth, KpiReport
from jointinspect.memory import MemoryStore
from jointinspect.model.feedback import ComplaintReason
from jointinspect.policy.schema import CheckInPolicy, Policy
from jointinspect.ports import Store
from jointinspect.requests import PlanRequest
from jointinspect.stores import open_store
from jointinspect.testing._world import T0, World, make_world
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, enterprise, inspector, officer

START, END = T0.subtract(days=30), T0.add(days=30)


def _city(store: Store | None = None) -> tuple[World, KpiReport]:
    # This city lets an inspector in without scanning (recorded and reported, not refused).
    w = make_world(store or MemoryStore(), Policy(checkin=CheckInPolicy(require_enterprise_scan=False)))
    joint = w.file("SCJG")
    assert joint.inspection is not None
    w.file("YJGL")  # merges into the same visit
    e1 = w.file("STHJ", enterprise=w.other.credit_code, day=2)
    approved = w.file("SCJG", enterprise=w.limited.credit_code, day=10)
    rejected = w.file("YJGL", enterprise=w.limited.credit_code, day=20)
    w.engine.approve_plan(approved.plan.id, by=SUPERVISOR)
    w.engine.approve_plan(rejected.plan.id, approve=False, reason="信用良好", by=SUPERVISOR)
    e3 = w.city.enterprises[3].credit_code
    now = w.clock.now()
    w.engine.file_plan(
        PlanRequest(
            e3,
            "SCJG",
            now.add(hours=1),
            now.add(hours=5),
            items=["SCJG-01"],
            inspectors=["SCJG-I01", "SCJG-I02"],
            kind="emergency",
            reason="燃气泄漏",
        ),
        by=officer("SCJG"),
    )
    # The joint visit: scanned, 40 minutes, one failed item fixed in 3.5 days, rated 90.
    joint_id = w.engine.plan(joint.plan.id, by=SYSTEM).inspection_id
    assert joint_id is not None
    w.visit(joint)  # SCJG-I01 checks in, scanning the enterprise code
    failed = w.fail(joint_id)
    w.clock.set(w.clock.now().add(minutes=40))
    w.engine.check_out(joint_id, by=inspector("SCJG-I01"))
    w.engine.rate(joint_id, 90, by=enterprise(w.ent.credit_code))
    assert failed.rectification is not None
    opened = failed.rectification.opened_at
    w.engine.submit_rectification(failed.rectification.id, ["photo-1"], by=enterprise(w.ent.credit_code))
    # E1: STHJ-I01 enters without scanning, 30 minutes; E1 complains.
    assert e1.inspection is not None
    code = w.engine.issue_inspection_code(e1.inspection.id, by=SYSTEM).token
    w.clock.set(e1.inspection.window.start.add(minutes=10))
    w.engine.check_in(code, w.other.site, None, by=inspector("STHJ-I01"))
    w.clock.set(w.clock.now().add(minutes=30))
    w.engine.check_out(e1.inspection.id, by=inspector("STHJ-I01"))
    w.engine.complain(e1.inspection.id, ComplaintReason.NO_SCAN, "未扫码", by=enterprise(w.other.credit_code))
    w.clock.set(opened.add(days=3, hours=12))
    w.engine.accept_rectification(failed.rectification.id, by=officer("SCJG"))
    return w, w.engine.supervision_report(START, END, by=SUPERVISOR)


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KpiReport]:
    # The same hand count on the embedded default store: the report reads through the ports.
    if request.param == "memory":
        yield _city()[1]
        return
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('kpi') / 'city.db'}", create=True)
    try:
        yield _city(store)[1]
    finally:
        store.close()


def test_plans_per_department_and_month(report: KpiReport) -> None:
    assert report.by_department == (
        DepartmentMonth(
            "SCJG",
            "2026-02",
            plans_filed=3,
            planned=2,
            on_time=2,
            reported=1,
            emergencies=1,
            approved=1,
            in_joint_visits=1,
        ),
        DepartmentMonth("STHJ", "2026-02", plans_filed=1, planned=1, on_time=1),
        DepartmentMonth("YJGL", "2026-02", plans_filed=2, planned=2, on_time=2, rejected=1, in_joint_visits=1),
    )
    assert report.plans_filed == 6
    assert report.advance_notice_compliance == Decimal("1.0000")
    assert report.emergencies_reported == 1
    assert (report.whitelist_approved, report.whitelist_rejected, report.whitelist_pending) == (1, 1, 0)


def test_visits_and_joint_rate(report: KpiReport) -> None:
    # Five plans are served (a, b, c, the approved one, the emergency) by four visits.
    assert report.visits == 4
    assert report.joint_visits == 1
    assert report.repeat_visits_avoided == 1
    assert report.joint_visit_rate == Decimal("0.4000")  # 2 of 5 plans
    assert report.visits_per_enterprise == {1: 4}


def test_check_ins_rectifications_ratings_complaints(report: KpiReport) -> None:
    assert (report.check_ins, report.scanned_check_ins) == (2, 1)
    assert report.enterprise_code_scan_rate == Decimal("0.5000")
    assert report.median_visit_minutes == Decimal("35.00")  # 40 and 30
    assert report.frequency_warnings == 0
    assert (report.rectifications_opened, report.rectifications_closed, report.rectifications_overdue) == (1, 1, 0)
    assert report.guidance_given == 1  # the first violation of SCJG-01 at E0: guidance, no penalty
    assert report.median_days_to_close == Decimal("3.50")
    assert (report.ratings, report.mean_rating) == (1, Decimal("90.00"))
    assert report.complaints_by_reason == {"no_scan": 1}


def test_outside_the_period_nothing_counts() -> None:
    w, _ = _city()
    empty = w.engine.supervision_report(END, END.add(days=30), by=SYSTEM)
    assert (empty.plans_filed, empty.visits, empty.check_ins, empty.ratings) == (0, 0, 0, 0)
    assert empty.advance_notice_compliance is None and empty.mean_rating is None


def test_json_and_csv(report: KpiReport) -> None:
    data = json.loads(report.to_json())
    assert data["joint_visit_rate"] == "0.4000" and data["start"] == START.isoformat()
    assert data["by_department"][0]["department"] == "SCJG"
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [(r["department"], r["plans_filed"]) for r in rows] == [("SCJG", "3"), ("STHJ", "1"), ("YJGL", "2")]


def test_only_the_supervisor_or_platform_reads_it_and_bad_periods_are_refused() -> None:
    w = make_world(MemoryStore())
    with pytest.raises(Forbidden):
        w.engine.supervision_report(START, END, by=officer("SCJG"))
    with pytest.raises(ValidationError) as err:
        w.engine.supervision_report(END, START, by=SUPERVISOR)
    assert err.value.code == "input.invalid"
    with pytest.raises(ValidationError):
        w.engine.supervision_report("yesterday", END, by=SUPERVISOR)  # type: ignore[arg-type]
