"""Legal review of major decisions in Dezhou (重大执法决定法制审核).

A fine of 260,000 yuan is a major decision: the market regulator cannot issue it before its
legal office approves a review. The first review is returned (evidence incomplete), a second
is approved and the decision issued under it; the approval serves that one decision. A third
review lies unanswered past its deadline: the daily sweep warns the legal office and the
justice bureau, once.

Run:  python examples/dezhou_legal_review.py [--store URL]   (default: the memory store)
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
from jointinspect.model.penalty import yuan
from jointinspect.sample import build_city, populate

FINE = 26_000_000  # fen: 260,000.00 yuan, exactly


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a store URL (default: memory)")
    args = parser.parse_args()
    store = open_store(args.store, create=True) if args.store else MemoryStore()
    clock = FixedClock(pendulum.datetime(2026, 6, 1, 9, tz="Asia/Shanghai"))
    notes = CollectingNotifier()
    engine = Engine(store=store, policy=preset("dezhou"), clock=clock, notifier=notes)
    city = build_city(enterprises=4, departments=3)
    populate(engine, city)
    ent = city.enterprises[0].credit_code
    officer = Principal.officer("SCJG", user="li")
    legal = Principal.legal_office("SCJG", user="zhao")

    try:
        engine.issue_penalty(ent, "SCJG", "fine", "food", FINE, by=officer)
    except JointInspectError as refused:
        print(f"refused: {refused.code}: {refused.message_zh}")

    first = engine.request_legal_review(ent, "SCJG", "fine", "food", FINE, "无证生产食品,货值 8 万元", by=officer)
    returned = engine.decide_legal_review(first.id, False, "证据链不完整:缺少抽样检验报告", by=legal)
    print(f"review {first.id[:8]}: {returned.state.value} - {returned.reason}")

    second = engine.request_legal_review(ent, "SCJG", "fine", "food", FINE, "补充了检验报告", by=officer)
    clock.advance(days=2)
    engine.decide_legal_review(second.id, True, "事实清楚,证据确凿,适用依据正确", by=legal)
    penalty = engine.issue_penalty(ent, "SCJG", "fine", "food", FINE, by=officer, review_id=second.id)
    print(f"issued: {penalty.kind.value} of {yuan(penalty.fine_fen)} yuan under review {penalty.review_id[:8]}")
    try:
        engine.issue_penalty(ent, "SCJG", "fine", "food", FINE, by=officer, review_id=second.id)
    except JointInspectError as reused:
        print(f"the same approval again: {reused.code}")

    third = engine.request_legal_review(ent, "SCJG", "revocation", "food", 0, "吊销食品生产许可证", by=officer)
    clock.advance(days=engine.policy.legal_review.deadline_days, hours=1)
    system = Principal.system("daily-sweep")
    print(
        f"overdue sweep: {engine.sweep_legal_reviews(by=system)} warned; again: {engine.sweep_legal_reviews(by=system)}"
    )
    for note in notes.of_kind("legal_review.overdue"):
        print(f"  -> {note.role.value} {note.recipient}: review {note.subject[:8]} (of {third.id[:8]})")
    print(f"audit chain verified: {engine.verify_audit(by=system)} entries")
    store.close()


if __name__ == "__main__":
    main()
