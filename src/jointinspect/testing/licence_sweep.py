"""Contract cases for the licence sweep's bulk port operations (issue 12): claiming a page
of licences (`LicenceRepository.claim_unwarned`), queueing a page of notifications
(`Outbox.add_many`), and the sweep through the engine run twice, and twice at once.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them with its ``store`` and ``city`` fixtures.
"""

from __future__ import annotations

import datetime as dt
import threading

import pendulum

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import expand_all
from jointinspect.policy.schema import load_policy
from jointinspect.ports import Store
from jointinspect.sample import City, populate
from jointinspect.testing.principals import SYSTEM

#: 02:00 in Yantai (UTC+8) on 1 March 2026.
NOW = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
TODAY = dt.date(2026, 3, 1)


def _licence(city: City, number: str, day: int, department: str = "SCJG", holder: int = 0) -> Licence:
    return Licence(
        "food_business", number, city.enterprises[holder].credit_code, department, TODAY + dt.timedelta(days=day)
    )


def _keys(licences: list[Licence]) -> list[str]:
    return [lic.key for lic in licences]


def _note(key: str, minute: int = 0) -> Notification:
    return Notification(key, "licence.expiring", Role.ENTERPRISE, "ent", key, NOW.add(minutes=minute))


def _sweeper(store: Store, city: City, page: int) -> Engine:
    policy = load_policy({"zone": "Asia/Shanghai", "licences": {"lead_days": [30, 7], "page": page}})
    engine = Engine(store=store, policy=policy, clock=FixedClock(NOW), auto_deliver=False)
    return engine


