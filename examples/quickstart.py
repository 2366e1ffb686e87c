"""A realistic fortnight in a city, on the embedded default store (an SQLite file).

Eight departments and forty enterprises. Departments file plans a week ahead; plans for the
same enterprise in the same period merge into joint visits; a good-credit enterprise's plan
waits for the justice bureau; a second planned visit within 7 days is blocked and a
complaint-triggered one is warned; inspectors check in with signed QR codes (some are turned
away); findings open rectifications, one is fixed and accepted remotely, one goes overdue;
the enterprise rates a visit and complains about another. Every call names who makes it (a
`Principal`: a department's officer, an inspector, the enterprise, the justice bureau, the
platform itself); the engine refuses what that principal may not do. Everything printed comes
from the engine; the audit chain is verified at the end.

Run:  python examples/quickstart.py [--store URL]   (default: sqlite:///jointinspect-demo.db)
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import sys

import pendulum

from jointinspect import (
    CollectingNotifier,
    Engine,
    FixedClock,
    GeoPoint,
    JointInspectError,
    MemoryKeyStore,
    Outcome,
    PlanRequest,
    Principal,
    Role,
    open_store,
)
from jointinspect.policy import MatchingPolicy, Policy, wuhu_rules
from jointinspect.sample import build_city, populate

ZONE = "Asia/Shanghai"
DEFAULT_STORE = "sqlite:///jointinspect-demo.db"


def local(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    """An instant in November 2026, Shanghai time."""
    return pendulum.datetime(2026, 11, day, hour, minute, tz=ZONE)


def show(when: pendulum.DateTime) -> str:
    """Display an instant in the city's zone."""
    return when.in_timezone(ZONE).format("MM-DD HH:mm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=DEFAULT_STORE, help="store URL (memory:// or sqlite:///file.db ...)")
    args = parser.parse_args()
    if args.store == DEFAULT_STORE and os.path.exists("jointinspect-demo.db"):
        os.remove("jointinspect-demo.db")  # a fresh demo each run

    # Refusals are logged (logger "jointinspect.auth") with the principal who tried.
    logging.basicConfig(stream=sys.stdout, level=logging.WARNING, format="    log: %(name)s: %(message)s")
    store = open_store(args.store)  # SQLite files are created and migrated on first open
    city = build_city(enterprises=40, departments=8, inspectors_per_department=3)
    clock = FixedClock(local(9, 9))
    notes = CollectingNotifier()
    # Plans of one enterprise merge into one visit when their windows share at least two
    # hours: every department is visited inside the window it filed. Wuhu's frequency rules
    # then block a second planned visit within 7 days.
    policy = Policy(name="demo", matching=MatchingPolicy(min_common_hours=2), frequency=wuhu_rules())
    engine = Engine(
        store=store,
        policy=policy,
        clock=clock,
        notifier=notes,
        # A real deployment loads its key: MemoryKeyStore.from_env() or .from_file(path).
        keys=MemoryKeyStore.generated(),
    )
    populate(engine, city)  # reference data, registered by the platform itself
    # Who acts. A real platform maps its logged-in users to principals (docs/authorization.md).
    system = Principal.system()
    bureau = Principal.supervisor(user="justice-bureau")  # holds the "supervisor" approval role
    people = {p.id: Principal.inspector(p.id, department=p.department) for p in city.inspectors}
    dept_names = {d.code: d.name for d in city.departments}
    print(
        f"City: {len(city.departments)} departments, {len(city.inspectors)} inspectors, "
        f"{len(city.enterprises)} enterprises; store {args.store}"
    )

    ents = [e for e in city.enterprises if e.credit_class != "A"]
    whitelisted = [e for e in city.enterprises if e.credit_class == "A"]
    depts = [d.code for d in city.departments]
    stats: collections.Counter[str] = collections.Counter()

    def request(ent: int, dept: str, day: int, hour: int = 9, hours: int = 4, **kw: object) -> PlanRequest:
        team = [p.id for p in city.inspectors_of(dept)][:2]
        return PlanRequest(
            ents[ent].credit_code,
            dept,
            local(day, hour),
            local(day, hour + hours),
            items=[f"{dept}-01", f"{dept}-02"],
            inspectors=team,
            **kw,
        )  # type: ignore[arg-type]

    def file(req: PlanRequest, label: str = "") -> str | None:
        name = next(e.name for e in city.enterprises if e.credit_code == req.enterprise)
        try:
            out = engine.file_plan(req, by=Principal.officer(req.department))
        except JointInspectError as exc:
            stats[f"refused:{exc.code}"] += 1
            print(
                f"  ✗ {dept_names[req.department]} {req.kind:9} {name} {show(req.window.start)}: "
                f"{exc.code}: {exc.message_en}"
            )
            return None
        stats["filed"] += 1
        insp = out.inspection
        if insp is None:
            print(f"  … {dept_names[req.department]} {req.kind:9} {name}: awaiting approval by the justice bureau")
            return out.plan.id
        what = "joined" if out.merged else "new visit"
        lead = dept_names[insp.lead_department]
        joint = f" joint[{'+'.join(insp.departments)}] lead {lead}" if insp.joint else ""
        extra = f" warnings={[w.rule for w in out.warnings]}" if out.warnings else ""
        shared = f" shared records={len(out.shared_records)}" if out.shared_records else ""
        print(
            f"  ✓ {dept_names[req.department]} {req.kind:9} {name} {show(req.window.start)} → {what} "
            f"{insp.id[:8]}{joint}{extra}{shared} {label}"
        )
        return insp.id

    # --- Monday 9 November: filing week -------------------------------------------------
    print("\n== 11-09 Departments file plans for the week of 11-16 ==")
    visits: dict[int, str] = {}
    for ent in range(12):
        # Two or three departments converge on the same enterprise on the same day, with
        # overlapping windows: the visit takes place in their common time.
        day = 16 + ent % 5
        for k in range(2 + ent % 2):
            dept = depts[(ent + 3 * k) % len(depts)]
            got = file(request(ent, dept, day, hour=9 + k, hours=6))
            if got:
                visits[ent] = got
    print("  -- plans that break the rules:")
    file(request(12, "SCJG", 18))
    file(request(12, "YJGL", 22), "(4 days later: no common time, a second visit within 7 days)")
    file(request(12, "YJGL", 18, hour=11), "(re-filed into the open visit's window: joins)")
    file(request(13, "STHJ", 12), "(only 3 days' notice)")
    print("  -- a good-credit (whitelisted) enterprise:")
    wl = PlanRequest(
        whitelisted[0].credit_code,
        "XFJY",
        local(19, 9),
        local(19, 12),
        items=["XFJY-01"],
        inspectors=[p.id for p in city.inspectors_of("XFJY")][:2],
    )
    pending = file(wl)
    wl2 = PlanRequest(
        whitelisted[1].credit_code,
        "WSJK",
        local(20, 9),
        local(20, 12),
        items=["WSJK-01"],
        inspectors=[p.id for p in city.inspectors_of("WSJK")][:2],
    )
    refused = file(wl2)
    clock.set(local(10, 10))
    if pending:
        out = engine.approve_plan(pending, Role.SUPERVISOR, reason="fire-safety season, item needed", by=bureau)
        visit_id = out.inspection.id[:8] if out.inspection else "-"
        print(f"  ✓ justice bureau approves: plan now {out.status}, visit {visit_id}")
    if refused:
        out = engine.approve_plan(
            refused, Role.SUPERVISOR, approve=False, reason="credit A: no routine check", by=bureau
        )
        print(f"  ✗ justice bureau rejects the other: plan {out.status}")

    # --- Monday 16 November: visiting day -----------------------------------------------
    print("\n== 11-16 Inspectors check in with signed codes ==")
    today = [
        i
        for e in ents[:12]
        for i in engine.inspections_of(e.credit_code, by=system)
        if i.window.start.in_timezone(ZONE).day == 16 and i.status == "planned"
    ]
    checkins: collections.Counter[str] = collections.Counter()

    def check_in(insp_id: str, inspector: str, where: GeoPoint, gate: str | None, label: str) -> bool:
        try:
            visit = engine.check_in(codes[insp_id], where, gate, by=people[inspector])
        except JointInspectError as exc:
            checkins[exc.code] += 1
            print(f"  ✗ {inspector} {label}: {exc.code} — {exc.message_en}")
            return False
        checkins["accepted"] += 1
        print(
            f"  ✓ {inspector} {label}: checked in at {show(visit.checked_in_at)}, "
            f"{visit.distance_m:.0f} m from the gate"
        )
        return True

    codes = {i.id: engine.issue_inspection_code(i.id, by=Principal.officer(i.lead_department)).token for i in today}
    first = today[0]
    ent0 = next(e for e in city.enterprises if e.credit_code == first.enterprise)
    gate0 = engine.issue_enterprise_code(ent0.credit_code, by=system).token
    visited0 = Principal.enterprise(ent0.credit_code, user="legal-representative")
    view = engine.describe_code(codes[first.id], by=visited0)
    print(
        f"  enterprise {ent0.name} scans the inspection code: departments {[n for _, n in view.departments]}, "
        f"{len(view.items)} items, inspectors {[(p.name, p.certificate_no) for p in view.inspectors]}"
    )
    clock.set(first.window.start.add(minutes=10))
    for inspector in first.inspectors:
        check_in(first.id, inspector, GeoPoint(ent0.site.lat + 0.0004, ent0.site.lon), gate0, "at the gate")
    check_in(first.id, first.inspectors[0], ent0.site, gate0, "scans the same code again")
    stranger = next(p.id for p in city.inspectors if p.id not in first.inspectors)
    check_in(first.id, stranger, ent0.site, gate0, "(not on this inspection)")
    second = today[1]
    ent1 = next(e for e in city.enterprises if e.credit_code == second.enterprise)
    gate1 = engine.issue_enterprise_code(ent1.credit_code, by=system).token
    clock.set(second.window.start.add(minutes=5))
    far = GeoPoint(ent1.site.lat + 0.027, ent1.site.lon)
    check_in(second.id, second.inspectors[0], far, gate1, "3 km away (cloud check-in from the office)")
    check_in(second.id, second.inspectors[0], ent1.site, gate0, "with another enterprise's gate code")
    check_in(second.id, second.inspectors[0], ent1.site, None, "without scanning the gate code")
    check_in(second.id, second.inspectors[0], ent1.site, gate1, "at the gate")

    print("\n== Findings, check-out, rating ==")
    clock.set(first.window.start.add(minutes=30))
    rects = []
    for n, item in enumerate(first.items):
        inspector = next(p for p in first.inspectors if item.startswith(p.split("-I")[0]))
        outcome = Outcome.FAIL if n in (0, 3) else Outcome.PASS
        note = "消防通道堵塞" if outcome == "fail" else ""
        res = engine.record_result(first.id, item, outcome, note=note, by=people[inspector])
        engine.acknowledge_result(res.result.id, by=visited0)  # the enterprise's electronic signature
        line = f"  {item}: {outcome}"
        if res.rectification:
            rects.append(res.rectification)
            line += f" → rectification due {show(res.rectification.deadline)}" + (
                " (first violation: guidance, no penalty)" if res.rectification.guidance else ""
            )
        print(line)
    clock.set(first.window.start.add(minutes=57))
    for inspector in first.inspectors:
        visit = engine.check_out(first.id, by=people[inspector])
    assert visit.duration is not None
    status = engine.inspection(first.id, by=visited0).status
    print(f"  check-out after {visit.duration.in_minutes()} minutes; inspection {status}")
    engine.rate(first.id, 95, "规范、高效", by=visited0)
    print("  the enterprise rates the visit 95/100")
    engine.complain(second.id, "misconduct", "检查人员未出示执法证", by=Principal.enterprise(ent1.credit_code))
    print("  another enterprise complains about its visit → sent to the justice bureau")

    print("\n== Same day: more plans for enterprises visited today ==")
    clock.set(local(16, 15))
    file(
        PlanRequest(
            ent0.credit_code,
            "STHJ",
            local(16, 16),
            local(16, 18),
            kind="complaint",
            items=["STHJ-01"],
            inspectors=[p.id for p in city.inspectors_of("STHJ")][:2],
            reason="群众投诉夜间排污",
        ),
        "(complaint-triggered)",
    )
    item = first.items[0]
    dept = item.split("-")[0]
    other_ent = ents[20]
    file(
        PlanRequest(
            ent0.credit_code,
            dept,
            local(24, 9),
            local(24, 12),
            items=[item],
            inspectors=[p.id for p in city.inspectors_of(dept)][:2],
        ),
        "(same item as today: earlier record shown)",
    )
    print(f"  records of {other_ent.name} are never shown to plans for {ent0.name}")

    print("\n== Rectification: fixed, accepted remotely; the other goes overdue ==")
    clock.set(local(18, 10))
    fixed = engine.submit_rectification(rects[0].id, ["photo://after-1.jpg"], "通道已清理", by=visited0)
    fixed = engine.accept_rectification(fixed.id, mode="remote", by=Principal.officer(rects[0].department))
    print(f"  {rects[0].item}: {fixed.state} ({fixed.accepted_mode})")
    clock.set(pendulum.datetime(2026, 12, 2, 9, tz=ZONE))
    for r in engine.sweep_overdue(by=system):
        print(
            f"  {r.item}: {r.state} since {show(r.deadline)} → warning to {dept_names[r.department]} "
            "and the justice bureau"
        )

    print("\n== Summary ==")
    all_insp = [i for e in city.enterprises for i in engine.inspections_of(e.credit_code, by=system)]
    live = [i for i in all_insp if i.status != "superseded"]
    plans_in_visits = sum(len(i.plan_ids) for i in live)
    joint = [i for i in live if i.joint]
    print(
        f"  plans filed {stats['filed']}, refused {sum(v for k, v in stats.items() if k.startswith('refused'))} "
        f"({', '.join(f'{k[8:]}×{v}' for k, v in stats.items() if k.startswith('refused'))})"
    )
    print(
        f"  visits {len(live)} for {plans_in_visits} placed plans: "
        f"{plans_in_visits - len(live)} repeat visits avoided; "
        f"joint visits {len(joint)} ({100 * len(joint) / max(len(live), 1):.0f}% of visits)"
    )
    print(f"  check-ins: {dict(checkins)}")
    by_kind = collections.Counter(n.kind for n in notes.received.values())
    print(f"  notifications delivered: {dict(sorted(by_kind.items()))}")
    print(f"  audit chain verified: {engine.verify_audit(by=system)} entries")
    store.close()


if __name__ == "__main__":
    main()
