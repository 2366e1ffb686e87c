"""Contract cases for the bounded reads (issue 15): what each operation reads instead of the
enterprise's history, with its bounds, ordering, status filtering and ties.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them; they use its ``store`` and ``city`` fixtures and ``engine`` helper.
"""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.auth import Principal
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.ports import Store
from jointinspect.requests import PlanRequest
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope
from jointinspect.sample import City

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
US = pendulum.duration(microseconds=1)


def _plan(pid: str, enterprise: str, start_day: int, end_day: int, inspection: str | None, filed: int = 0) -> Plan:
    return Plan(
        id=pid,
        enterprise=enterprise,
        department="SCJG",
        items=["SCJG-01"],
        inspectors=["SCJG-I01", "SCJG-I02"],
        window=Window(T0.add(days=start_day), T0.add(days=end_day)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0.subtract(days=10).add(minutes=filed),
        status=PlanStatus.ACTIVE if inspection else PlanStatus.PENDING_APPROVAL,
        inspection_id=inspection,
    )


def _inspection(iid: str, enterprise: str, plans: list[Plan], status: InspectionStatus) -> Inspection:
    return Inspection(
        id=iid,
        enterprise=enterprise,
        lead_department="SCJG",
        plan_ids=[p.id for p in plans],
        departments=["SCJG"],
        items=["SCJG-01"],
        inspectors=["SCJG-I01", "SCJG-I02"],
        window=plans[0].window,
        kind=InspectionKind.ROUTINE,
        created_at=T0.subtract(days=10),
        status=status,
    )


def _result(rid: str, enterprise: str, item: str, day: int, outcome: Outcome) -> ResultRecord:
    return ResultRecord(
        id=rid,
        inspection_id="i",
        enterprise=enterprise,
        department="SCJG",
        inspector_id="SCJG-I01",
        item=item,
        outcome=outcome,
        note="",
        evidence=(),
        recorded_at=T0.add(days=day),
        responsible_department="SCJG" if rid < "r5" else "YJGL",
    )


class BoundedReadsContract:
    """The bounded-read cases (mixed into `StoreContract`)."""

    def test_open_inspections_reaching_an_instant(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        # i1 holds a short plan and one that outlasts the inspection's own window.
        p1, p2 = _plan("p1", ent, 0, 1, "i1"), _plan("p2", ent, 0, 10, "i1")
        p3 = _plan("p3", ent, 1, 2, "i0")
        p4, p5 = _plan("p4", ent, 0, 20, "i2"), _plan("p5", ent, 0, 20, "i3")
        p6, p7 = _plan("p6", other, 0, 20, "i4"), _plan("p7", ent, 0, 30, None)
        rows = [
            (_inspection("i1", ent, [p1, p2], InspectionStatus.PLANNED), [p1, p2]),
            (_inspection("i0", ent, [p3], InspectionStatus.PLANNED), [p3]),
            (_inspection("i2", ent, [p4], InspectionStatus.IN_PROGRESS), [p4]),
            (_inspection("i3", ent, [p5], InspectionStatus.SUPERSEDED), [p5]),
            (_inspection("i4", other, [p6], InspectionStatus.PLANNED), [p6]),
        ]
        with store.unit_of_work() as uow:
            for inspection, plans in rows:
                uow.inspections.add(inspection)
                for plan in plans:
                    uow.plans.add(plan)
            uow.plans.add(p7)  # pending approval: no inspection
            uow.commit()

        def open_ids(at: pendulum.DateTime) -> list[str]:
            with store.unit_of_work() as uow:
                return [i.id for i in uow.inspections.open_for_enterprise(ent, at)]

        assert open_ids(T0.subtract(days=1)) == ["i0", "i1"]  # ordered by id, each once
        assert open_ids(T0.add(days=2)) == ["i0", "i1"]  # a plan ending exactly then counts
        assert open_ids(T0.add(days=2) + US) == ["i1"]
        assert open_ids(T0.add(days=5)) == ["i1"]  # through p2, past i1's own window
        assert open_ids(T0.add(days=10) + US) == []
        with store.unit_of_work() as uow:
            assert uow.inspections.open_for_enterprise("91370600999999999X", T0) == []
            # p2 moves to i0 (a merge); i1 then closes.
            uow.plans.update(attrs.evolve(p2, inspection_id="i0"))
            uow.commit()
        assert open_ids(T0.add(days=5)) == ["i0"]
        with store.unit_of_work() as uow:
            uow.inspections.update(attrs.evolve(rows[1][0], status=InspectionStatus.IN_PROGRESS))
            assert uow.inspections.open_for_enterprise(ent, T0.add(days=5)) == []
            # not committed: rolled back
        assert open_ids(T0.add(days=5)) == ["i0"]

    def test_plans_of_inspections(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        plans = [
            _plan("pb", ent, 0, 1, "i1", filed=1),
            _plan("pa", ent, 0, 1, "i1", filed=1),
            _plan("pc", ent, 0, 1, "i2", filed=0),
            _plan("pd", ent, 0, 1, "i3", filed=0),
            _plan("pe", ent, 0, 1, None),
        ]
        with store.unit_of_work() as uow:
            for plan in plans:
                uow.plans.add(plan)
            uow.commit()
        with store.unit_of_work() as uow:
            # (filed_at, id): pc first, then the tie pa/pb by id.
            assert [p.id for p in uow.plans.for_inspections(["i2", "i1", "i1", "nope"])] == ["pc", "pa", "pb"]
            assert uow.plans.for_inspections([]) == []
            assert uow.plans.for_inspections(["nope"]) == []
            uow.plans.update(attrs.evolve(plans[3], inspection_id="i1"))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.plans.for_inspections(["i1"])] == ["pd", "pa", "pb"]
            assert uow.plans.for_inspections(["i3"]) == []

    def test_first_result_since_and_ever_failed(self, store: Store, city: City) -> None:
        a, b = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        rows = [
            _result("r1", a, "SCJG-01", 0, Outcome.PASS),
            _result("r4", a, "SCJG-01", 3, Outcome.PASS),
            _result("r3", a, "SCJG-01", 3, Outcome.PASS),  # same instant as r4: r3 wins the tie
            _result("r5", a, "SCJG-01", 9, Outcome.PASS),
            _result("r6", a, "SCJG-02", 1, Outcome.FAIL),  # another item
            _result("r7", b, "SCJG-01", 1, Outcome.FAIL),  # another enterprise
        ]
        with store.unit_of_work() as uow:
            for r in rows:
                uow.results.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            first = uow.results.first_since
            assert first(a, "SCJG-01", T0.subtract(days=1)) == rows[0]
            assert first(a, "SCJG-01", T0) == rows[0]  # at the bound: included
            assert first(a, "SCJG-01", T0 + US) == rows[2]
            assert first(a, "SCJG-01", T0.add(days=3)) == rows[2]
            assert first(a, "SCJG-01", T0.add(days=9) + US) is None
            assert first(a, "SCJG-03", T0) is None
            assert first(b, "SCJG-01", T0) == rows[5]
            assert not uow.results.ever_failed(a, "SCJG-01")
            assert uow.results.ever_failed(a, "SCJG-02")
            assert uow.results.ever_failed(b, "SCJG-01")
            assert not uow.results.ever_failed(b, "SCJG-02")
            # a failure ten years old still counts; an uncommitted one is rolled back
            uow.results.add(_result("r0", a, "SCJG-01", -3650, Outcome.FAIL))
            assert uow.results.ever_failed(a, "SCJG-01")
        with store.unit_of_work() as uow:
            assert not uow.results.ever_failed(a, "SCJG-01")
            acknowledged = attrs.evolve(rows[2], acknowledged_at=T0.add(days=4), acknowledged_by="boss")
            uow.results.update(acknowledged)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.results.first_since(a, "SCJG-01", T0.add(days=1)) == acknowledged
            assert [r.id for r in uow.results.for_enterprise(a, ["SCJG-01", "SCJG-02"], T0.add(days=1))] == [
                "r6",
                "r3",
                "r4",
                "r5",
            ]

    def test_overdue_reads_only_open_rectifications(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code

        def rect(rid: str, day: int, state: RectificationState) -> Rectification:
            return Rectification(rid, "r", ent, "SCJG", "SCJG-01", T0.add(days=day), state, T0)

        rows = [
            rect("x2", 2, RectificationState.OPEN),
            rect("x1", 2, RectificationState.OPEN),  # same deadline: ordered by id
            rect("x0", 1, RectificationState.OPEN),
            rect("x3", 1, RectificationState.SUBMITTED),
            rect("x4", 1, RectificationState.OVERDUE),
            rect("x5", 1, RectificationState.ACCEPTED),
            rect("x6", 5, RectificationState.OPEN),
        ]
        with store.unit_of_work() as uow:
            for r in rows:
                uow.rectifications.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.rectifications.overdue(T0.add(days=3))] == ["x0", "x1", "x2"]
            assert [r.id for r in uow.rectifications.overdue(T0.add(days=2))] == ["x0"]  # before, not at
            uow.rectifications.update(attrs.evolve(rows[2], state=RectificationState.SUBMITTED))
            # rejected: open again with a later deadline
            uow.rectifications.update(attrs.evolve(rows[3], state=RectificationState.OPEN, deadline=T0.add(days=4)))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.rectifications.overdue(T0.add(days=3))] == ["x1", "x2"]
            assert [r.id for r in uow.rectifications.overdue(T0.add(days=6))] == ["x1", "x2", "x3", "x6"]

    def test_listings_are_paginated_in_their_order(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        plans = [_plan(f"p{n}", ent, 0, 1, f"i{n}", filed=10 - n) for n in range(7)]
        with store.unit_of_work() as uow:
            for n, plan in enumerate(plans):
                uow.plans.add(plan)
                inspection = _inspection(f"i{n}", ent, [plan], InspectionStatus.PLANNED)
                uow.inspections.add(attrs.evolve(inspection, created_at=T0.add(minutes=n % 3)))
                uow.rectifications.add(
                    Rectification(f"x{n}", "r", ent, "SCJG", "SCJG-01", T0, RectificationState.OPEN, T0.add(days=-n))
                )
            uow.commit()
        with store.unit_of_work() as uow:
            for listing in (
                uow.plans.for_enterprise,
                uow.inspections.for_enterprise,
                uow.rectifications.for_enterprise,
            ):
                whole = [row.id for row in listing(ent)]
                assert len(whole) == 7
                pages = [[row.id for row in listing(ent, limit=3, offset=o)] for o in (0, 3, 6, 9)]
                assert pages == [whole[0:3], whole[3:6], whole[6:], []]
                assert [row.id for row in listing(ent, offset=2)] == whole[2:]
            assert [p.id for p in uow.plans.for_enterprise(ent, limit=2)] == ["p6", "p5"]
            assert [i.id for i in uow.inspections.for_enterprise(ent, limit=4)] == ["i0", "i3", "i6", "i1"]

    def test_ledger_counts_only_what_the_rules_can_see(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        week = RuleCheck(
            "w", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], window=pendulum.duration(days=7)
        )

        def res(rid: str, at: pendulum.DateTime) -> Reservation:
            return Reservation(rid, ent, "SCJG", ["SCJG-I01"], InspectionKind.ROUTINE, at)

        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            for n in range(50):  # years of history, none within a week of the new visit
                assert uow.ledger.check_and_reserve(res(f"old{n}", T0.subtract(days=30 * (n + 1))), [], T0).allowed
            assert uow.ledger.check_and_reserve(res("a", T0), [week], T0).allowed
            assert uow.ledger.check_and_reserve(res("b", T0.add(days=7)), [week], T0).allowed
            assert not uow.ledger.check_and_reserve(res("c", T0.add(days=7) - US), [week], T0).allowed
            uow.commit()
        with store.unit_of_work() as uow:
            assert len(uow.ledger.reservations(ent)) == 52

    def test_merging_follows_plans_that_outlast_their_visit(self, store: Store, city: City) -> None:
        """A plan joins an open visit whose window is the common time of its plans (issue 8:
        the visit lies inside every plan's window), found through the plans' window ends."""
        ent = next(e for e in city.enterprises if e.credit_class != "A").credit_code
        eng, _, _ = self.engine(store, city)  # type: ignore[attr-defined]

        def file(dept: str, start: pendulum.DateTime, end: pendulum.DateTime) -> object:
            inspectors = [f"{dept}-I01", f"{dept}-I02"]
            return eng.file_plan(
                PlanRequest(ent, dept, start, end, items=[f"{dept}-01"], inspectors=inspectors),
                by=Principal.officer(dept),
            )

        day15 = T0.add(days=15)
        long = file("SCJG", T0, T0.add(days=20))
        short = file("YJGL", day15, day15.add(hours=8))
        late = file("STHJ", day15.add(hours=2), day15.add(hours=10))
        first = long.inspection.id  # type: ignore[attr-defined]
        assert short.inspection.id == first  # type: ignore[attr-defined]
        assert short.inspection.window.end == day15.add(hours=8)  # type: ignore[attr-defined]
        assert late.merged and late.inspection.id == first  # type: ignore[attr-defined]
        assert late.inspection.window.start == day15.add(hours=2)  # type: ignore[attr-defined]
