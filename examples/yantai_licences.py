"""Yantai's licence expiry prewarning (许可证到期预警), on the memory store or any store.

A few hundred licences of the example city's enterprises, issued by its departments, expire
over the coming months. Every morning the platform runs the sweep: each licence is warned a
month ahead (Yantai's lead time), to its holder and to the issuing department, once. A second
run the same morning sends nothing; renewing a licence re-arms its warning. The warnings are
printed as the enterprise reads them (Chinese) and as an English-speaking integrator does.

Run:  python examples/yantai_licences.py [--store URL]   (default: the memory store)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

import attrs
import pendulum

from jointinspect import CollectingNotifier, Engine, FixedClock, MemoryStore, Principal, open_store, preset
from jointinspect.model.licence import Licence
from jointinspect.notices import names_from_store, render
from jointinspect.sample import build_city, populate

KINDS = ("food_business", "drug_retail", "special_equipment_use", "public_hygiene")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a store URL (default: memory)")
    args = parser.parse_args()
    store = open_store(args.store, create=True) if args.store else MemoryStore()
    # 02:00 on 1 March 2026 in Yantai (UTC+8): the scheduler's daily run.
    clock = FixedClock(pendulum.datetime(2026, 3, 1, 2, tz="Asia/Shanghai"))
    notes = CollectingNotifier()
    engine = Engine(store=store, policy=preset("yantai"), clock=clock, notifier=notes)
    city = build_city(enterprises=40, departments=6)
    populate(engine, city)
    system = Principal.system("licence-registry")

    rng = random.Random(12)
    today = dt.date(2026, 3, 1)
    licences = [
        Licence(
            KINDS[i % len(KINDS)],
            f"YT{i:05d}",
            rng.choice(city.enterprises).credit_code,
            rng.choice(city.departments).code,
            today + dt.timedelta(days=rng.randrange(0, 180)),
        )
        for i in range(300)
    ]
    for licence in licences:
        engine.add_licence(licence, by=system)
    print(f"{len(licences)} licences registered; lead time {engine.policy.licences.lead_days[0]} days")

    sweeper = Principal.system("daily-sweep")
    for _ in range(5):
        warned = engine.sweep_licences(by=sweeper)
        again = engine.sweep_licences(by=sweeper)
        print(f"{clock.now().in_timezone('Asia/Shanghai').date()}: {warned} licences warned, re-run: {again}")
        clock.advance(days=1)

    first = notes.of_kind("licence.expiring")[0]
    names = names_from_store(store)
    print("\nOne warning, as the enterprise reads it:\n" + render(first, "zh", names=names).short)
    print("\nand in English:\n" + render(first, "en", names=names).short)
    digest = notes.of_kind("licence.expiring_digest")[0]
    print("\nThe issuing department's digest of a sweep page:\n" + render(digest, "zh", names=names).short)

    # A licence renewed for three years is not warned again before its new expiry nears.
    renewed = next(lic for lic in licences if lic.key == first.subject)
    engine.add_licence(attrs.evolve(renewed, expires_on=renewed.expires_on.replace(year=2029)), by=system)
    before = len(notes.received)
    engine.sweep_licences(by=sweeper)
    again = [n for n in list(notes.received.values())[before:] if n.subject == renewed.key]
    print(f"\n{renewed.key} renewed to 2029: warned again today? {'yes' if again else 'no'}")
    print(f"audit chain verified: {engine.verify_audit(by=sweeper)} entries")
    store.close()


if __name__ == "__main__":
    main()
