"""Credit repair in Anhui (信用修复), seen from Wuhu: penalties publicised, then repaired.

The market regulator penalises three enterprises: an admonition (警告), an admonition in the
food field, and a fine with a rectification. Six months later the daily sweep repairs the
first admonition automatically; the food one waits a year. The fined enterprise applies for
repair once its rectification is accepted; the department rejects the first application
with a reason and approves the second. The enterprise's credit view changes at each step.

Run:  python examples/wuhu_credit_repair.py [--store URL]   (default: the memory store)
"""

from __future__ import annotations

import argparse

import pendulum

from jointinspect import (
    CollectingNotifier,
    Engine,
    FixedClock,
    JointInspectError,
    MemoryStore,
    Principal,
    open_store,
    preset,
)
from jointinspect.sample import build_city, populate


def show(engine: Engine, credit_code: str, name: str) -> None:
    view = engine.credit_view(credit_code, by=Principal.system())
    public = ", ".join(f"{p.kind.value}/{p.field}" for p in view.public) or "none"
    print(f"  {name}: publicised {public}; repaired {len(view.repaired)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a store URL (default: memory)")
    args = parser.parse_args()
    store = open_store(args.store, create=True) if args.store else MemoryStore()
    clock = FixedClock(pendulum.datetime(2026, 1, 10, 9, tz="Asia/Shanghai"))
    notes = CollectingNotifier()
    engine = Engine(store=store, policy=preset("anhui"), clock=clock, notifier=notes)
    city = build_city(enterprises=6, departments=3)
    populate(engine, city)
    a, b, c = (e.credit_code for e in city.enterprises[:3])
    scjg = Principal.officer("SCJG", user="wang")

    engine.issue_penalty(a, "SCJG", "admonition", "general", by=scjg)
    engine.issue_penalty(b, "SCJG", "admonition", "food", by=scjg)
    fine = engine.issue_penalty(c, "SCJG", "fine", "general", 2_000_000, by=scjg)  # 20,000.00 yuan
    print("January 2026, three penalties decided:")
    for code, name in ((a, "A"), (b, "B"), (c, "C")):
        show(engine, code, name)

    clock.set(pendulum.datetime(2026, 7, 10, 9, tz="Asia/Shanghai"))
    print(f"\nJuly 2026: the sweep repairs {engine.sweep_credit_repair(by=Principal.system())} admonition(s)")
    for code, name in ((a, "A"), (b, "B")):
        show(engine, code, name)
    try:
        engine.apply_credit_repair(fine.id, "fine paid", by=Principal.enterprise(c))
        print("  C applied for repair of its fine")
    except JointInspectError as refused:
        print(f"  C cannot apply: {refused.message_en}")

    decided = engine.decide_credit_repair(fine.id, False, "receipt of payment missing", by=scjg)
    print(f"  department: {decided.state.value} ({decided.note})")
    engine.apply_credit_repair(fine.id, "payment receipt attached", by=Principal.enterprise(c))
    engine.decide_credit_repair(fine.id, True, by=scjg)
    show(engine, c, "C")

    clock.set(pendulum.datetime(2027, 1, 10, 9, tz="Asia/Shanghai"))
    print(f"\nJanuary 2027: the sweep repairs {engine.sweep_credit_repair(by=Principal.system())} (food: a year)")
    show(engine, b, "B")
    kinds = sorted({n.kind for n in notes.received.values()})
    print(f"\nnotifications sent: {len(notes.received)} of kinds {', '.join(kinds)}")
    print(f"audit chain verified: {engine.verify_audit(by=Principal.system())} entries")
    store.close()


if __name__ == "__main__":
    main()