class LicenceSweepContract:
    """The issue-12 bulk cases (mixed into `StoreContract`)."""

    def test_claim_returns_the_unwarned_page_and_marks_it(self, store: Store, city: City) -> None:
        last = TODAY + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            for number, day in (("b", 3), ("a", 3), ("c", 0), ("d", 30), ("e", 31), ("f", -1)):
                uow.licences.put(_licence(city, number, day))
            uow.commit()
        with store.unit_of_work() as uow:
            first = uow.licences.claim_unwarned(30, TODAY, last, None, 2)
            assert _keys(first) == ["food_business|c", "food_business|a"]
            assert first[0] == _licence(city, "c", 0)
            after = (first[-1].expires_on, first[-1].kind, first[-1].number)
            assert _keys(uow.licences.claim_unwarned(30, TODAY, last, after, 2)) == [
                "food_business|b",
                "food_business|d",
            ]
            uow.commit()
        with store.unit_of_work() as uow:
            # Claimed means marked: nothing left for 30 days, everything again for 7.
            assert uow.licences.claim_unwarned(30, TODAY, last, None, 10) == []
            assert uow.licences.unwarned(30, TODAY, last, None, 10) == []
            assert _keys(uow.licences.unwarned(7, TODAY, last, None, 10)) == [
                "food_business|c",
                "food_business|a",
                "food_business|b",
                "food_business|d",
            ]

    def test_a_claim_rolls_back(self, store: Store, city: City) -> None:
        last = TODAY + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            uow.licences.put(_licence(city, "a", 1))
            uow.commit()
        with store.unit_of_work() as uow:
            assert len(uow.licences.claim_unwarned(30, TODAY, last, None, 10)) == 1
            uow.rollback()
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.claim_unwarned(30, TODAY, last, None, 10)) == ["food_business|a"]

    def test_forgetting_warnings_of_past_expiries(self, store: Store, city: City) -> None:
        with store.unit_of_work() as uow:
            old, kept = _licence(city, "old", -1), _licence(city, "kept", 0)
            uow.licences.put(old)
            uow.licences.put(kept)
            uow.licences.mark_warned(30, [old, kept])
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.forget_warnings_before(TODAY) == 1
            assert uow.licences.forget_warnings_before(TODAY) == 0
            uow.commit()
        day = TODAY - dt.timedelta(days=1)
        with store.unit_of_work() as uow:
            # The expired licence's record is gone; the one of today is kept.
            assert _keys(uow.licences.unwarned(30, day, TODAY, None, 10)) == ["food_business|old"]

    def test_add_many_queues_in_order_and_skips_known_keys(self, store: Store, city: City) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_note("k1"))
            uow.commit()
        with store.unit_of_work() as uow:
            # A key already queued, and one repeated in the call: ignored, no error.
            uow.outbox.add_many([_note("k3", 1), _note("k1", 2), _note("k2", 3), _note("k3", 4)])
            uow.outbox.add_many([])
            uow.commit()
        with store.unit_of_work() as uow:
            pending = uow.outbox.pending(10)
            assert [n.key for n in pending] == ["k1", "k3", "k2"]
            assert pending[1] == _note("k3", 1) and pending[0] == _note("k1")
            uow.outbox.add_many([_note(f"n{i}", i) for i in range(1200)])  # more than one statement
            uow.rollback()
        with store.unit_of_work() as uow:
            assert len(uow.outbox.pending(2000)) == 3
            uow.outbox.add_many([_note(f"n{i}", i) for i in range(1200)])
            uow.commit()
        with store.unit_of_work() as uow:
            keys = [n.key for n in uow.outbox.pending(2000)]
            assert keys == ["k1", "k3", "k2", *(f"n{i}" for i in range(1200))]

    def test_sweeping_twice_warns_once(self, store: Store, city: City) -> None:
        engine = _sweeper(store, city, page=3)
        populate(engine, city)
        for i in range(8):
            engine.add_licence(_licence(city, f"N{i}", i * 3, department=city.departments[i % 2].code), by=SYSTEM)
        assert engine.sweep_licences(by=SYSTEM) == 8
        with store.unit_of_work() as uow:
            rows = uow.outbox.pending(1000)
        queued = expand_all(rows)  # one bundle per page, expanded as the relay does
        assert {n.kind for n in rows} == {"licence.expiring_page"}
        warnings = [n for n in queued if n.kind == "licence.expiring"]
        assert sorted(n.subject for n in warnings) == [f"food_business|N{i}" for i in range(8)]
        assert all(n.role is Role.ENTERPRISE for n in warnings)
        digests = [n for n in queued if n.kind == "licence.expiring_digest"]
        listed = sorted(key for n in digests for key in n.data()["licences"].split(","))
        assert listed == [f"food_business|N{i}" for i in range(8)]
        assert {n.recipient for n in digests} == {city.departments[0].code, city.departments[1].code}
        # Again the same day: nothing claimed, nothing queued.
        assert engine.sweep_licences(by=SYSTEM) == 0
        with store.unit_of_work() as uow:
            assert len(uow.outbox.pending(1000)) == len(rows)

    def test_two_sweeps_at_once_warn_each_licence_once(self, store: Store, city: City) -> None:
        first = _sweeper(store, city, page=4)
        populate(first, city)
        count = 40
        for i in range(count):
            first.add_licence(_licence(city, f"C{i:02d}", i % 30, holder=i % 3), by=SYSTEM)
        engines = [first, _sweeper(store, city, page=4)]
        barrier = threading.Barrier(2)
        sent: list[int] = []
        errors: list[BaseException] = []

        def sweep(engine: Engine) -> None:
            barrier.wait()
            try:
                sent.append(engine.sweep_licences(by=SYSTEM))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=sweep, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        # Each licence claimed by exactly one of the two sweeps, none left over.
        assert sum(sent) == count
        with store.unit_of_work() as uow:
            assert uow.licences.unwarned(30, TODAY, TODAY + dt.timedelta(days=30), None, 100) == []
            queued = expand_all(uow.outbox.pending(1000))
        digests = [n for n in queued if n.kind == "licence.expiring_digest"]
        listed = sorted(key for n in digests for key in n.data()["licences"].split(","))
        assert listed == sorted(f"food_business|C{i:02d}" for i in range(count))
