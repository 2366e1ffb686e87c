"""Contract cases for the ports of issue 12: spot-check draws and conflicts, quiet slots,
device keys and offline check-ins.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them; they use its ``store`` and ``city`` fixtures.
"""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from jointinspect.errors import IntegrityError
from jointinspect.model.offline import DeviceKey, OfflineCheckIn
from jointinspect.model.plan import Window
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.spot_check import Conflict, SpotCheckRecord
from jointinspect.ports import Store
from jointinspect.rules.spot_check import Candidate, ClassShare, DrawInput, PoolInspector, draw
from jointinspect.sample import City

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _record(city: City, rid: str, campaign: str, minutes: int, enterprises: int = 3) -> SpotCheckRecord:
    codes = [e.credit_code for e in city.enterprises[:enterprises]]
    spec = DrawInput(
        campaign=campaign,
        department="SCJG",
        seed=f"seed-{rid}",
        candidates=[Candidate(c, "D") for c in codes],
        inspectors=[PoolInspector(f"SCJG-I0{i}", "SCJG") for i in range(1, 6)],
        shares=[ClassShare("D", 1.0, 0.61, 1.0)],
    )
    return SpotCheckRecord(
        id=rid,
        campaign=campaign,
        department="SCJG",
        draw=draw(spec),
        items=["SCJG-01"],
        window=Window(T0.add(days=10), T0.add(days=20)),
        drawn_at=T0.add(minutes=minutes),
        drawn_by="officer:SCJG",
    )


class FieldworkContract:
    """The issue-12 port cases (mixed into `StoreContract`)."""

    def test_spot_check_draws_round_trip_once_per_campaign(self, store: Store, city: City) -> None:
        first, second = _record(city, "d1", "c1", 0), _record(city, "d2", "c2", 5, enterprises=2)
        with store.unit_of_work() as uow:
            uow.spot_checks.add(first)
            uow.spot_checks.add(second)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.spot_checks.get("d1") == first
            assert uow.spot_checks.by_campaign("SCJG", "c2") == second
            assert uow.spot_checks.by_campaign("YJGL", "c2") is None
            assert uow.spot_checks.get("nope") is None
            codes = [e.credit_code for e in city.enterprises[:4]]
            pairs = uow.spot_checks.last_pairs("SCJG", codes)
            # The latest draw selecting each enterprise: d2 for the first two, d1 for the third.
            latest = {s.enterprise: s.inspectors for s in first.draw.selections}
            latest.update({s.enterprise: s.inspectors for s in second.draw.selections})
            assert pairs == latest
            assert set(pairs) == set(codes[:3])
            assert uow.spot_checks.last_pairs("YJGL", codes) == {}
            assert uow.spot_checks.last_pairs("SCJG", []) == {}
        with store.unit_of_work() as uow, pytest.raises(IntegrityError):
            uow.spot_checks.add(_record(city, "d3", "c1", 9))  # the same campaign again
        with store.unit_of_work() as uow:
            uow.spot_checks.add(_record(city, "d4", "c4", 9))  # rolled back: never committed
        with store.unit_of_work() as uow:
            assert uow.spot_checks.get("d3") is None and uow.spot_checks.get("d4") is None
            assert uow.spot_checks.last_pairs("SCJG", codes) == latest

    def test_conflicts_are_declared_per_inspector_and_enterprise(self, store: Store, city: City) -> None:
        e1, e2 = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        conflicts = [
            Conflict("SCJG-I02", e2, "SCJG", "relative", T0),
            Conflict("SCJG-I01", e1, "SCJG", "former employee", T0),
            Conflict("SCJG-I02", e1, "SCJG", "shareholder", T0),
        ]
        with store.unit_of_work() as uow:
            for conflict in conflicts:
                uow.spot_checks.put_conflict(conflict)
            uow.commit()
        again = Conflict("SCJG-I01", e1, "SCJG", "former employee, declared again", T0.add(days=1))
        with store.unit_of_work() as uow:
            uow.spot_checks.put_conflict(again)
            uow.commit()
        with store.unit_of_work() as uow:
            ordered = sorted([again, *conflicts[::2]], key=lambda c: (c.inspector, c.enterprise))
            assert uow.spot_checks.conflicts_of(["SCJG-I02", "SCJG-I01", "SCJG-I09"]) == ordered
            assert uow.spot_checks.conflicts_of(["SCJG-I09"]) == []
            assert uow.spot_checks.conflicts_of([]) == []

    def test_quiet_slots_round_trip_by_start(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        late = QuietSlot("q1", ent, dt.date(2026, 9, 1), dt.date(2026, 9, 10), "peak", T0)
        early = QuietSlot("q2", ent, dt.date(2026, 5, 1), dt.date(2026, 5, 3), "旺季", T0)
        elsewhere = QuietSlot("q3", other, dt.date(2026, 5, 1), dt.date(2026, 5, 3), "", T0)
        with store.unit_of_work() as uow:
            for slot in (late, early, elsewhere):
                uow.quiet_slots.add(slot)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.quiet_slots.for_enterprise(ent) == [early, late]
            assert uow.quiet_slots.get("q3") == elsewhere
            with pytest.raises(IntegrityError):
                uow.quiet_slots.add(late)
        with store.unit_of_work() as uow:
            uow.quiet_slots.remove("q1")
            uow.quiet_slots.remove("absent")
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.quiet_slots.for_enterprise(ent) == [early]
            assert uow.quiet_slots.get("q1") is None

    def test_device_keys_and_offline_checkins(self, store: Store, city: City) -> None:
        key = DeviceKey("SCJG-I01", "ab" * 32, T0)
        record = OfflineCheckIn(
            id="f" * 64,
            visit_id="v1",
            inspection_id="i1",
            inspector="SCJG-I01",
            at=T0,
            position=city.enterprises[0].site,
            filled_at=T0.add(days=3),
            late=True,
            signature="00" * 64,
        )
        with store.unit_of_work() as uow:
            uow.offline.put_device_key(key)
            uow.offline.add(record)
            uow.commit()
        replaced = DeviceKey("SCJG-I01", "cd" * 32, T0.add(days=1))
        with store.unit_of_work() as uow:
            uow.offline.put_device_key(replaced)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.offline.get_device_key("SCJG-I01") == replaced
            assert uow.offline.get_device_key("SCJG-I02") is None
            assert uow.offline.get(record.id) == record
            assert uow.offline.get("e" * 64) is None
            with pytest.raises(IntegrityError):
                uow.offline.add(record)
