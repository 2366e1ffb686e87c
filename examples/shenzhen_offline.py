"""Shenzhen: inspect first during an outage, fill the check-in in later (离线补录).

A gas leak at a plant during a network outage: the emergency-management bureau files an
emergency plan and its inspector goes at once. Offline, the inspector's phone scans the
enterprise code at the gate and records the time and position, signed with the device's
Ed25519 key (registered with the engine beforehand). Three days later, back online, the
record is filled in: accepted with its original time and position, flagged late to the
supervising office. A record changed after signing does not verify; one filled in after
the city's 10 natural days is refused with its own code.

Run:  python examples/shenzhen_offline.py
"""

from __future__ import annotations

import attrs
import pendulum
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointinspect import (
    CollectingNotifier,
    Engine,
    FixedClock,
    GeoPoint,
    JointInspectError,
    MemoryKeyStore,
    MemoryStore,
    OfflineRecord,
    PlanRequest,
    Principal,
    SignedOfflineRecord,
    preset,
    sign_offline,
)
from jointinspect.codes.offline import public_key_hex
from jointinspect.sample import build_city, populate

ZONE = "Asia/Shanghai"  # Shenzhen keeps Beijing time


def main() -> None:
    city = build_city(enterprises=3, departments=2)
    outage = pendulum.datetime(2026, 7, 14, 15, 20, tz=ZONE)
    clock = FixedClock(outage.subtract(minutes=30))
    notes = CollectingNotifier()
    engine = Engine(
        store=MemoryStore(), policy=preset("shenzhen"), clock=clock, keys=MemoryKeyStore.generated(), notifier=notes
    )
    populate(engine, city)
    plant = city.enterprises[0]
    phone = Ed25519PrivateKey.generate()  # stays on the device; only its public key is registered
    engine.register_device_key("YJGL-I01", public_key_hex(phone), by=Principal.officer("YJGL"))
    gate = engine.issue_enterprise_code(plant.credit_code, by=Principal.system()).token

    emergency = PlanRequest(
        plant.credit_code,
        "YJGL",
        outage.subtract(minutes=10),
        outage.add(hours=4),
        kind="emergency",
        items=["YJGL-01"],
        inspectors=["YJGL-I01", "YJGL-I02"],
        reason="燃气泄漏",
    )
    visit = engine.file_plan(emergency, by=Principal.officer("YJGL")).inspection
    assert visit is not None

    # Offline, on the phone: scan the gate, record, sign.
    record = OfflineRecord(visit.id, "YJGL-I01", outage, plant.site, gate, left_at=outage.add(minutes=47))
    signed = sign_offline(record, phone)
    print(f"signed offline record {signed.digest[:16]}... at {outage.format('MM-DD HH:mm')}")

    inspector = Principal.inspector("YJGL-I01", department="YJGL")
    clock.set(outage.add(days=3))
    moved = SignedOfflineRecord(
        attrs.evolve(record, position=GeoPoint(plant.site.lat, plant.site.lon + 0.01)), signed.signature
    )
    try:
        engine.check_in_offline(moved, by=inspector)
    except JointInspectError as refusal:
        print(f"a record moved after signing: refused ({refusal.code})")
    accepted = engine.check_in_offline(signed, by=inspector)
    minutes = int(accepted.duration.total_minutes()) if accepted.duration else 0
    print(
        f"filled in 3 days later: checked in {accepted.checked_in_at.in_timezone(ZONE).format('MM-DD HH:mm')}, "
        f"{accepted.distance_m:.0f} m from the site, {minutes} min on site"
    )
    print(f"supervisor told: {[n.kind for n in notes.of_kind('checkin.offline_late')]}")

    # Another visit's record, filled in on the 11th natural day: too late.
    second = engine.file_plan(
        attrs.evolve(emergency, start=outage.add(days=1), end=outage.add(days=1, hours=4)), by=Principal.officer("YJGL")
    ).inspection
    assert second is not None
    late = sign_offline(OfflineRecord(second.id, "YJGL-I01", outage.add(days=1, minutes=5), plant.site, gate), phone)
    clock.set(outage.add(days=12))
    try:
        engine.check_in_offline(late, by=inspector)
    except JointInspectError as refusal:
        print(f"filled in after 10 natural days: refused ({refusal.code})")
        print(f"  {refusal.message_zh}")


if __name__ == "__main__":
    main()
