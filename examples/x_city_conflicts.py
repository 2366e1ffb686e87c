"""X city: conflicting standards flagged before a joint visit.

Where volatile organic gases are produced, the environment bureau wants the windows closed
(to keep the gases in) and emergency management wants them open (against explosions). The
``x_city`` preset declares that conflict between their two items. When both departments'
plans for one factory merge into a joint visit, the engine flags it at once — before the
visit — to both departments and the justice bureau, and shows it on the inspection code the
factory scans; afterwards the resolution records which standard prevailed, and why.

Run:  python examples/x_city_conflicts.py
"""

from __future__ import annotations

import pendulum

from jointinspect import CollectingNotifier, Engine, FixedClock, MemoryKeyStore, PlanRequest, Principal
from jointinspect.policy import preset
from jointinspect.sample import build_city, populate

START = pendulum.datetime(2026, 11, 9, 9, tz="Asia/Shanghai").in_timezone("UTC")


def main() -> None:
    """A joint visit of the environment and emergency-management departments."""
    city = build_city(enterprises=3, departments=3)
    notes = CollectingNotifier()
    engine = Engine(
        policy=preset("x_city"),
        clock=FixedClock(START.subtract(days=8)),
        keys=MemoryKeyStore.generated(),  # a real deployment loads its key (from_env, from_file)
        notifier=notes,
    )
    populate(engine, city)
    factory = next(e for e in city.enterprises if e.credit_class.value != "A")
    inspection = None
    for department in ("STHJ", "YJGL"):
        request = PlanRequest(
            factory.credit_code,
            department,
            START,
            START.add(hours=4),
            items=[f"{department}-01"],
            inspectors=[f"{department}-I01", f"{department}-I02"],
        )
        inspection = engine.file_plan(request, by=Principal.officer(department)).inspection
    assert inspection is not None
    print(f"joint visit: {inspection.departments}, status {inspection.status.value}")
    (flag,) = engine.conflicts_of(inspection.id, by=Principal.enterprise(factory.credit_code))
    print(f"conflict flagged: {flag.items[0]} vs {flag.items[1]}: {flag.topic}")
    for note in notes.of_kind("conflict.flagged"):
        print(f"told {note.role.value} {note.recipient}")
    token = engine.issue_inspection_code(inspection.id, by=Principal.system()).token
    view = engine.describe_code(token, by=Principal.enterprise(factory.credit_code))
    print(f"on the code view: {len(view.conflicts)} conflict(s)")
    resolved = engine.resolve_conflict(
        flag.id, "YJGL-01", "防爆安全优先;废气经集气罩收集处理后排放", by=Principal.supervisor()
    )
    print(f"prevailed: {resolved.prevailing} ({resolved.reason})")


if __name__ == "__main__":
    main()
