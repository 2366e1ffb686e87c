"""Contract cases for a period's reads (issue 13, `jointinspect.ports.PeriodRepository`):
what falls in a half-open period, the stated order with its ties, and reads by id.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them (memory, SQLite, PostgreSQL, MariaDB).
"""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.audit import AuditRecord
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.plan import InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import GeoPoint
from jointinspect.model.visit import Visit
from jointinspect.ports import Store
from jointinspect.sample import City
from jointinspect.testing.queries import _inspection

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _at(day: int) -> pendulum.DateTime:
    return T0.add(days=day)


def _plan(pid: str, enterprise: str, filed_day: int) -> Plan:
    start = _at(40)
    return Plan(
        id=pid,
        enterprise=enterprise,
        department="SCJG",
        items=["SCJG-01"],
        inspectors=["SCJG-I01"],
        window=Window(start, start.add(hours=4)),
        kind=InspectionKind.ROUTINE,
        filed_at=_at(filed_day),
        status=PlanStatus.ACTIVE,
    )


def _visit(vid: str, enterprise: str, day: int) -> Visit:
    return Visit(
        id=vid,
        inspection_id=f"i-{vid}",
        inspector_id=f"SCJG-{vid}",
        enterprise=enterprise,
        checked_in_at=_at(day),
        position=GeoPoint(37.5, 121.4),
        distance_m=10.0,
        token_id=f"t-{vid}",
        checked_out_at=_at(day).add(hours=1),
    )


def _rectification(rid: str, enterprise: str, day: int, state: RectificationState) -> Rectification:
    return Rectification(
        id=rid,
        result_id=f"r-{rid}",
        enterprise=enterprise,
        department="SCJG",
        item="SCJG-01",
        deadline=_at(day + 30),
        state=state,
        opened_at=_at(day),
    )


class PeriodContract:
    """The period-read cases (mixed into `StoreContract`)."""

    def test_period_plans_filed_in_order_half_open(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        plans = [
            _plan("p3", ent, 2),
            _plan("p1", other, 2),
            _plan("p2", ent, 1),
            _plan("p4", ent, 5),
            _plan("p0", ent, 0),
        ]
        with store.unit_of_work() as uow:
            for p in plans:
                uow.plans.add(p)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.period.plans_filed(_at(1), _at(5))] == ["p2", "p1", "p3"]  # day 5 is out
            assert [p.id for p in uow.period.plans_filed(_at(0), _at(9))] == ["p0", "p2", "p1", "p3", "p4"]
            assert uow.period.plans_filed(_at(6), _at(9)) == []
            assert uow.period.plans_filed(_at(0), _at(1)) == [plans[4]]  # whole records

    def test_period_inspections_by_start_and_by_id(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        rows = [
            _inspection("i2", ent, ["SCJG", "XFJY"], 2),
            _inspection("i1", other, ["XFJY"], 1),
            _inspection("i3", ent, ["SCJG"], 3),
            _inspection("i0", ent, ["SCJG"], 2),  # ties i2 on window start: id decides
        ]
        with store.unit_of_work() as uow:
            for i in rows:
                uow.inspections.add(i)
            uow.commit()
        with store.unit_of_work() as uow:
            starting = uow.period.inspections_starting(_at(2), _at(3))
            assert [i.id for i in starting] == ["i0", "i2"]
            assert starting[1] == rows[0]
            found = uow.period.inspections_by_id(["i3", "nope", "i1", "i3"])
            assert [i.id for i in found] == ["i1", "i3"]  # by id, unknown skipped, once each
            assert uow.period.inspections_by_id([]) == []

    def test_period_visits_and_rectifications(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        visits = [_visit("v2", ent, 3), _visit("v1", ent, 3), _visit("v0", ent, 1), _visit("v9", ent, 8)]
        states = [RectificationState.OPEN, RectificationState.ACCEPTED, RectificationState.OVERDUE]
        rects = [
            _rectification(f"r{n}", ent, day, state)
            for n, (day, state) in enumerate(zip((4, 2, 4), states, strict=True))
        ]
        with store.unit_of_work() as uow:
            for v in visits:
                uow.visits.add(v)
            for r in rects:
                uow.rectifications.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [v.id for v in uow.period.visits_checked_in(_at(1), _at(8))] == ["v0", "v1", "v2"]
            opened = uow.period.rectifications_opened(_at(2), _at(5))
            assert [r.id for r in opened] == ["r1", "r0", "r2"]  # any state; ties by id
            assert uow.period.rectifications_opened(_at(5), _at(30)) == []
            # an update keeps the rectification where it was opened
            uow.rectifications.update(attrs.evolve(rects[0], state=RectificationState.ACCEPTED))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.state for r in uow.period.rectifications_opened(_at(4), _at(5))] == [
                RectificationState.ACCEPTED,
                RectificationState.OVERDUE,
            ]

    def test_period_ratings_and_complaints(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        with store.unit_of_work() as uow:
            for iid, day in (("i2", 3), ("i1", 3), ("i0", 9)):
                uow.feedback.add_evaluation(Evaluation(iid, ent, 80, "", _at(day)))
            for cid, day in (("c1", 2), ("c0", 2), ("c2", 0)):
                uow.feedback.add_complaint(Complaint(cid, f"i-{cid}", ent, ComplaintReason.OTHER, "说明", _at(day)))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [e.inspection_id for e in uow.period.evaluations_given(_at(0), _at(9))] == ["i1", "i2"]
            assert [c.id for c in uow.period.complaints_filed(_at(1), _at(9))] == ["c0", "c1"]

    def test_period_audit_actions(self, store: Store) -> None:
        records = [
            ("frequency.warning", 1),
            ("plan.filed", 1),
            ("frequency.warning", 4),
            ("frequency.warning", 0),
            ("x" * 230, 2),  # longer than a SQL store's indexed prefix
            ("x" * 229, 2),
        ]
        with store.unit_of_work() as uow:
            for action, day in records:
                uow.audit.append(AuditRecord(_at(day), "system", action, "s"))
            uow.commit()
        with store.unit_of_work() as uow:
            warned = uow.period.audit_actions(["frequency.warning"], _at(1), _at(4))
            assert [(e.seq, e.record.action) for e in warned] == [(1, "frequency.warning")]
            both = uow.period.audit_actions(["frequency.warning", "plan.filed"], _at(0), _at(5))
            assert [e.seq for e in both] == [1, 2, 3, 4]
            assert [e.seq for e in uow.period.audit_actions(["x" * 230], _at(0), _at(5))] == [5]
            assert uow.period.audit_actions([], _at(0), _at(5)) == []
