"""Contract cases for the operator listings (issue 11, `jointinspect.ports.ListingRepository`):
filters, the stated order with its ties, half-open ranges, pages that neither repeat nor
miss a row, index upkeep on update, and rollback.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them (memory, SQLite, PostgreSQL, MariaDB); they use its ``store``
and ``city`` fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import attrs
import pendulum

from jointinspect.audit import AuditRecord
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import CreditClass
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.ports import Store, UnitOfWork
from jointinspect.sample import City

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
T = TypeVar("T")


def _plan(pid: str, enterprise: str, dept: str, day: int, status: PlanStatus = PlanStatus.ACTIVE) -> Plan:
    start = T0.add(days=day)
    return Plan(
        id=pid,
        enterprise=enterprise,
        department=dept,
        items=[f"{dept}-01"],
        inspectors=[f"{dept}-I01"],
        window=Window(start, start.add(hours=4)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0.subtract(days=30),
        status=status,
    )


def _inspection(iid: str, enterprise: str, departments: Sequence[str], day: int) -> Inspection:
    start = T0.add(days=day)
    return Inspection(
        id=iid,
        enterprise=enterprise,
        lead_department=departments[0],
        plan_ids=[f"p-{iid}"],
        departments=departments,
        items=[f"{d}-01" for d in departments],
        inspectors=[f"{d}-I01" for d in departments],
        window=Window(start, start.add(hours=4)),
        kind=InspectionKind.ROUTINE,
        created_at=T0.subtract(days=30),
    )


def _rectification(rid: str, enterprise: str, dept: str, day: int, state: RectificationState) -> Rectification:
    return Rectification(
        id=rid,
        result_id=f"r-{rid}",
        enterprise=enterprise,
        department=dept,
        item=f"{dept}-01",
        deadline=T0.add(days=day),
        state=state,
        opened_at=T0.subtract(days=30),
    )


def _pages(read: Callable[[int, int], list[T]], size: int) -> list[T]:
    """Every row, read ``size`` at a time until a short page."""
    found: list[T] = []
    while True:
        page = read(size, len(found))
        found += page
        if len(page) < size:
            return found


class QueriesContract:
    """The operator-listing cases (mixed into `StoreContract`)."""

    def test_listing_enterprises_by_class_and_flag(self, store: Store, city: City) -> None:
        shaped = [
            attrs.evolve(e, credit_class=c, whitelisted=w)
            for e, (c, w) in zip(
                city.enterprises,
                [("A", False), ("B", True), ("B", False), ("C", False), ("A", True), ("D", False)],
                strict=True,
            )
        ]
        codes = sorted(e.credit_code for e in shaped)
        with store.unit_of_work() as uow:
            for e in reversed(shaped):
                uow.reference.put_enterprise(e)
            uow.commit()
        with store.unit_of_work() as uow:
            listing = uow.listing
            assert [e.credit_code for e in listing.enterprises(None, 100, 0)] == codes
            assert _pages(lambda n, o: listing.enterprises(None, n, o), 4) == listing.enterprises(None, 100, 0)
            a_class = listing.enterprises([(CreditClass.A, False), (CreditClass.A, True)], 10, 0)
            assert [e.credit_code for e in a_class] == sorted([shaped[0].credit_code, shaped[4].credit_code])
            flagged = [(c, True) for c in CreditClass]
            assert [e.credit_code for e in listing.enterprises(flagged, 10, 0)] == sorted(
                [shaped[1].credit_code, shaped[4].credit_code]
            )
            assert listing.enterprises([], 10, 0) == []
            assert listing.enterprises(None, 10, 6) == []
            # an upsert moves the enterprise to its new class (and out of the old one)
            uow.reference.put_enterprise(attrs.evolve(shaped[0], credit_class=CreditClass.C))
            uow.commit()
        with store.unit_of_work() as uow:
            c_class = uow.listing.enterprises([(CreditClass.C, False)], 10, 0)
            assert [e.credit_code for e in c_class] == sorted([shaped[0].credit_code, shaped[3].credit_code])
            assert uow.listing.enterprises([(CreditClass.A, False)], 10, 0) == []

    def test_listing_plans_filters_order_and_range(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        pending = PlanStatus.PENDING_APPROVAL
        plans = [
            _plan("p3", ent, "SCJG", 2),
            _plan("p1", other, "SCJG", 2),  # ties p3 on window start: id decides
            _plan("p2", ent, "XFJY", 1, pending),
            _plan("p4", ent, "SCJG", 3, pending),
            _plan("p0", ent, "SCJG", 0),
        ]
        with store.unit_of_work() as uow:
            for p in plans:
                uow.plans.add(p)
            uow.commit()
        with store.unit_of_work() as uow:

            def ids(
                dept: str | None, status: PlanStatus | None, since: int | None = None, until: int | None = None
            ) -> list[str]:
                low = None if since is None else T0.add(days=since)
                high = None if until is None else T0.add(days=until)
                return [p.id for p in uow.listing.plans(dept, status, low, high, 100, 0)]

            assert ids(None, None) == ["p0", "p2", "p1", "p3", "p4"]
            assert ids("SCJG", None) == ["p0", "p1", "p3", "p4"]
            assert ids(None, pending) == ["p2", "p4"]
            assert ids("SCJG", pending) == ["p4"]
            assert ids(None, None, 1, 3) == ["p2", "p1", "p3"]  # half-open: day 3 is out
            assert ids(None, None, 2) == ["p1", "p3", "p4"]
            assert ids("NOPE", None) == []
            every = uow.listing.plans(None, None, None, None, 100, 0)
            assert _pages(lambda n, o: uow.listing.plans(None, None, None, None, n, o), 2) == every
            # approval moves the plan out of the pending listing; rolled back, it returns
            uow.plans.update(attrs.evolve(plans[3], status=PlanStatus.ACTIVE, inspection_id="i9"))
            assert ids(None, pending) == ["p2"]
            assert ids("SCJG", PlanStatus.ACTIVE) == ["p0", "p1", "p3", "p4"]
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.listing.plans(None, pending, None, None, 10, 0)] == ["p2", "p4"]

    def test_listing_inspections_by_department_enterprise_status(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        rows = [
            _inspection("i2", ent, ["SCJG", "XFJY"], 2),
            _inspection("i1", other, ["XFJY"], 1),
            _inspection("i3", ent, ["SCJG"], 3),
            _inspection("i0", ent, ["SCJG"], 2),  # ties i2 on window start
        ]
        with store.unit_of_work() as uow:
            for i in rows:
                uow.inspections.add(i)
            uow.commit()

        def ids(
            dept: str | None, enterprise: str | None, status: InspectionStatus | None, since: int | None = None
        ) -> list[str]:
            low = None if since is None else T0.add(days=since)
            with store.unit_of_work() as uow:
                return [i.id for i in uow.listing.inspections(dept, enterprise, status, low, None, 100, 0)]

        assert ids(None, None, None) == ["i1", "i0", "i2", "i3"]
        assert ids("XFJY", None, None) == ["i1", "i2"]  # a joint inspection counts for each department
        assert ids("SCJG", ent, None) == ["i0", "i2", "i3"]
        assert ids("XFJY", other, None) == ["i1"]
        assert ids(None, ent, None, 3) == ["i3"]
        with store.unit_of_work() as uow:
            uow.inspections.update(attrs.evolve(rows[0], status=InspectionStatus.IN_PROGRESS))
            uow.inspections.update(attrs.evolve(rows[1], departments=["SCJG"], lead_department="SCJG"))
            uow.commit()
        assert ids(None, None, InspectionStatus.IN_PROGRESS) == ["i2"]
        assert ids("XFJY", None, InspectionStatus.IN_PROGRESS) == ["i2"]
        assert ids("SCJG", None, InspectionStatus.PLANNED) == ["i1", "i0", "i3"]
        assert ids("XFJY", None, None) == ["i2"]  # i1 left XFJY
        with store.unit_of_work() as uow:
            page = uow.listing.inspections("SCJG", None, None, None, None, 2, 1)
            assert [i.id for i in page] == ["i0", "i2"]
            assert page[1] == attrs.evolve(rows[0], status=InspectionStatus.IN_PROGRESS)

    def test_listing_results_of_an_inspection(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code

        def result(rid: str, inspection: str, minute: int) -> ResultRecord:
            return ResultRecord(
                id=rid,
                inspection_id=inspection,
                enterprise=ent,
                department="SCJG",
                inspector_id="SCJG-I01",
                item=f"SCJG-0{rid[-1]}",
                outcome=Outcome.PASS,
                note="",
                evidence=(),
                recorded_at=T0.add(minutes=minute),
                responsible_department="SCJG",
            )

        with store.unit_of_work() as uow:
            for r in [result("r3", "i1", 5), result("r1", "i1", 5), result("r2", "i1", 1), result("r4", "i2", 0)]:
                uow.results.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.listing.results("i1", 10, 0)] == ["r2", "r1", "r3"]
            assert [r.id for r in uow.listing.results("i1", 1, 1)] == ["r1"]
            assert uow.listing.results("nope", 10, 0) == []

    def test_listing_unclosed_rectifications(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        s = RectificationState
        rows = [
            _rectification("x1", ent, "SCJG", 1, s.OPEN),
            _rectification("x2", ent, "XFJY", 2, s.SUBMITTED),
            _rectification("x0", other, "SCJG", 1, s.OVERDUE),  # ties x1 on deadline
            _rectification("x3", ent, "SCJG", 3, s.ACCEPTED),
            _rectification("x4", other, "SCJG", 0, s.REFUSED),
            _rectification("x5", ent, "SCJG", 5, s.OPEN),
        ]
        with store.unit_of_work() as uow:
            for r in rows:
                uow.rectifications.add(r)
            uow.commit()

        def ids(dept: str | None, enterprise: str | None, due: int | None = None) -> list[str]:
            before = None if due is None else T0.add(days=due)
            with store.unit_of_work() as uow:
                return [r.id for r in uow.listing.unclosed_rectifications(dept, enterprise, before, 100, 0)]

        assert ids(None, None) == ["x0", "x1", "x2", "x5"]
        assert ids("SCJG", None) == ["x0", "x1", "x5"]
        assert ids(None, ent) == ["x1", "x2", "x5"]
        assert ids("SCJG", ent) == ["x1", "x5"]
        assert ids(None, None, 2) == ["x0", "x1"]  # strictly before the instant
        assert ids(None, None, 1) == []
        with store.unit_of_work() as uow:
            uow.rectifications.update(attrs.evolve(rows[0], state=s.ACCEPTED))
            uow.rectifications.update(attrs.evolve(rows[3], state=s.OPEN, deadline=T0))
            uow.commit()
        assert ids(None, ent) == ["x3", "x2", "x5"]

    def test_listing_complaints_and_evaluations_by_period(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        with store.unit_of_work() as uow:
            for cid, enterprise, day in [("c2", ent, 2), ("c1", ent, 2), ("c0", other, 1), ("c3", ent, 4)]:
                uow.feedback.add_complaint(
                    Complaint(cid, f"i-{cid}", enterprise, ComplaintReason.OTHER, "说明", T0.add(days=day))
                )
            for iid, enterprise, day in [("i2", ent, 2), ("i1", other, 2), ("i0", ent, 0)]:
                uow.feedback.add_evaluation(Evaluation(iid, enterprise, 90, "", T0.add(days=day)))
            uow.commit()
        with store.unit_of_work() as uow:
            listing = uow.listing
            assert [c.id for c in listing.complaints(None, None, None, 10, 0)] == ["c0", "c1", "c2", "c3"]
            assert [c.id for c in listing.complaints(ent, None, None, 10, 0)] == ["c1", "c2", "c3"]
            assert [c.id for c in listing.complaints(ent, T0.add(days=2), T0.add(days=4), 10, 0)] == ["c1", "c2"]
            assert [c.id for c in listing.complaints(None, None, None, 2, 1)] == ["c1", "c2"]
            assert [e.inspection_id for e in listing.evaluations(None, None, None, 10, 0)] == ["i0", "i1", "i2"]
            assert [e.inspection_id for e in listing.evaluations(ent, T0.add(days=1), None, 10, 0)] == ["i2"]
            assert listing.evaluations(other, None, T0.add(days=2), 10, 0) == []

    def test_listing_pending_notifications_and_audit_entries(self, store: Store, city: City) -> None:
        with store.unit_of_work() as uow:
            for n in range(5):
                uow.outbox.add(Notification(f"k{n}", "test", Role.SUPERVISOR, "office", f"s{n}", T0.add(minutes=n)))
                uow.audit.append(AuditRecord(T0.add(minutes=n), "system", "test", f"s{n}", {}))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.outbox.mark_delivered(["k1", "k3"])
            uow.commit()
        with store.unit_of_work() as uow:
            listing = uow.listing
            assert [n.key for n in listing.pending_notifications(10, 0)] == ["k0", "k2", "k4"]
            assert [n.key for n in listing.pending_notifications(1, 1)] == ["k2"]
            assert [e.seq for e in listing.audit_entries(0, None, 10)] == [1, 2, 3, 4, 5]
            assert [e.seq for e in listing.audit_entries(1, 3, 10)] == [2, 3]
            assert [e.seq for e in listing.audit_entries(2, None, 2)] == [3, 4]
            assert listing.audit_entries(5, None, 10) == []
            assert listing.audit_entries(0, None, 10)[2].record.subject == "s2"

    def test_listing_sees_the_unit_of_work_and_forgets_a_rollback(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        with store.unit_of_work() as uow:
            uow.plans.add(_plan("p1", ent, "SCJG", 1))
            uow.inspections.add(_inspection("i1", ent, ["SCJG"], 1))
            uow.reference.put_enterprise(city.enterprises[0])
            assert [p.id for p in uow.listing.plans(None, None, None, None, 10, 0)] == ["p1"]
            assert [i.id for i in uow.listing.inspections("SCJG", None, None, None, None, 10, 0)] == ["i1"]
        with store.unit_of_work() as uow:
            listing: UnitOfWork = uow
            assert listing.listing.plans(None, None, None, None, 10, 0) == []
            assert listing.listing.inspections("SCJG", None, None, None, None, 10, 0) == []
            assert listing.listing.enterprises(None, 10, 0) == []
