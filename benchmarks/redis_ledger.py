"""Redis ledger benchmark: check-and-reserve latency against a raw ZCOUNT round trip.

Usage::

    .venv/bin/python benchmarks/redis_ledger.py               # throwaway local server
    .venv/bin/python benchmarks/redis_ledger.py --url redis://127.0.0.1:6379/0

Fairness: both sides use the same ``redis.Redis`` client (same connection pool), one round
trip per measured call, in the same run; after a warm-up the calls alternate one by one
(which goes first swaps every pair), so machine noise hits both alike. The raw side is
``ZCOUNT`` over the same enterprise's sorted set and the 30-day range around the visit.

The ledger side is ``RedisLedger.check_and_reserve`` for a routine visit under the Wuhu
default rules (``jointinspect.policy.wuhu_rules``: three checks apply to a routine visit),
with fresh but equal ``RuleCheck`` objects each call, as the Engine builds them. Three
ledgers are measured: *empty* (the enterprise has no visit), *typical* (4 visits within 30
days either side) and *busy* (40). Allowed reservations are released after the
measurement (not timed) so each scenario keeps its size. The issue's target: median ratio
at most 1.3x.

Also printed: server-side ``usec_per_call`` (``INFO commandstats``) of EVALSHA and ZCOUNT,
the adapter's Python time per call (encoding + decision, no I/O), and bulk throughput of
``check_and_reserve_many`` (pipelined) against one-by-one calls.

``--acknowledged N`` (issue 18) starts a throwaway primary with one loopback replica and
measures, interleaved in the same way, three calls on the typical scenario: raw ``ZCOUNT``,
``check_and_reserve`` without replica acknowledgement (``replicas=0``) and with it
(``replicas=1``: the script and ``WAIT 1`` in one pipeline). ``--only-acknowledged`` skips
everything else.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import attrs
import pendulum
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for testsupport

from jointinspect_redis import RedisLedger

from jointinspect.model.plan import InspectionKind
from jointinspect.policy import wuhu_rules
from jointinspect.rules.frequency import Reservation, RuleCheck

T0 = pendulum.datetime(2025, 3, 3, 9, tz="UTC")
HISTORY_KINDS = [InspectionKind.COMPLAINT, InspectionKind.REPORT, InspectionKind.ROUTINE]
SCENARIOS = {"empty": 0, "typical": 4, "busy": 40}
US_PER_DAY = 86_400 * 10**6


def checks_for(kind: InspectionKind) -> tuple[RuleCheck, ...]:
    """The Wuhu checks for a visit of ``kind``, built afresh (as the Engine does)."""
    return tuple(
        RuleCheck(r.name, r.action, r.limit, r.scope, r.counts, window=pendulum.duration(days=r.window_days or 0))
        for r in wuhu_rules()
        if kind in r.applies_to
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def commandstats(client: redis.Redis) -> dict[str, float]:
    stats = client.info("commandstats")
    return {
        name: stats[f"cmdstat_{name}"]["usec_per_call"] for name in ("evalsha", "zcount") if f"cmdstat_{name}" in stats
    }


def scenario(client: redis.Redis, name: str, visits: int, n: int, warmup: int, rng: random.Random) -> None:
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    ledger = RedisLedger(client, prefix=prefix)
    # history: `visits` per enterprise within 30 days either side of the new visits
    enterprises = [f"91340200{i:010d}" for i in range(max(1, min(n, 500)))]
    if visits:
        history = [
            (
                Reservation(
                    f"h{e}-{j}",
                    e,
                    f"D{j % 7}",
                    (f"i-{j % 5}", "i-9"),
                    rng.choice(HISTORY_KINDS),
                    T0.subtract(days=30).add(microseconds=rng.randrange(60 * US_PER_DAY)),
                ),
                (),
            )
            for e in enterprises
            for j in range(visits)
        ]
        for i in range(0, len(history), 1000):
            ledger.check_and_reserve_many(history[i : i + 1000], T0)
    routine_checks = [checks_for(InspectionKind.ROUTINE) for _ in range(n + warmup)]
    lo, hi = micros(T0.subtract(days=30)), micros(T0.add(days=30))
    raw: list[float] = []
    ours: list[float] = []
    amends: list[float] = []
    allowed = 0
    fresh = 0
    for k in range(n + warmup):
        if visits:
            e = enterprises[rng.randrange(len(enterprises))]
        else:
            e, fresh = f"91349900{fresh:010d}", fresh + 1  # a new, empty enterprise
        zkey = ledger._keys(e)[0]  # the raw side reads the same sorted set
        request = Reservation(
            f"n{k}",
            e,
            "D-market",
            ("i-1", "i-2"),
            InspectionKind.ROUTINE,
            T0.add(microseconds=rng.randrange(7 * US_PER_DAY)),
        )
        checks = routine_checks[k]
        if k == warmup:
            client.config_resetstat()
        for side in (0, 1) if k % 2 else (1, 0):
            if side == 0:
                start = time.perf_counter()
                client.zcount(zkey, lo, hi)
                elapsed_raw = time.perf_counter() - start
            else:
                start = time.perf_counter()
                decision = ledger.check_and_reserve(request, checks, T0)
                elapsed_ours = time.perf_counter() - start
        if decision.allowed:
            # The visit moves an hour (a plan joined it): amend re-checks it at the new instant.
            moved = attrs.evolve(request, at=request.at.add(hours=1), inspectors=("i-1", "i-2", "i-3"))
            start = time.perf_counter()
            ledger.amend(moved, checks, T0)
            if k >= warmup:
                amends.append(time.perf_counter() - start)
            ledger.release(request.id, e)  # keep the scenario's size (not timed)
        if k >= warmup:
            raw.append(elapsed_raw)
            ours.append(elapsed_ours)
            allowed += decision.allowed
    server = commandstats(client)
    # the adapter's own Python work per call, without the round trip
    python_us = python_cost(ledger, routine_checks[:2000])
    r_med, o_med = statistics.median(raw), statistics.median(ours)
    r_p99, o_p99 = pct(raw, 0.99), pct(ours, 0.99)
    ratio = o_med / r_med
    a_med = statistics.median(amends) if amends else float("nan")
    print(
        f"{name:8s} {visits:3d} | {r_med * 1e6:7.1f} {r_p99 * 1e6:7.1f} | "
        f"{o_med * 1e6:7.1f} {o_p99 * 1e6:7.1f} | {ratio:5.2f}x {o_p99 / r_p99:5.2f}x | "
        f"{server.get('zcount', 0):6.2f} {server.get('evalsha', 0):6.2f} | "
        f"{python_us:5.1f} | {allowed}/{n} {'MET' if ratio <= 1.3 else 'MISSED'} | "
        f"amend {a_med * 1e6:7.1f} {a_med / r_med:5.2f}x {'MET' if a_med / r_med <= 1.3 else 'MISSED'}"
    )


def micros(value: pendulum.DateTime) -> int:
    return int(value.timestamp()) * 10**6 + value.microsecond


def python_cost(ledger: RedisLedger, checks: list[tuple[RuleCheck, ...]]) -> float:
    """µs per call of encoding a request and building the decision from a plain reply."""
    requests = [
        Reservation(f"p{k}", "913402000000000001", "D-market", ("i-1", "i-2"), InspectionKind.ROUTINE, T0.add(hours=k))
        for k in range(len(checks))
    ]
    start = time.perf_counter()
    for request, c in zip(requests, checks, strict=True):
        prepared = ledger._prepare(request, c, T0)
        ledger._decide(prepared[0], c, [1])
    return (time.perf_counter() - start) / len(checks) * 1e6


def bulk(client: redis.Redis, total: int, batch: int, enterprises: int) -> None:
    routine = checks_for(InspectionKind.ROUTINE)
    ents = [f"91340300{i:010d}" for i in range(enterprises)]
    visits = [
        (
            Reservation(
                f"b{k}",
                ents[k % enterprises],
                "D-market",
                ("i-1",),
                InspectionKind.ROUTINE,
                T0.add(days=7 * (k // enterprises)),
            ),
            routine,
        )
        for k in range(total)
    ]
    ledger = RedisLedger(client, prefix=f"bench{uuid.uuid4().hex[:8]}")
    start = time.perf_counter()
    for i in range(0, total, batch):
        ledger.check_and_reserve_many(visits[i : i + batch], T0)
    piped = total / (time.perf_counter() - start)
    ledger = RedisLedger(client, prefix=f"bench{uuid.uuid4().hex[:8]}")
    seq = min(total, 5000)
    start = time.perf_counter()
    for request, checks in visits[:seq]:
        ledger.check_and_reserve(request, checks, T0)
    single = seq / (time.perf_counter() - start)
    print(
        f"bulk: pipelined {piped:,.0f} reservations/s (batches of {batch}); "
        f"one by one {single:,.0f}/s; {piped / single:.1f}x"
    )


def acknowledged(n: int, warmup: int, rng: random.Random) -> None:
    """Check-and-reserve with replica acknowledgement against without, and raw ZCOUNT."""
    from testsupport.replicas import start_redis_with_replica  # noqa: PLC0415 - only when asked

    pair = start_redis_with_replica()
    client = redis.Redis.from_url(pair.primary.url)
    try:
        prefix = f"bench{uuid.uuid4().hex[:8]}"
        plain = RedisLedger(client, prefix=prefix, replicas=0)
        waiting = RedisLedger(client, prefix=prefix, replicas=1)
        enterprises = [f"91340200{i:010d}" for i in range(500)]
        history = [
            (
                Reservation(
                    f"h{e}-{j}",
                    e,
                    f"D{j % 7}",
                    ("i-9",),
                    rng.choice(HISTORY_KINDS),
                    T0.subtract(days=30).add(microseconds=rng.randrange(60 * US_PER_DAY)),
                ),
                (),
            )
            for e in enterprises
            for j in range(SCENARIOS["typical"])
        ]
        plain.check_and_reserve_many(history, T0)
        lo, hi = micros(T0.subtract(days=30)), micros(T0.add(days=30))
        times: dict[str, list[float]] = {"zcount": [], "replicas=0": [], "replicas=1": []}
        order = list(times)
        for k in range(n + warmup):
            e = enterprises[rng.randrange(len(enterprises))]
            zkey = plain._keys(e)[0]
            checks = checks_for(InspectionKind.ROUTINE)
            rng.shuffle(order)  # which call goes first changes every round
            for side in order:
                request = Reservation(
                    f"a{k}-{side}", e, "D-market", ("i-1",), InspectionKind.ROUTINE,
                    T0.add(microseconds=rng.randrange(7 * US_PER_DAY)),
                )  # fmt: skip
                start = time.perf_counter()
                if side == "zcount":
                    client.zcount(zkey, lo, hi)
                    decision = None
                else:
                    decision = (waiting if side == "replicas=1" else plain).check_and_reserve(request, checks, T0)
                elapsed = time.perf_counter() - start
                if decision is not None and decision.allowed:
                    plain.release(request.id, e)  # keep the scenario's size (not timed)
                if k >= warmup:
                    times[side].append(elapsed)
        med = {side: statistics.median(values) * 1e6 for side, values in times.items()}
        p99 = {side: pct(values, 0.99) * 1e6 for side, values in times.items()}
        print(
            f"acknowledged {n} | ZCOUNT {med['zcount']:.1f} {p99['zcount']:.1f} | "
            f"replicas=0 {med['replicas=0']:.1f} {p99['replicas=0']:.1f} | "
            f"replicas=1 {med['replicas=1']:.1f} {p99['replicas=1']:.1f} | "
            f"ack/none {med['replicas=1'] / med['replicas=0']:.2f}x | "
            f"ack/ZCOUNT {med['replicas=1'] / med['zcount']:.2f}x (median us, p99 us)"
        )
    finally:
        client.close()
        pair.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="use this server instead of starting one")
    parser.add_argument("-n", type=int, default=5000, help="measured calls of each kind")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--scenario", choices=list(SCENARIOS), action="append")
    parser.add_argument("--bulk", type=int, default=20000, help="visits in the bulk test")
    parser.add_argument("--batch", type=int, default=500, help="visits per pipeline")
    parser.add_argument("--acknowledged", type=int, default=2000, help="calls of each kind with a replica (0: skip)")
    parser.add_argument("--only-acknowledged", action="store_true", help="only the replica-acknowledgement run")
    opts = parser.parse_args()
    if opts.only_acknowledged:
        acknowledged(opts.acknowledged or opts.n, opts.warmup, random.Random(7))
        return

    server = None
    url = opts.url
    if url is None:
        from testsupport.servers import start_redis  # noqa: PLC0415 - only without --url

        server = start_redis()
        url = server.url
    client = redis.Redis.from_url(url)
    try:
        info = client.info("server")
        print(
            f"redis {info['redis_version']} at {url}; redis-py {redis.__version__}; "
            f"{opts.n} calls of each kind per scenario, interleaved"
        )
        print(
            "scenario  in | ZCOUNT med   p99 | ledger med   p99 | ratio  p99r | "
            "srv us: ZCOUNT EVALSHA | py us | allowed | amend med ratio"
        )
        rng = random.Random(7)
        for name in opts.scenario or list(SCENARIOS):
            scenario(client, name, SCENARIOS[name], opts.n, opts.warmup, rng)
        if opts.bulk:
            bulk(client, opts.bulk, opts.batch, 1000)
        if opts.acknowledged:
            acknowledged(opts.acknowledged, opts.warmup, rng)
    finally:
        client.close()
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
