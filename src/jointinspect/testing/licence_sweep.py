"""Contract cases for the licence sweep's bulk port operations (issue 12): claiming a page
of licences (`LicenceRepository.claim_unwarned`), queueing a page of notifications
(`Outbox.add_many`), and the sweep through the engine run twice, and twice at once.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them with its ``store`` and ``city`` fixtures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pendulum

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.model.licence import Licence
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import expand_all
from jointinspect.policy.schema import load_policy
from jointinspect.ports import Store
from jointinspect.sample import City, populate
from jointinspect.testing._storm import storm
from jointinspect.testing.principals import SYSTEM

#: 02:00 in Yantai (UTC+8) on 1 March 2026.
NOW = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
TODAY = dt.date(2026, 3, 1)


def _licence(city: City, number: str, day: int, department: str = "SCJG", holder: int = 0) -> Licence:
    return Licence(
        "food_business", number, city.enterprises[holder].credit_code, department, TODAY + dt.timedelta(days=day)
    )


def _keys(licences: Sequence[Licence]) -> list[str]:
    return [lic.key for lic in licences]


def _note(key: str, minute: int = 0) -> Notification:
    return Notification(key, "licence.expiring", Role.ENTERPRISE, "ent", key, NOW.add(minutes=minute))


def _sweeper(store: Store, city: City, page: int) -> Engine:
    policy = load_policy({"zone": "Asia/Shanghai", "licences": {"lead_days": [30, 7], "page": page}})
    engine = Engine(store=store, policy=policy, clock=FixedClock(NOW), auto_deliver=False)
    return engine


class LicenceSweepContract:
    """The issue-12 bulk cases (mixed into `StoreContract`)."""

    def test_claim_returns_the_unwarned_page_and_moves_the_cursor(self, store: Store, city: City) -> None:
        last = TODAY + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            for number, day in (("b", 3), ("a", 3), ("c", 0), ("d", 30), ("e", 31), ("f", -1)):
                uow.licences.put(_licence(city, number, day))
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.cursor(30) is None
            first = uow.licences.claim_unwarned(30, TODAY, last, None, 2)
            assert _keys(first) == ["food_business|c", "food_business|a"]
            assert first[0] == _licence(city, "c", 0)
            assert uow.licences.cursor(30) == (TODAY + dt.timedelta(days=3), "food_business", "a")
            # The cursor, not ``after``, says where the next claim starts.
            assert _keys(uow.licences.claim_unwarned(30, TODAY, last, None, 2)) == [
                "food_business|b",
                "food_business|d",
            ]
            uow.commit()
        with store.unit_of_work() as uow:
            # Claimed means passed: nothing left for 30 days, everything again for 7.
            assert uow.licences.claim_unwarned(30, TODAY, last, None, 10) == []
            assert uow.licences.unwarned(30, TODAY, last, None, 10) == []
            assert uow.licences.cursor(30) == (last, "food_business", "d")
            assert uow.licences.cursor(7) is None
            assert _keys(uow.licences.unwarned(7, TODAY, last, None, 10)) == [
                "food_business|c",
                "food_business|a",
                "food_business|b",
                "food_business|d",
            ]
            # A later range starts at its first day, wherever the cursor is.
            assert _keys(uow.licences.unwarned(30, last, last + dt.timedelta(days=1), None, 10)) == ["food_business|e"]

    def test_a_claim_rolls_back(self, store: Store, city: City) -> None:
        last = TODAY + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            uow.licences.put(_licence(city, "a", 1))
            uow.commit()
        with store.unit_of_work() as uow:
            assert len(uow.licences.claim_unwarned(30, TODAY, last, None, 10)) == 1
            uow.rollback()
        with store.unit_of_work() as uow:
            assert uow.licences.cursor(30) is None
            assert _keys(uow.licences.claim_unwarned(30, TODAY, last, None, 10)) == ["food_business|a"]

    def test_a_licence_put_behind_a_cursor_is_noted_late(self, store: Store, city: City) -> None:
        last = TODAY + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            uow.licences.put(_licence(city, "m", 10))
            uow.licences.put(_licence(city, "kept", 5))
            uow.commit()
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.claim_unwarned(30, TODAY, last, None, 10)) == [
                "food_business|kept",
                "food_business|m",
            ]
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.claim_late(TODAY, 10) == []
            uow.licences.put(_licence(city, "kept", 5))  # the same expiry again: nothing new
            uow.licences.put(_licence(city, "late", 2))  # behind the cursor: late
            uow.licences.put(_licence(city, "ahead", 20))  # ahead of it: the range's
            uow.licences.put(_licence(city, "moved", 4))  # late, then renewed ahead: not late
            uow.licences.put(_licence(city, "moved", 25))
            uow.licences.put(_licence(city, "old", -3))  # expired: dropped
            uow.licences.put(_licence(city, "m", 1))  # moved back behind the cursor: late
            uow.commit()
        with store.unit_of_work() as uow:
            claimed = uow.licences.claim_late(TODAY, 1)
            assert _keys(claimed) == ["food_business|m"] and claimed[0] == _licence(city, "m", 1)
            uow.rollback()
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.claim_late(TODAY, 1)) == ["food_business|m"]
            assert _keys(uow.licences.claim_late(TODAY, 10)) == ["food_business|late"]
            assert uow.licences.claim_late(TODAY, 10) == []
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.claim_late(TODAY, 10) == []
            assert _keys(uow.licences.unwarned(30, TODAY, last, None, 10)) == [
                "food_business|ahead",
                "food_business|moved",
            ]

    def test_forgetting_late_notes_of_past_expiries(self, store: Store, city: City) -> None:
        with store.unit_of_work() as uow:
            uow.licences.put(_licence(city, "z", 40))
            assert len(uow.licences.claim_unwarned(30, TODAY, TODAY + dt.timedelta(days=40), None, 10)) == 1
            uow.commit()
        with store.unit_of_work() as uow:
            uow.licences.put(_licence(city, "old", -1))
            uow.licences.put(_licence(city, "kept", 0))
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.forget_warnings_before(TODAY) == 1
            assert uow.licences.forget_warnings_before(TODAY) == 0
            uow.commit()
        day = TODAY - dt.timedelta(days=1)
        with store.unit_of_work() as uow:
            # The expired licence's note is gone; the one of today is kept.
            assert _keys(uow.licences.claim_late(day, 10)) == ["food_business|kept"]

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
        sent = storm(2, lambda i: engines[i].sweep_licences(by=SYSTEM))
        # Each licence claimed by exactly one of the two sweeps, none left over.
        assert sum(sent) == count
        with store.unit_of_work() as uow:
            assert uow.licences.unwarned(30, TODAY, TODAY + dt.timedelta(days=30), None, 100) == []
            queued = expand_all(uow.outbox.pending(1000))
        digests = [n for n in queued if n.kind == "licence.expiring_digest"]
        listed = sorted(key for n in digests for key in n.data()["licences"].split(","))
        assert listed == sorted(f"food_business|C{i:02d}" for i in range(count))

    def test_a_licence_registered_after_the_sweep_is_warned_by_the_next(self, store: Store, city: City) -> None:
        engine = _sweeper(store, city, page=2)
        populate(engine, city)
        for i in range(5):
            engine.add_licence(_licence(city, f"R{i}", 5 + i * 5), by=SYSTEM)  # days 5..25
        assert engine.sweep_licences(by=SYSTEM) == 5
        # Registered after today's sweep, behind the 30-day cursor: 20 days (the 30-day
        # warning), 3 days (the 7-day one), 8 days (30 today; 7 tomorrow, from the range).
        engine.add_licence(_licence(city, "L20", 20), by=SYSTEM)
        engine.add_licence(_licence(city, "L3", 3), by=SYSTEM)
        engine.add_licence(_licence(city, "L8", 8), by=SYSTEM)
        engine.add_licence(_licence(city, "R1", 10), by=SYSTEM)  # the same expiry: not again
        assert engine.sweep_licences(by=SYSTEM) == 3
        assert engine.sweep_licences(by=SYSTEM) == 0
        tomorrow = Engine(store=store, policy=engine.policy, clock=FixedClock(NOW.add(days=1)), auto_deliver=False)
        # Tomorrow the 7-day range reaches day 8: L8's second warning, from the range.
        assert tomorrow.sweep_licences(by=SYSTEM) == 1
        with store.unit_of_work() as uow:
            queued = [n for n in expand_all(uow.outbox.pending(1000)) if n.kind == "licence.expiring"]
        leads = sorted((n.subject.split("|")[1], n.data()["lead_days"]) for n in queued)
        assert leads == [
            ("L20", "30"),
            ("L3", "7"),
            ("L8", "30"),
            ("L8", "7"),
            ("R0", "7"),
            ("R1", "30"),
            ("R2", "30"),
            ("R3", "30"),
            ("R4", "30"),
        ]

    def test_licences_registered_while_sweeping_are_each_warned_once(self, store: Store, city: City) -> None:
        sweeper = _sweeper(store, city, page=1)
        populate(sweeper, city)
        for i in range(10):
            sweeper.add_licence(_licence(city, f"S{i:02d}", i * 3), by=SYSTEM)
        registrar = _sweeper(store, city, page=1)

        def sweep_or_register(i: int) -> None:
            if i == 0:
                for _ in range(4):
                    sweeper.sweep_licences(by=SYSTEM)
            else:
                for n in range(20):
                    registrar.add_licence(_licence(city, f"T{n:02d}", (n * 7) % 30), by=SYSTEM)

        storm(2, sweep_or_register)
        sweeper.sweep_licences(by=SYSTEM)
        with store.unit_of_work() as uow:
            queued = [n for n in expand_all(uow.outbox.pending(1000)) if n.kind == "licence.expiring"]
        # Every licence warned exactly once today, for the shortest lead time reaching it.
        subjects = sorted(n.subject for n in queued)
        expected = sorted(
            [f"food_business|S{i:02d}" for i in range(10)] + [f"food_business|T{i:02d}" for i in range(20)]
        )
        assert subjects == expected
