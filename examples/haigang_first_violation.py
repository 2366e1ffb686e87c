"""Haigang: first violation, no penalty (首违不罚) — and X city's guidance-penalty-assistance loop.

Haigang district lists 286 items in 18 fields where a first violation, or a minor one, is
answered with guidance instead of a penalty. The ``haigang`` preset carries such a list
(a few entries keyed by the example city's item codes). Here one shop is found twice not
displaying its licence: the first time the market regulator gives guidance and may not
penalise (the engine refuses); four weeks later, within the 12-month period, it is no longer
a first violation: the department penalises it and then offers assistance. The loop —
guidance given, penalty, assistance offered — is read back from the records.

Run:  python examples/haigang_first_violation.py
"""

from __future__ import annotations

import pendulum

from jointinspect import (
    CollectingNotifier,
    Engine,
    FixedClock,
    IllegalTransition,
    MemoryKeyStore,
    PlanRequest,
    Principal,
)
from jointinspect.policy import preset
from jointinspect.sample import build_city, populate

START = pendulum.datetime(2026, 11, 2, 9, tz="Asia/Shanghai").in_timezone("UTC")
CIRCUMSTANCE = "未按规定公示,及时改正"


def main() -> None:
    """Two violations of one listed item, and the loop they leave in the records."""
    city = build_city(enterprises=3, departments=3)
    clock = FixedClock(START.subtract(days=10))
    notes = CollectingNotifier()
    engine = Engine(
        policy=preset("haigang"),
        clock=clock,
        keys=MemoryKeyStore.generated(),  # a real deployment loads its key (from_env, from_file)
        notifier=notes,
    )
    populate(engine, city)
    shop = next(e for e in city.enterprises if e.credit_class.value != "A")
    officer, inspector = Principal.officer("SCJG"), Principal.inspector("SCJG-I01", department="SCJG")

    def visit(start: pendulum.DateTime) -> str:
        clock.set(start.subtract(days=8))  # filed a week ahead
        request = PlanRequest(
            shop.credit_code, "SCJG", start, start.add(hours=3), items=["SCJG-02"], inspectors=["SCJG-I01", "SCJG-I02"]
        )
        inspection = engine.file_plan(request, by=officer).inspection
        assert inspection is not None
        code = engine.issue_inspection_code(inspection.id, by=Principal.system())
        gate = engine.issue_enterprise_code(shop.credit_code, by=Principal.system())
        clock.set(start.add(minutes=10))
        engine.check_in(code.token, shop.site, gate.token, by=inspector)
        return inspection.id

    first_visit = visit(START)
    first = engine.record_violation(first_visit, "SCJG-02", CIRCUMSTANCE, "营业执照未悬挂", by=inspector)
    engine.check_out(first_visit, by=inspector)
    print(f"first violation: guidance={first.result.guidance}")
    try:
        engine.record_loop_step(first.result.id, "penalty", "罚款", by=officer)
    except IllegalTransition as refused:
        print(f"penalty refused: {refused.code}")

    second_visit = visit(START.add(weeks=4))
    second = engine.record_violation(second_visit, "SCJG-02", CIRCUMSTANCE, "仍未悬挂", by=inspector)
    engine.check_out(second_visit, by=inspector)
    print(f"second violation within 12 months: guidance={second.result.guidance}")
    clock.set(clock.now().add(days=3))  # the penalty decision, then the assistance visit
    engine.record_loop_step(second.result.id, "penalty", "警告并罚款二千元", by=officer)
    clock.set(clock.now().add(days=7))
    engine.record_loop_step(second.result.id, "assistance", "上门讲解公示要求,协助建立台账", by=officer)

    for step in engine.enforcement_loop(shop.credit_code, by=Principal.supervisor()):
        print(f"loop: {step.stage.value} on {step.item} by {step.actor}")
    told = sorted({n.kind for n in notes.received.values() if n.recipient == shop.credit_code})
    print(f"notified the enterprise: {told}")


if __name__ == "__main__":
    main()
