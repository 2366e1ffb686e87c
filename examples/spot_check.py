"""Random spot checks (双随机、一公开) in one county, and the checks a citizen can make.

The market regulation bureau (SCJG) draws its spring campaign from 60 enterprises by credit
class (the county's rule: A at most 5%, B 5-20%, C 21-60%, D 61-100%) and two of its own
certified inspectors per drawn enterprise, with recusal: one inspector declared a conflict
of interest, and nobody inspects the same enterprise twice in a row. The seed was announced
before the draw (here: a lottery number). The draw is published; the drawn pairs become
plans of kind random, filed, merged and coded like any other. Then an outsider who holds
only the published JSON recomputes the draw with the library and confirms it — and sees a
forged copy fail. Finally an enterprise declares a production peak as a quiet slot, and a
routine plan inside it is refused while a complaint-triggered one goes ahead.

Run:  python examples/spot_check.py [--store URL]   (default: memory://)
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json

import attrs
import pendulum

from jointinspect import (
    CreditClass,
    Engine,
    FixedClock,
    JointInspectError,
    MemoryKeyStore,
    PlanRequest,
    Principal,
    SpotCheckRequest,
    open_store,
    preset,
    verify_draw,
)
from jointinspect.rules.spot_check import to_public
from jointinspect.sample import build_city, populate

ZONE = "Asia/Shanghai"
#: The county's classes for this demo: 6 A, 30 B, 15 C, 9 D.
CLASSES = [CreditClass.A] * 6 + [CreditClass.B] * 30 + [CreditClass.C] * 15 + [CreditClass.D] * 9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="memory://", help="store URL (memory:// or sqlite:///file.db ...)")
    args = parser.parse_args()

    city = build_city(enterprises=60, departments=3, inspectors_per_department=6)
    city = attrs.evolve(
        city,
        enterprises=tuple(attrs.evolve(e, credit_class=c) for e, c in zip(city.enterprises, CLASSES, strict=True)),
    )
    clock = FixedClock(pendulum.datetime(2026, 3, 2, 9, tz=ZONE))
    policy = preset(
        "spot_county",
        quiet_slots={"max_slots_per_year": 2, "max_days_per_slot": 15, "max_days_per_year": 30},
    )
    engine = Engine(
        store=open_store(args.store),
        policy=policy,
        clock=clock,
        keys=MemoryKeyStore.generated(),
    )
    populate(engine, city)
    scjg = Principal.officer("SCJG")
    pool = [i.id for i in city.inspectors if i.department == "SCJG"]
    d_class = [e.credit_code for e in city.enterprises if e.credit_class is CreditClass.D]

    # 回避: an inspector declares a conflict of interest before the draw.
    engine.declare_conflict(pool[0], d_class[0], "配偶在该企业任职", by=Principal.inspector(pool[0], department="SCJG"))

    start = pendulum.datetime(2026, 3, 16, 9, tz=ZONE)
    request = SpotCheckRequest(
        campaign="2026-spring",
        department="SCJG",
        start=start,
        end=start.add(days=4, hours=8),
        items=["SCJG-01", "SCJG-02"],
        candidates=[e.credit_code for e in city.enterprises],
        inspectors=pool,
        shares={"A": 0.05, "B": 0.1, "C": 0.3, "D": 0.7},
        seed="lottery-2026-03-01-0739",
    )
    outcome = engine.draw_spot_check(request, by=scjg)
    drawn = outcome.record.draw
    per_class = collections.Counter(s.credit_class.value for s in drawn.selections)
    totals = collections.Counter(c.credit_class.value for c in drawn.input.candidates)
    print(f"campaign {outcome.record.campaign}: seed {drawn.input.seed}")
    for credit_class in "ABCD":
        print(f"  class {credit_class}: {per_class[credit_class]} of {totals[credit_class]} drawn")
    print(f"plans filed: {len(outcome.filings)}, refused: {len(outcome.refused)}")
    for selection, filed in list(zip(drawn.selections, outcome.filings, strict=False))[:3]:
        assert filed.inspection is not None
        code = engine.issue_inspection_code(filed.inspection.id, by=Principal.system())
        print(f"  {selection.enterprise} ({selection.credit_class.value}): {', '.join(selection.inspectors)}"
              f" -> {filed.plan.kind.value} plan, code ...{code.token[-10:]}")  # fmt: skip

    # 一公开: what is published is plain JSON; a citizen recomputes it with the library alone.
    published = json.dumps(to_public(drawn), ensure_ascii=False)
    print(f"published draw verifies: {verify_draw(json.loads(published))}")
    forged = json.loads(published)
    forged["selections"][0]["inspectors"] = [pool[-1], pool[-2]]
    print(f"a forged copy verifies: {verify_draw(forged)}")

    # A second campaign never sends the same inspector to the same enterprise again.
    again = engine.draw_spot_check(attrs.evolve(request, campaign="2026-autumn", seed="lottery-2026-09-01"), by=scjg)
    before = {s.enterprise: set(s.inspectors) for s in drawn.selections}
    repeats = sum(1 for s in again.record.draw.selections if before.get(s.enterprise, set()) & set(s.inspectors))
    print(f"autumn campaign: {len(again.record.draw.selections)} drawn, repeated pairs: {repeats}")

    # Quiet slots: an enterprise's production peak keeps routine visits away.
    ent = city.enterprises[1].credit_code
    slot = engine.declare_quiet_slot(
        ent, dt.date(2026, 4, 1), dt.date(2026, 4, 10), "春季生产高峰", by=Principal.enterprise(ent)
    )
    peak = pendulum.datetime(2026, 4, 3, 9, tz=ZONE)
    routine = PlanRequest(ent, "YJGL", peak, peak.add(hours=8), items=["YJGL-01"], inspectors=["YJGL-I01", "YJGL-I02"])
    try:
        engine.file_plan(routine, by=Principal.officer("YJGL"))
    except JointInspectError as refusal:
        print(f"routine plan in slot {slot.id[:8]}: refused ({refusal.code})")
    complaint = attrs.evolve(routine, kind="complaint", reason="举报")
    placed = engine.file_plan(complaint, by=Principal.officer("YJGL")).inspection is not None
    print(f"complaint-triggered plan: placed {placed}")


if __name__ == "__main__":
    main()
