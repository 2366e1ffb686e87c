"""Chengdu: the inefficient-inspection watch.

An inspector who inspects the same enterprise three times in a row within a year without
finding anything is stopped from a fourth until the supervising office records an
explanation (the ``chengdu`` preset: ``watch.consecutive = 3``, ``window_days = 365``).
The supervisor and the inspector's department are told when the third such visit ends.

Run:  python examples/chengdu_watch.py
"""

from __future__ import annotations

import pendulum

from jointinspect import (
    CollectingNotifier,
    Engine,
    FixedClock,
    InspectionWatchBlocked,
    MemoryKeyStore,
    Outcome,
    PlanRequest,
    Principal,
)
from jointinspect.policy import preset
from jointinspect.sample import build_city, populate

START = pendulum.datetime(2026, 3, 2, 9, tz="Asia/Chongqing").in_timezone("UTC")


def main() -> None:
    """Three no-finding visits, a refused fourth, an explanation, a fourth visit."""
    city = build_city(enterprises=3, departments=3)
    clock = FixedClock(START.subtract(days=10))
    notes = CollectingNotifier()
    engine = Engine(
        policy=preset("chengdu"),
        clock=clock,
        keys=MemoryKeyStore.generated(),  # a real deployment loads its key (from_env, from_file)
        notifier=notes,
    )
    populate(engine, city)
    shop = next(e for e in city.enterprises if e.credit_class.value != "A")
    inspector = Principal.inspector("SCJG-I01", department="SCJG")

    def check_in(day: int) -> str:
        start = START.add(days=day)
        clock.set(start.subtract(days=8))
        request = PlanRequest(
            shop.credit_code, "SCJG", start, start.add(hours=3), items=["SCJG-02"], inspectors=["SCJG-I01", "SCJG-I02"]
        )
        inspection = engine.file_plan(request, by=Principal.officer("SCJG")).inspection
        assert inspection is not None
        code = engine.issue_inspection_code(inspection.id, by=Principal.system())
        gate = engine.issue_enterprise_code(shop.credit_code, by=Principal.system())
        clock.set(start.add(minutes=10))
        engine.check_in(code.token, shop.site, gate.token, by=inspector)
        return inspection.id

    for day in (0, 45, 90):
        visit = check_in(day)
        engine.record_result(visit, "SCJG-02", Outcome.PASS, "未发现问题", by=inspector)
        engine.check_out(visit, by=inspector)
    for note in notes.of_kind("watch.blocked"):
        print(f"warned {note.role.value} {note.recipient}: {note.data()['count']} no-finding visits")
    try:
        check_in(135)
    except InspectionWatchBlocked as refused:
        print(f"fourth check-in refused: {refused.code}")
    engine.explain_watch("SCJG-I01", shop.credit_code, "季节性复查,企业合规", by=Principal.supervisor())
    fourth = check_in(140)
    print(f"after the explanation: checked in, inspection {engine.inspection(fourth, by=inspector).status.value}")


if __name__ == "__main__":
    main()
