"""Run every benchmark against its baseline, print the table, write docs/performance.md.

Usage::

    .venv/bin/python benchmarks/run.py            # default sizes, < 10 min on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # smoke run, < 1 min
    .venv/bin/python benchmarks/run.py --full     # adds 10M plans and the whole city year
    .venv/bin/python benchmarks/run.py --pg-url postgresql://... --redis-url redis://...

Servers: without ``--pg-url`` / ``--redis-url`` throwaway PostgreSQL and Redis servers are
started with ``testsupport.servers`` (and removed afterwards); when their binaries are
missing the measurements that need them are reported as not measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks.*, testsupport.*

from benchmarks.measurements import (
    m1_batch_vs_postgres,
    m2_scaling,
    m3_filing,
    m4_checkin,
    m5_acknowledged,
    m5_frequency,
    m6_city_year,
)
from benchmarks.measurements_scale import m7_history, m8_growth, m9_bulk, m10_licences, m11_simulator
from benchmarks.performance_doc import plot, table, write_docs
from benchmarks.report import ROOT, Report
from benchmarks.servers import servers


def main() -> None:
    """Parse the options, run the chosen measurements against their servers, print the table and
    (unless ``--no-docs``) rewrite docs/performance.md and its plot."""
    parser = argparse.ArgumentParser(description="jointinspect benchmarks against their baselines")
    parser.add_argument("--quick", action="store_true", help="smoke run (< 1 min)")
    parser.add_argument("--full", action="store_true", help="include 10M plans and the whole city year")
    parser.add_argument("--batch-plans", type=int, help="plans in measurement 1 (default 1,000,000)")
    parser.add_argument("--sizes", help="comma-separated scaling sizes (default 10k,100k,1M)")
    parser.add_argument("--filing-every", type=int, help="file plans of 1 enterprise in N (default 50)")
    parser.add_argument("--city-every", type=int, help="city year on SQLite for 1 enterprise in N (default 10)")
    parser.add_argument("--checkin", type=int, help="tokens in measurement 4 (default 3000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--only", help="comma-separated measurement numbers to run (1-11)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args()
    args.argv = sys.argv[1:]
    quick, full = args.quick, args.full
    batch_n = args.batch_plans or (100_000 if quick else 1_000_000)
    sizes = (
        [int(float(s)) for s in args.sizes.split(",")]
        if args.sizes
        else [10_000, 100_000]
        if quick
        else [10_000, 100_000, 1_000_000] + ([10_000_000] if full else [])
    )
    filing_every = args.filing_every or (500 if quick else 50)
    city_every = args.city_every or (200 if quick else 1 if full else 10)
    n_checkin = args.checkin or (500 if quick else 3000)
    repeat = 1 if quick else args.repeat
    only = {int(x) for x in args.only.split(",")} if args.only else set(range(1, 12))

    report = Report()
    t0 = time.perf_counter()
    with servers(args.pg_url, args.redis_url, report) as (pg_url, redis_url):
        if 1 in only:
            m1_batch_vs_postgres(report, batch_n, pg_url, repeat)
        if 2 in only:
            m2_scaling(report, sizes, repeat)
        if 3 in only:
            m3_filing(report, filing_every, pg_url, redis_url)
        if 4 in only:
            m4_checkin(report, n_checkin)
        if 5 in only:
            m5_frequency(report, redis_url, pg_url, quick)
            m5_acknowledged(report, quick)
        if 6 in only:
            m6_city_year(report, city_every)
        if 7 in only:
            m7_history(report, pg_url, quick, None if args.no_docs else ROOT / "docs" / "img" / "history.png")
        if 8 in only:
            m8_growth(report, pg_url, quick)
        if 9 in only:
            m9_bulk(report, pg_url, quick)
        if 10 in only:
            m10_licences(report, pg_url, quick)
        if 11 in only:
            m11_simulator(report, quick, full)
    seconds = time.perf_counter() - t0
    print("\n" + table(report))
    for n in report.notes:
        print("note:", n)
    print(f"\ntotal {seconds / 60:.1f} min")
    if not args.no_docs:
        plotted = plot(report, ROOT / "docs" / "img" / "performance.png")
        write_docs(report, args, seconds, plotted)
        print("wrote docs/performance.md" + (" and docs/img/performance.png" if plotted else ""))


if __name__ == "__main__":
    main()
