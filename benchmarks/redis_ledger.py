"""Redis ledger benchmark: check-and-reserve latency against a raw ZCOUNT round trip.

Usage::

    .venv/bin/python benchmarks/redis_ledger.py               # throwaway local server
    .venv/bin/python benchmarks/redis_ledger.py --url redis://127.0.0.1:6379/0

Both measurements run on the same server, in the same run, interleaved (one ZCOUNT, one
check-and-reserve, ...), so machine noise hits both alike. The ledger uses the Wuhu
default rules (``jointinspect.policy.wuhu_rules``) for a routine visit, over 1,000
enterprises that already hold a few visits each. Target: median ratio at most 1.3x.
Then it measures pipelined bulk reservations (``check_and_reserve_many``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import pendulum
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for testsupport

from jointinspect_redis import RedisLedger

from jointinspect.model.plan import InspectionKind
from jointinspect.policy import wuhu_rules
from jointinspect.rules.frequency import Reservation, RuleCheck

T0 = pendulum.datetime(2025, 3, 3, 9, tz="UTC")
KINDS = [InspectionKind.ROUTINE, InspectionKind.RANDOM, InspectionKind.COMPLAINT]


def checks_for(kind: InspectionKind) -> list[RuleCheck]:
    return [
        RuleCheck(r.name, r.action, r.limit, r.scope, r.counts,
                  window=pendulum.duration(days=r.window_days or 0))
        for r in wuhu_rules()
        if kind in r.applies_to
    ]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="use this server instead of starting one")
    parser.add_argument("-n", type=int, default=3000, help="measured calls of each kind")
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--bulk", type=int, default=20000, help="visits in the bulk test")
    parser.add_argument("--batch", type=int, default=500, help="visits per pipeline")
    opts = parser.parse_args()

    server = None
    url = opts.url
    if url is None:
        from testsupport.servers import start_redis  # noqa: PLC0415 - only without --url

        server = start_redis()
        url = server.url
    client = redis.Redis.from_url(url)
    try:
        info = client.info("server")
        print(f"redis {info['redis_version']} at {url}; redis-py {redis.__version__}")
        prefix = f"bench{uuid.uuid4().hex[:8]}"
        ledger = RedisLedger(client, prefix=prefix)
        rng = random.Random(7)
        enterprises = [f"913402{i:012d}" for i in range(opts.enterprises)]
        # history: a few visits per enterprise over the last 60 days
        history = [
            (Reservation(f"h{e}-{j}", e, f"D{j}", ("i-1", "i-2"), rng.choice(KINDS),
                         T0.subtract(days=rng.randrange(60), hours=rng.randrange(24))),
             checks_for(InspectionKind.COMPLAINT))
            for e in enterprises for j in range(4)
        ]
        for i in range(0, len(history), 1000):
            ledger.check_and_reserve_many(history[i:i + 1000], T0)

        routine = checks_for(InspectionKind.ROUTINE)
        zset_keys = [f"{prefix}:{{{e}}}:at" for e in enterprises]
        lo, hi = T0.subtract(days=30).int_timestamp * 10**6, T0.add(days=30).int_timestamp * 10**6
        for _ in range(300):  # warm up connections and the script cache
            client.zcount(zset_keys[0], lo, hi)
        raw: list[float] = []
        ours: list[float] = []
        allowed = 0
        for k in range(opts.n):
            e = rng.randrange(len(enterprises))
            start = time.perf_counter()
            client.zcount(zset_keys[e], lo, hi)
            raw.append(time.perf_counter() - start)
            request = Reservation(f"n{k}", enterprises[e], "D-market", ("i-1", "i-2"),
                                  InspectionKind.ROUTINE, T0.add(days=rng.randrange(30)))
            start = time.perf_counter()
            decision = ledger.check_and_reserve(request, routine, T0)
            ours.append(time.perf_counter() - start)
            allowed += decision.allowed
        r_med, o_med = statistics.median(raw), statistics.median(ours)
        r_p99, o_p99 = pct(raw, 0.99), pct(ours, 0.99)
        print(f"calls: {opts.n} each, interleaved; {allowed} reserved, {opts.n - allowed} blocked")
        print(f"raw ZCOUNT          median {r_med * 1e6:8.1f} us   p99 {r_p99 * 1e6:8.1f} us")
        print(f"check_and_reserve   median {o_med * 1e6:8.1f} us   p99 {o_p99 * 1e6:8.1f} us")
        ratio = o_med / r_med
        verdict = "MET" if ratio <= 1.3 else "MISSED"
        print(f"ratio (median)      {ratio:.2f}x  target <= 1.30x: {verdict};"
              f"  p99 ratio {o_p99 / r_p99:.2f}x")

        bulk_ledger = RedisLedger(client, prefix=f"{prefix}b")
        bulk = [
            (Reservation(f"b{k}", enterprises[k % len(enterprises)], "D-market", ("i-1",),
                         InspectionKind.ROUTINE, T0.add(days=7 * (k // len(enterprises)))),
             routine)
            for k in range(opts.bulk)
        ]
        start = time.perf_counter()
        for i in range(0, len(bulk), opts.batch):
            bulk_ledger.check_and_reserve_many(bulk[i:i + opts.batch], T0)
        elapsed = time.perf_counter() - start
        print(f"bulk, pipelined     {opts.bulk} visits in {elapsed:.2f} s = "
              f"{opts.bulk / elapsed:,.0f} reservations/s (batches of {opts.batch})")
        start = time.perf_counter()
        seq = 2000
        seq_ledger = RedisLedger(client, prefix=f"{prefix}s")
        for request, checks in bulk[:seq]:
            seq_ledger.check_and_reserve(request, checks, T0)
        elapsed = time.perf_counter() - start
        print(f"bulk, one by one    {seq / elapsed:,.0f} reservations/s (for comparison)")
    finally:
        client.close()
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
