"""Offline check-ins (issue 12, Shenzhen): a record signed on the inspector's device is
filled in within 10 natural days with its original time and position, flagged late; after
the limit it is refused with its own code; a changed record does not verify."""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pendulum
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.codes.offline import OfflineRecord, SignedOfflineRecord, public_key_hex, sign_offline, verify_offline
from jointinspect.engine import Engine
from jointinspect.errors import CheckInRejected, JointInspectError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionStatus
from jointinspect.model.reference import GeoPoint
from jointinspect.policy import preset
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import snapshot
from jointinspect.testing.principals import SYSTEM, inspector, officer

ZONE = "Asia/Shanghai"
#: Monday 2 March 2026, 10:00 in Shanghai: the outage.
AT = pendulum.datetime(2026, 3, 2, 10, tz=ZONE).in_timezone("UTC")
CITY = build_city(enterprises=2, departments=2)
ENT = CITY.enterprises[0]
DEVICE = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


class Scene:
    """An emergency inspection of ENT, SCJG-I01's device key registered, the clock at AT."""

    def __init__(self, name: str = "shenzhen", **policy: Any) -> None:
        counter = itertools.count()
        self.clock = FixedClock(AT.subtract(hours=1))
        self.notes = CollectingNotifier()
        self.engine = Engine(
            store=MemoryStore(),
            policy=preset(name, **policy),
            clock=self.clock,
            notifier=self.notes,
            keys=MemoryKeyStore.from_seed(b"offline-checkin-tests-seed-32byt"),
            ids=lambda: f"id{next(counter):04d}",
        )
        populate(self.engine, CITY)
        self.engine.register_device_key("SCJG-I01", public_key_hex(DEVICE), by=officer("SCJG"))
        # An emergency cannot be planned: filed an hour ahead, inspected at once.
        out = self.engine.file_plan(
            PlanRequest(
                ENT.credit_code,
                "SCJG",
                AT.subtract(minutes=30),
                AT.add(hours=4),
                kind="emergency",
                items=["SCJG-01"],
                inspectors=["SCJG-I01", "SCJG-I02"],
                reason="燃气泄漏",
            ),
            by=officer("SCJG"),
        )
        assert out.inspection is not None
        self.inspection = out.inspection.id
        self.gate = self.engine.issue_enterprise_code(ENT.credit_code, by=SYSTEM).token

    def record(self, **changes: Any) -> SignedOfflineRecord:
        fields: dict[str, Any] = {
            "inspection_id": self.inspection,
            "inspector": "SCJG-I01",
            "at": AT,
            "position": ENT.site,
            "enterprise_code": self.gate,
        }
        fields.update(changes)
        return sign_offline(OfflineRecord(**fields), DEVICE)

    def refused(self, signed: SignedOfflineRecord, code: str, error: type[JointInspectError] = CheckInRejected) -> None:
        before = snapshot(self.engine.store, CITY)
        with pytest.raises(error) as caught:
            self.engine.check_in_offline(signed, by=inspector("SCJG-I01"))
        assert caught.value.code == code
        assert snapshot(self.engine.store, CITY) == before


def test_filled_in_within_ten_days_keeps_the_original_time_and_position() -> None:
    scene = Scene()
    signed = scene.record(left_at=AT.add(minutes=47))
    scene.clock.set(pendulum.datetime(2026, 3, 12, 23, 30, tz=ZONE))  # 10 natural days later
    visit = scene.engine.check_in_offline(signed, by=inspector("SCJG-I01"))
    assert (visit.checked_in_at, visit.position, visit.scanned) == (AT, ENT.site, True)
    assert visit.duration == pendulum.duration(minutes=47)
    with scene.engine.store.unit_of_work() as uow:
        stored = uow.offline.get(signed.digest)
    assert stored is not None and stored.late and stored.visit_id == visit.id
    (note,) = scene.notes.of_kind("checkin.offline_late")
    assert note.data()["at"] == AT.isoformat()
    inspection = scene.engine.inspection(scene.inspection, by=SYSTEM)
    assert inspection.status is InspectionStatus.COMPLETED  # the only inspector has left
    with scene.engine.store.unit_of_work() as uow:
        actions = [e.record.action for e in uow.audit.entries()]
    assert "visit.checked_in_offline" in actions and "inspection.completed" in actions
    # Filled in once: the same record again is refused.
    scene.refused(signed, "checkin.offline_duplicate")


def test_after_the_limit_the_record_is_refused_with_its_own_code() -> None:
    scene = Scene()
    signed = scene.record()
    scene.clock.set(pendulum.datetime(2026, 3, 13, 0, 5, tz=ZONE))  # the 11th natural day
    scene.refused(signed, "checkin.offline_expired")
    with pytest.raises(CheckInRejected) as caught:
        scene.engine.check_in_offline(signed, by=inspector("SCJG-I01"))
    assert "10" in caught.value.message_en and "补录" in caught.value.message_zh


def test_a_changed_record_does_not_verify() -> None:
    scene = Scene()
    signed = scene.record()
    moved = SignedOfflineRecord(
        attrs.evolve(signed.record, position=GeoPoint(ENT.site.lat + 0.001, ENT.site.lon)), signed.signature
    )
    earlier = SignedOfflineRecord(attrs.evolve(signed.record, at=AT.subtract(minutes=5)), signed.signature)
    public = DEVICE.public_key()
    assert verify_offline(signed, public) and not verify_offline(moved, public) and not verify_offline(earlier, public)
    scene.clock.set(AT.add(days=1))
    scene.refused(moved, "checkin.offline_signature")
    scene.refused(earlier, "checkin.offline_signature")
    other_device = sign_offline(signed.record, Ed25519PrivateKey.generate())
    scene.refused(other_device, "checkin.offline_signature")


def test_presence_is_checked_at_the_recorded_time_and_place() -> None:
    scene = Scene()
    scene.clock.set(AT.add(days=1))
    far = GeoPoint(ENT.site.lat + 0.1, ENT.site.lon)
    scene.refused(scene.record(position=far), "checkin.outside_geofence")
    scene.refused(scene.record(at=AT.add(hours=6)), "checkin.outside_window")
    scene.refused(scene.record(at=AT.add(days=2)), "checkin.offline_future")
    scene.refused(scene.record(enterprise_code=None), "checkin.scan_required")
    scene.refused(scene.record(inspector="SCJG-I02"), "auth.not_themself", JointInspectError)


def test_no_key_and_no_policy_refuse() -> None:
    scene = Scene()
    scene.clock.set(AT.add(days=1))
    signed = sign_offline(OfflineRecord(scene.inspection, "SCJG-I02", AT, ENT.site, scene.gate), DEVICE)
    before = snapshot(scene.engine.store, CITY)
    with pytest.raises(CheckInRejected) as caught:
        scene.engine.check_in_offline(signed, by=inspector("SCJG-I02"))
    assert caught.value.code == "checkin.offline_no_key"
    assert snapshot(scene.engine.store, CITY) == before
    plain = Scene("wuhu")  # no fill-in days: offline check-ins are not accepted
    plain.clock.set(AT.add(hours=2))
    plain.refused(plain.record(), "checkin.offline_not_allowed")
    with pytest.raises(ValidationError):
        scene.engine.register_device_key("SCJG-I01", "not-a-key", by=SYSTEM)
