"""The store contract suite: what every `Store` must do.

Subclass `StoreContract` in a pytest module and implement `make_store` to return
a fresh, empty store; every test then runs against it::

    from jointinspect.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        def make_store(self):
            return MyStore("...")

The tests use the repositories directly (round trips, ordering, isolation, rollback,
idempotency, atomic audit appends) and through an `Engine` (a whole
inspection lifecycle, and racing threads that must never get two planned visits in one
window).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pendulum
import pytest

from jointinspect.audit import AuditRecord, verify
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import FrequencyBlocked, IdempotencyConflict, IntegrityError, JointInspectError
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import (
    Inspection,
    InspectionKind,
    InspectionStatus,
    Plan,
    PlanStatus,
    Window,
)
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.policy.schema import MatchingPolicy, Policy
from jointinspect.ports import Store
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope
from jointinspect.sample import City, build_city, populate
from jointinspect.testing._storm import race, storm
from jointinspect.testing.bounded import BoundedReadsContract
from jointinspect.testing.bulk_reads import BulkReadsContract
from jointinspect.testing.deferred_writes import DeferredWritesContract
from jointinspect.testing.fieldwork import FieldworkContract
from jointinspect.testing.licence_sweep import LicenceSweepContract
from jointinspect.testing.penalties import PenaltiesContract
from jointinspect.testing.period import PeriodContract
from jointinspect.testing.principals import SYSTEM, enterprise, inspector, officer
from jointinspect.testing.queries import QueriesContract

# populate is re-exported: it lived here before jointinspect.sample existed.
__all__ = ["StoreContract", "populate"]

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _plan(pid: str, enterprise: str, day: int, dept: str = "SCJG", filed: int = 0) -> Plan:
    start = T0.add(days=day)
    return Plan(
        id=pid,
        enterprise=enterprise,
        department=dept,
        items=[f"{dept}-01"],
        inspectors=[f"{dept}-I01", f"{dept}-I02"],
        window=Window(start, start.add(hours=8)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0.add(minutes=filed),
    )


class StoreContract(
    BoundedReadsContract,
    FieldworkContract,
    QueriesContract,
    PenaltiesContract,
    PeriodContract,
    LicenceSweepContract,
    BulkReadsContract,
    DeferredWritesContract,
):
    """Base class of the contract tests; subclasses implement `make_store` (the bounded-read
    cases come from `jointinspect.testing.bounded`)."""

    def make_store(self) -> Store:
        """Return a fresh, empty store (override)."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store per test, closed afterwards."""
        s = self.make_store()
        try:
            yield s
        finally:
            s.close()

    @pytest.fixture
    def city(self) -> City:
        """A small deterministic city."""
        return build_city(enterprises=6, departments=3)

    # ------------------------------------------------------------ repositories

    def test_reference_round_trip(self, store: Store, city: City) -> None:
        with store.unit_of_work() as uow:
            for d in city.departments:
                uow.reference.put_department(d)
            for i in city.items:
                uow.reference.put_item(i)
            for p in city.inspectors:
                uow.reference.put_inspector(p)
            for e in city.enterprises:
                uow.reference.put_enterprise(e)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.reference.get_department(city.departments[0].code) == city.departments[0]
            assert uow.reference.get_item(city.items[3].code) == city.items[3]
            assert uow.reference.get_inspector(city.inspectors[2].id) == city.inspectors[2]
            assert uow.reference.get_enterprise(city.enterprises[1].credit_code) == city.enterprises[1]
            assert uow.reference.get_enterprise("91370600999999999X") is None
        changed = attrs.evolve(city.enterprises[1], key_supervision=True)
        with store.unit_of_work() as uow:
            uow.reference.put_enterprise(changed)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.reference.get_enterprise(changed.credit_code) == changed

    def test_plans_round_trip_order_and_integrity(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        plans = [_plan("p2", ent, 3, filed=2), _plan("p1", ent, 1, filed=1), _plan("p3", other, 1)]
        with store.unit_of_work() as uow:
            for p in plans:
                uow.plans.add(p)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.plans.for_enterprise(ent)] == ["p1", "p2"]
            assert uow.plans.get("p3") == plans[2]
            with pytest.raises(IntegrityError):
                uow.plans.add(plans[0])
            with pytest.raises(IntegrityError):
                uow.plans.update(_plan("nope", ent, 1))
        with store.unit_of_work() as uow:
            updated = attrs.evolve(plans[0], status=PlanStatus.REJECTED, approvals=("supervisor",))
            uow.plans.update(updated)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.plans.get("p2") == updated

    def test_uncommitted_work_is_rolled_back(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        with store.unit_of_work() as uow:
            uow.plans.add(_plan("p1", ent, 1))
            uow.audit.append(AuditRecord(T0, "t", "plan.filed", "p1"))
            uow.outbox.add(Notification("k1", "x", Role.SUPERVISOR, "j", "p1", T0))
            # no commit
        with store.unit_of_work() as uow:
            assert uow.plans.get("p1") is None
            assert uow.audit.entries() == []
            assert uow.outbox.pending(10) == []
        with pytest.raises(RuntimeError), store.unit_of_work() as uow:
            uow.plans.add(_plan("p2", ent, 1))
            raise RuntimeError("boom")
        with store.unit_of_work() as uow:
            assert uow.plans.get("p2") is None

    def test_inspections_and_visits(self, store: Store, city: City) -> None:
        ent = city.enterprises[0]
        window = Window(T0, T0.add(hours=8))
        insp = Inspection(
            id="i1",
            enterprise=ent.credit_code,
            lead_department="SCJG",
            plan_ids=["p1", "p2"],
            departments=["SCJG", "YJGL"],
            items=["SCJG-01", "YJGL-01"],
            inspectors=["SCJG-I01"],
            window=window,
            kind=InspectionKind.ROUTINE,
            created_at=T0,
            reservation_id="i1",
        )
        visit = Visit("v1", "i1", "SCJG-I01", ent.credit_code, T0.add(minutes=5), ent.site, 12.5, "tok")
        with store.unit_of_work() as uow:
            uow.inspections.add(insp)
            uow.visits.add(visit)
            uow.commit()
        done = attrs.evolve(insp, status=InspectionStatus.COMPLETED, completed_at=T0.add(hours=1))
        out = attrs.evolve(visit, checked_out_at=T0.add(minutes=52))
        with store.unit_of_work() as uow:
            assert uow.inspections.get("i1") == insp
            assert uow.inspections.for_enterprise(ent.credit_code) == [insp]
            uow.inspections.update(done)
            uow.visits.update(out)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.inspections.get("i1") == done
            assert uow.visits.for_inspection("i1") == [out]
            assert out.duration == pendulum.duration(minutes=47)

    def test_open_visits_by_inspector(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0], city.enterprises[1]

        def inspection(inspection_id: str, enterprise: str) -> Inspection:
            return Inspection(
                id=inspection_id,
                enterprise=enterprise,
                lead_department="SCJG",
                plan_ids=[f"p-{inspection_id}"],
                departments=["SCJG"],
                items=["SCJG-01"],
                inspectors=["SCJG-I01", "SCJG-I02"],
                window=Window(T0, T0.add(hours=8)),
                kind=InspectionKind.ROUTINE,
                created_at=T0,
                status=InspectionStatus.IN_PROGRESS,
                reservation_id=inspection_id,
            )

        first = Visit("v1", "i1", "SCJG-I01", ent.credit_code, T0.add(minutes=5), ent.site, 3.0, "t1")
        second = Visit("v2", "i1", "SCJG-I02", ent.credit_code, T0.add(minutes=6), ent.site, 3.0, "t2")
        with store.unit_of_work() as uow:
            uow.inspections.add(inspection("i1", ent.credit_code))
            uow.inspections.add(inspection("i2", other.credit_code))
            uow.visits.add(first)
            uow.visits.add(second)
            assert uow.visits.open_for_inspector("SCJG-I01") == [first]  # own writes visible
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.visits.open_for_inspector("SCJG-I01") == [first]
            assert uow.visits.open_for_inspector("SCJG-I03") == []
            uow.visits.update(attrs.evolve(first, checked_out_at=T0.add(minutes=30)))
            uow.visits.add(Visit("v3", "i2", "SCJG-I01", other.credit_code, T0.add(hours=1), other.site, 4.0, "t3"))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [v.id for v in uow.visits.open_for_inspector("SCJG-I01")] == ["v3"]
            assert uow.visits.open_for_inspector("SCJG-I02") == [second]
            # One open visit per inspector: a second open add is refused, a closed one is not.
            with pytest.raises(IntegrityError):
                uow.visits.add(Visit("v4", "i1", "SCJG-I01", ent.credit_code, T0.add(hours=2), ent.site, 1.0, "t4"))
        with store.unit_of_work() as uow:
            assert [v.id for v in uow.visits.open_for_inspector("SCJG-I01")] == ["v3"]

    def test_racing_check_ins_leave_one_open_visit_per_inspector(self, store: Store, city: City) -> None:
        # Eight units of work add an open visit for one inspector at eight enterprises at
        # once: the store's rule is atomic, so exactly one commits.
        enterprises = [e.credit_code for e in city.enterprises]

        def attempt(n: int) -> str:
            ent = enterprises[n % len(enterprises)]
            visit = Visit(f"race-{n}", f"ri{n}", "SCJG-I01", ent, T0.add(minutes=n), city.enterprises[0].site, 1.0, "t")
            with store.unit_of_work() as uow:
                uow.visits.add(visit)
                uow.commit()
            return visit.id

        committed = race(8, attempt, IntegrityError)
        assert len(committed) == 1
        with store.unit_of_work() as uow:
            assert [v.id for v in uow.visits.open_for_inspector("SCJG-I01")] == committed

    def test_results_are_shared_only_within_the_enterprise(self, store: Store, city: City) -> None:
        a, b = city.enterprises[0].credit_code, city.enterprises[1].credit_code

        def result(rid: str, ent: str, item: str, days: int) -> ResultRecord:
            return ResultRecord(
                id=rid,
                inspection_id="i",
                enterprise=ent,
                department="SCJG",
                inspector_id="SCJG-I01",
                item=item,
                outcome=Outcome.FAIL,
                note="n",
                evidence=("photo-1",),
                recorded_at=T0.add(days=days),
                responsible_department="SCJG",
            )

        rows = [
            result("r1", a, "SCJG-01", 0),
            result("r2", a, "SCJG-02", 1),
            result("r3", b, "SCJG-01", 1),
            result("r4", a, "SCJG-01", 10),
        ]
        with store.unit_of_work() as uow:
            for r in rows:
                uow.results.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            got = uow.results.for_enterprise(a, ["SCJG-01"], T0)
            assert [r.id for r in got] == ["r1", "r4"]
            assert [r.id for r in uow.results.for_enterprise(a, ["SCJG-01"], T0.add(days=5))] == ["r4"]
            assert uow.results.for_enterprise(a, [], T0) == []
            assert uow.results.get("r3") == rows[2]
            assert [r.id for r in uow.results.for_inspection("i")] == ["r1", "r2", "r3", "r4"]

    def test_rectifications_due(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        mk = [
            Rectification(f"x{n}", "r", ent, "SCJG", "SCJG-01", T0.add(days=n), state, T0)
            for n, state in (
                (1, RectificationState.OPEN),
                (2, RectificationState.SUBMITTED),
                (3, RectificationState.ACCEPTED),
                (9, RectificationState.OPEN),
            )
        ]
        with store.unit_of_work() as uow:
            for r in mk:
                uow.rectifications.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.rectifications.due_before(T0.add(days=5))] == ["x1", "x2"]
            assert [r.id for r in uow.rectifications.for_enterprise(ent)] == ["x1", "x2", "x3", "x9"]

    def test_feedback(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        ev = Evaluation("i1", ent, 95, "good", T0)
        complaint = Complaint("c1", "i1", ent, ComplaintReason.NO_SCAN, "no scan", T0)
        with store.unit_of_work() as uow:
            uow.feedback.add_evaluation(ev)
            uow.feedback.add_complaint(complaint)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.feedback.get_evaluation("i1") == ev
            assert uow.feedback.get_evaluation("i2") is None
            assert uow.feedback.complaints(ent) == [complaint]
            with pytest.raises(IntegrityError):
                uow.feedback.add_evaluation(ev)

    def test_outbox_is_idempotent_and_ordered(self, store: Store) -> None:
        notes = [Notification(f"k{n}", "x", Role.SUPERVISOR, "j", f"s{n}", T0, {"n": n}) for n in range(5)]
        with store.unit_of_work() as uow:
            for n in notes:
                uow.outbox.add(n)
            uow.outbox.add(notes[0])  # same key: ignored
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.pending(3) == notes[:3]
            uow.outbox.mark_delivered(["k0", "k2"])
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.pending(10) == [notes[1], notes[3], notes[4]]
            uow.outbox.add(notes[0])  # delivered key: still ignored
            uow.commit()
        with store.unit_of_work() as uow:
            assert [n.key for n in uow.outbox.pending(10)] == ["k1", "k3", "k4"]

    def test_audit_chain_and_concurrent_appends(self, store: Store) -> None:
        def worker(n: int) -> None:
            for k in range(5):
                with store.unit_of_work() as uow:
                    uow.audit.append(AuditRecord(T0, f"w{n}", "act", f"s{n}-{k}", {"k": k}))
                    uow.commit()

        storm(4, worker)
        with store.unit_of_work() as uow:
            entries = uow.audit.entries()
            assert verify(entries) == 20
            assert uow.audit.entries(after_seq=18) == entries[18:]

    def test_ledger_in_unit_of_work(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        check = RuleCheck(
            "one", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], window=pendulum.duration(days=7)
        )

        def res(rid: str, day: int) -> Reservation:
            return Reservation(rid, ent, "SCJG", ["SCJG-I01"], InspectionKind.ROUTINE, T0.add(days=day))

        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            assert uow.ledger.check_and_reserve(res("a", 0), [check], T0).allowed
            # not committed: rolled back
        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            assert uow.ledger.reservations(ent) == []
            assert uow.ledger.check_and_reserve(res("a", 0), [check], T0).allowed
            uow.commit()
        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            decision = uow.ledger.check_and_reserve(res("b", 3), [check], T0)
            assert not decision.allowed and decision.blocked[0].count == 2
            assert uow.ledger.check_and_reserve(res("c", 7), [check], T0).allowed
            uow.ledger.release("a")
            assert uow.ledger.check_and_reserve(res("b", 3), [check], T0).allowed is False  # c at day 7
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.ledger.reservations(ent)] == ["c"]

    def test_replay_guard(self, store: Store) -> None:
        guard = store.replay_guard()
        assert guard.consume("tok:a", T0.add(hours=1), T0)
        assert not guard.consume("tok:a", T0.add(hours=1), T0.add(minutes=30))
        assert guard.consume("tok:b", T0.add(hours=1), T0)

    # --------------------------------------------------------- through the engine

    def engine(
        self, store: Store, city: City, policy: Policy | None = None
    ) -> tuple[Engine, FixedClock, CollectingNotifier]:
        """An engine over ``store`` with the city registered, at T0 minus three weeks."""
        clock = FixedClock(T0.subtract(days=21))
        notes = CollectingNotifier()
        eng = Engine(
            store=store,
            policy=policy or Policy(),
            clock=clock,
            keys=MemoryKeyStore.from_seed(b"contract-suite-key-seed-32-bytes"),
            notifier=notes,
        )
        populate(eng, city)
        return eng, clock, notes

    def test_idempotent_filing(self, store: Store, city: City) -> None:
        """Issue 8: the same plan number filed again returns the original and writes nothing;
        other content under it is refused; another department may use the same number."""
        ent = next(e for e in city.enterprises if e.credit_class != "A")
        eng, _, _ = self.engine(store, city)
        request = PlanRequest(
            ent.credit_code,
            "SCJG",
            T0,
            T0.add(hours=8),
            items=["SCJG-01"],
            inspectors=["SCJG-I01", "SCJG-I02"],
            idempotency_key="SCJG-2026-0042",
        )
        first = eng.file_plan(request, by=officer("SCJG"))
        assert not first.replayed and first.inspection is not None

        def rows() -> tuple[object, ...]:
            with store.unit_of_work() as uow:
                return (
                    tuple(uow.plans.for_enterprise(ent.credit_code)),
                    tuple(uow.inspections.for_enterprise(ent.credit_code)),
                    tuple(uow.ledger.reservations(ent.credit_code)),
                    len(uow.outbox.pending(10_000)),
                    len(uow.audit.entries()),
                )

        before = rows()
        again = eng.file_plan(request, by=officer("SCJG"))
        assert again.replayed and again.plan == first.plan and again.inspection == first.inspection
        assert rows() == before
        with pytest.raises(IdempotencyConflict) as err:
            eng.file_plan(attrs.evolve(request, end=T0.add(hours=9)), by=officer("SCJG"))
        assert err.value.code == "plan.idempotency_conflict" and err.value.details["field"] == "window"
        assert rows() == before
        with store.unit_of_work() as uow:
            assert uow.plans.by_idempotency_key("SCJG", "SCJG-2026-0042") == first.plan
            assert uow.plans.by_idempotency_key("YJGL", "SCJG-2026-0042") is None
        other = eng.file_plan(
            attrs.evolve(request, department="YJGL", items=["YJGL-01"], inspectors=["YJGL-I01", "YJGL-I02"]),
            by=officer("YJGL"),
        )
        assert not other.replayed and other.plan.id != first.plan.id

    def test_engine_lifecycle(self, store: Store, city: City) -> None:
        ent = next(e for e in city.enterprises if e.credit_class != "A")
        eng, clock, notes = self.engine(store, city)
        first = eng.file_plan(
            PlanRequest(
                ent.credit_code, "SCJG", T0, T0.add(hours=8), items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"]
            ),
            by=officer("SCJG"),
        )
        second = eng.file_plan(
            PlanRequest(
                ent.credit_code,
                "YJGL",
                T0.add(hours=2),
                T0.add(hours=12),
                items=["YJGL-01"],
                inspectors=["YJGL-I01", "YJGL-I02"],
            ),
            by=officer("YJGL"),
        )
        assert second.merged and second.inspection is not None and second.inspection.joint
        assert first.inspection is not None and second.inspection.id == first.inspection.id
        code = eng.issue_inspection_code(second.inspection.id, by=SYSTEM)
        gate = eng.issue_enterprise_code(ent.credit_code, by=SYSTEM)
        clock.set(second.inspection.window.start.add(minutes=5))
        me = inspector("SCJG-I01")
        eng.check_in(code.token, ent.site, gate.token, by=me)
        with pytest.raises(JointInspectError):
            eng.check_in(code.token, ent.site, gate.token, by=me)
        failed = eng.record_result(second.inspection.id, "SCJG-01", Outcome.FAIL, "expired licence", by=me)
        assert failed.rectification is not None
        clock.advance(minutes=40)
        visit = eng.check_out(second.inspection.id, by=me)
        assert visit.duration == pendulum.duration(minutes=40)
        eng.rate(second.inspection.id, 90, by=enterprise(ent.credit_code))
        eng.submit_rectification(failed.rectification.id, ["photo-after"], by=enterprise(ent.credit_code))
        done = eng.accept_rectification(failed.rectification.id, by=officer("SCJG"))
        assert done.state is RectificationState.ACCEPTED
        assert eng.verify_audit(by=SYSTEM) > 0
        assert notes.of_kind("plan.filed") and notes.of_kind("rectification.accepted")
        with store.unit_of_work() as uow:
            assert uow.outbox.pending(10) == []

    def test_rejected_operation_changes_nothing(self, store: Store, city: City) -> None:
        ent = next(e for e in city.enterprises if e.credit_class != "A")
        policy = Policy(matching=MatchingPolicy(kinds=frozenset()))
        eng, _, notes = self.engine(store, city, policy)
        eng.file_plan(
            PlanRequest(
                ent.credit_code, "SCJG", T0, T0.add(hours=8), items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"]
            ),
            by=officer("SCJG"),
        )
        with store.unit_of_work() as uow:
            before = (len(uow.audit.entries()), len(uow.plans.for_enterprise(ent.credit_code)))
        sent = len(notes.received)
        with pytest.raises(FrequencyBlocked):
            eng.file_plan(
                PlanRequest(
                    ent.credit_code,
                    "YJGL",
                    T0.add(days=3),
                    T0.add(days=3, hours=8),
                    items=["YJGL-01"],
                    inspectors=["YJGL-I01", "YJGL-I02"],
                ),
                by=officer("YJGL"),
            )
        with store.unit_of_work() as uow:
            after = (len(uow.audit.entries()), len(uow.plans.for_enterprise(ent.credit_code)))
            assert len(uow.ledger.reservations(ent.credit_code)) == 1
        assert after == before and len(notes.received) == sent

    def test_racing_threads_get_one_planned_visit_per_window(self, store: Store, city: City) -> None:
        ent = next(e for e in city.enterprises if e.credit_class != "A")
        policy = Policy(matching=MatchingPolicy(kinds=frozenset()))  # no merging: the ledger must block
        eng, _, _ = self.engine(store, city, policy)
        depts = [d.code for d in city.departments]

        def attempt(n: int) -> str:
            dept = depts[n % len(depts)]
            start = T0.add(days=n % 5, hours=n)
            out = eng.file_plan(
                PlanRequest(
                    ent.credit_code,
                    dept,
                    start,
                    start.add(hours=2),
                    items=[f"{dept}-01"],
                    inspectors=[f"{dept}-I01", f"{dept}-I02"],
                ),
                by=officer(dept),
            )
            assert out.inspection is not None
            return out.inspection.id

        wins = race(16, attempt, FrequencyBlocked)
        assert len(wins) == 1
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.ledger.reservations(ent.credit_code)] == wins
