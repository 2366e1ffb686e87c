"""Contract cases for the bulk reads and appends of bulk filing (issue 11): each is the
single-key operation applied to many keys at once, with the same rows, order and
idempotency.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them; they use its ``store`` and ``city`` fixtures.
"""

from __future__ import annotations

import datetime as dt
import threading

import attrs

from jointinspect.audit import GENESIS, AuditRecord, seal, verify
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionStatus
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.result import Outcome
from jointinspect.ports import Store
from jointinspect.sample import City
from jointinspect.testing.bounded import T0, US, _inspection, _plan, _result

_UNKNOWN = "91370600999999999X"


def _note(key: str, minute: int) -> Notification:
    return Notification(key, "plan.filed", Role.DEPARTMENT, "SCJG", key, T0.add(minutes=minute), {"n": str(minute)})


def _record(n: int) -> AuditRecord:
    return AuditRecord(T0.add(seconds=n), "officer:SCJG", "plan.filed", f"p{n}", {"n": n, "start": "2026-03-02"})


class BulkReadsContract:
    """Cases for ``get_enterprises``, ``by_idempotency_keys``, ``open_for_enterprises``,
    results' and quiet slots' ``for_enterprises``, ``Outbox.add_many`` and
    ``AuditLog.append_many``."""

    def test_lock_enterprises_excludes_as_lock_enterprise(self, store: Store, city: City) -> None:
        codes = [e.credit_code for e in city.enterprises[:4]]
        inside, seen, errors = threading.Event(), [], []
        locked = threading.Event()

        def holder() -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.lock_enterprises([codes[2], codes[0], codes[2], _UNKNOWN])
                    uow.lock_enterprise(codes[0])  # already locked: a no-op
                    inside.set()
                    locked.set()
                    # hold the locks while the other thread tries to take one of them
                    threading.Event().wait(0.3)
                    inside.clear()
                    uow.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        def waiter() -> None:
            try:
                locked.wait(5)
                with store.unit_of_work() as uow:
                    uow.lock_enterprises([codes[3], codes[2]])
                    seen.append(inside.is_set())
                    uow.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert seen == [False]  # the waiter got its locks only after the holder ended
        with store.unit_of_work() as uow:
            uow.lock_enterprises([])
            uow.lock_enterprises(codes)  # again, in a new unit of work: nothing left over

    def test_get_enterprises(self, store: Store, city: City) -> None:
        codes = [e.credit_code for e in city.enterprises[:3]]
        with store.unit_of_work() as uow:
            for enterprise in city.enterprises[:3]:
                uow.reference.put_enterprise(enterprise)
            uow.commit()
        with store.unit_of_work() as uow:
            found = uow.reference.get_enterprises([codes[2], _UNKNOWN, codes[0], codes[2]])
            assert found == {codes[2]: city.enterprises[2], codes[0]: city.enterprises[0]}
            for code in [*codes, _UNKNOWN]:  # the same as one by one (codes[1] was not asked)
                if code != codes[1]:
                    assert found.get(code) == uow.reference.get_enterprise(code)
            assert uow.reference.get_enterprises([]) == {}

    def test_results_for_enterprises(self, store: Store, city: City) -> None:
        ent, other, third = (e.credit_code for e in city.enterprises[:3])
        rows = [
            _result("r1", ent, "SCJG-01", 3, Outcome.PASS),
            _result("r0", ent, "SCJG-01", 3, Outcome.FAIL),  # a tie on recorded_at: by id
            _result("r2", ent, "SCJG-02", 1, Outcome.PASS),
            _result("r3", ent, "YJGL-01", 2, Outcome.PASS),
            _result("r4", ent, "SCJG-01", -5, Outcome.PASS),  # before since
            _result("r6", other, "SCJG-01", 4, Outcome.PASS),
        ]
        with store.unit_of_work() as uow:
            for row in rows:
                uow.results.add(row)
            uow.commit()
        asked = [third, ent, other, _UNKNOWN]
        for items in (["SCJG-01", "SCJG-02"], ["SCJG-01"], ["YJGL-01", "SCJG-01", "SCJG-01"], []):
            for since in (T0, T0.add(days=3), T0.add(days=3) + US):
                with store.unit_of_work() as uow:
                    many = uow.results.for_enterprises(asked, items, since)
                    assert many == {e: uow.results.for_enterprise(e, items, since) for e in asked}
        with store.unit_of_work() as uow:
            found = uow.results.for_enterprises([ent], ["SCJG-01", "SCJG-02"], T0)
            assert [r.id for r in found[ent]] == ["r2", "r0", "r1"]
            assert uow.results.for_enterprises([], ["SCJG-01"], T0) == {}

    def test_plans_by_idempotency_keys(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        plans = [
            attrs.evolve(_plan("p1", ent, 0, 1, None), idempotency_key="K-1"),
            attrs.evolve(_plan("p2", ent, 0, 1, None), idempotency_key="K-2"),
            attrs.evolve(_plan("p3", ent, 0, 1, None), department="YJGL", idempotency_key="K-3"),
            _plan("p4", ent, 0, 1, None),
        ]
        with store.unit_of_work() as uow:
            for plan in plans:
                uow.plans.add(plan)
            uow.commit()
        with store.unit_of_work() as uow:
            keys = ["K-2", "K-1", "K-3", "K-9", "K-1"]
            found = uow.plans.by_idempotency_keys("SCJG", keys)
            assert found == {"K-1": plans[0], "K-2": plans[1]}  # K-3 is another department's
            assert found == {k: p for k in keys if (p := uow.plans.by_idempotency_key("SCJG", k)) is not None}
            assert uow.plans.by_idempotency_keys("YJGL", ["K-1", "K-3"]) == {"K-3": plans[2]}
            assert uow.plans.by_idempotency_keys("SCJG", []) == {}
            # the unit of work reads its own writes
            extra = attrs.evolve(_plan("p5", ent, 0, 1, None), idempotency_key="K-9")
            uow.plans.add(extra)
            assert uow.plans.by_idempotency_keys("SCJG", ["K-9"]) == {"K-9": extra}

    def test_open_for_enterprises(self, store: Store, city: City) -> None:
        ent, other, third = (e.credit_code for e in city.enterprises[:3])
        p1, p2 = _plan("p1", ent, 0, 1, "i1"), _plan("p2", ent, 0, 10, "i1")
        p3 = _plan("p3", ent, 1, 2, "i0")
        p4 = _plan("p4", ent, 0, 20, "i2")
        p6, p7 = _plan("p6", other, 0, 20, "i4"), _plan("p7", other, 0, 30, None)
        rows = [
            (_inspection("i1", ent, [p1, p2], InspectionStatus.PLANNED), [p1, p2]),
            (_inspection("i0", ent, [p3], InspectionStatus.PLANNED), [p3]),
            (_inspection("i2", ent, [p4], InspectionStatus.IN_PROGRESS), [p4]),
            (_inspection("i4", other, [p6], InspectionStatus.PLANNED), [p6]),
        ]
        with store.unit_of_work() as uow:
            for inspection, plans in rows:
                uow.inspections.add(inspection)
                for plan in plans:
                    uow.plans.add(plan)
            uow.plans.add(p7)
            uow.commit()
        asked = [third, ent, other, _UNKNOWN]
        bounds = [T0.subtract(days=1), T0.add(days=2), T0.add(days=2) + US, T0.add(days=10) + US, T0.add(days=30)]
        for shift in range(len(bounds)):  # each enterprise its own bound, in every combination
            reaching = {e: bounds[(k + shift) % len(bounds)] for k, e in enumerate(asked)}
            with store.unit_of_work() as uow:
                many = uow.inspections.open_for_enterprises(reaching)
                assert many == {e: uow.inspections.open_for_enterprise(e, at) for e, at in reaching.items()}
        with store.unit_of_work() as uow:
            found = uow.inspections.open_for_enterprises({ent: T0.add(days=2) + US, other: T0})
            assert [i.id for i in found[ent]] == ["i1"] and [i.id for i in found[other]] == ["i4"]
            assert uow.inspections.open_for_enterprises({}) == {}

    def test_quiet_slots_for_enterprises(self, store: Store, city: City) -> None:
        ent, other, third = (e.credit_code for e in city.enterprises[:3])
        day = dt.date(2026, 4, 1)
        slots = [
            QuietSlot("q2", ent, day, day, "audit", T0),
            QuietSlot("q1", ent, day, day + dt.timedelta(days=1), "audit", T0),
            QuietSlot("q0", ent, day - dt.timedelta(days=3), day, "audit", T0),
            QuietSlot("q3", other, day, day, "audit", T0),
        ]
        with store.unit_of_work() as uow:
            for slot in slots:
                uow.quiet_slots.add(slot)
            uow.commit()
        with store.unit_of_work() as uow:
            asked = [other, third, ent]
            many = uow.quiet_slots.for_enterprises(asked)
            assert many == {e: uow.quiet_slots.for_enterprise(e) for e in asked}
            assert [s.id for s in many[ent]] == ["q0", "q1", "q2"]  # by (start, id)
            assert many[third] == []
            assert uow.quiet_slots.for_enterprises([]) == {}

    def test_outbox_add_many_is_add_in_order(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_note("n0", 0))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.outbox.add_many([_note("n2", 2), _note("n0", 5), _note("n1", 1), _note("n2", 9)])
            uow.outbox.add_many([])
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.pending(10) == [_note("n0", 0), _note("n2", 2), _note("n1", 1)]
        with store.unit_of_work() as uow:
            uow.outbox.add_many([_note("n3", 3)])  # not committed: discarded
        with store.unit_of_work() as uow:
            assert [n.key for n in uow.outbox.pending(10)] == ["n0", "n2", "n1"]

    def test_audit_append_many_is_append_in_order(self, store: Store) -> None:
        expected, previous = [], GENESIS
        for n in range(1, 6):  # what five appends one by one give (see AuditLog.append)
            expected.append(seal(_record(n), n, previous))
            previous = expected[-1].hash
        with store.unit_of_work() as uow:
            first = uow.audit.append(_record(1))
            assert uow.audit.append_many([]) == []
            middle = uow.audit.append_many([_record(2), _record(3), _record(4)])
            last = uow.audit.append(_record(5))
            uow.commit()
        assert [first, *middle, last] == expected
        with store.unit_of_work() as uow:
            entries = uow.audit.entries()
            head = uow.audit.head()
            assert entries == expected
            assert (head.seq, head.hash) == (5, expected[-1].hash)
            verify(entries, head)
        with store.unit_of_work() as uow:
            uow.audit.append_many([_record(6)])  # not committed: the chain is unchanged
        with store.unit_of_work() as uow:
            assert uow.audit.head() == head
