"""Measurements 1 to 6: batch matching against PostgreSQL, scaling, filing, check-in,
the frequency ledgers and the city year; each adds its rows to the report."""

from __future__ import annotations

import contextlib
import gc
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np

from benchmarks import checkin, city_year, matching
from benchmarks.filing import count_visits, file_plans, filing_order, register
from benchmarks.report import ROOT, Report, fmt_s
from benchmarks.servers import fresh_pg_database
from benchmarks.workload import CityShape, Progress, generate, province

# --------------------------------------------------------------------------- measurements


def m1_batch_vs_postgres(report: Report, n: int, pg_url: str | None, repeat: int) -> None:
    """Measurement 1: batch matching of ``n`` plans in process against PostgreSQL's query."""
    print(
        f"\n[1] batch matching of {n:,} plans: in-process (numpy and pure paths) vs PostgreSQL window functions",
        flush=True,
    )
    w = province(n)
    runs = {path: matching.run_in_process(w, repeat=repeat, memory=False, path=path) for path in matching.PATHS}
    fast, pure = runs["numpy"], runs["pure"]
    same_paths = bool(np.array_equal(fast.groups, pure.groups))
    # The physical limit (issue 8): a bare argsort of the same end instants.
    ends = np.asarray(w.end, dtype=np.int64)
    argsort_runs = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        np.argsort(ends)
        argsort_runs.append(time.perf_counter() - t0)
    bare = min(argsort_runs)
    report.add(
        f"batch match {n:,} plans, numpy path vs a bare numpy argsort of the end instants",
        fmt_s(fast.seconds),
        f"np.argsort {fmt_s(bare)}",
        fast.seconds / bare,
        "<= 3x",
        fast.seconds / bare <= 3.0,
    )
    del ends
    if pg_url is None:
        for path, ip in runs.items():
            report.add(f"batch match {n:,} plans, {path} path", fmt_s(ip.seconds), "PostgreSQL: not measured")
        return
    pg = matching.run_postgres(pg_url, w, repeat=repeat)
    report.extra["pg_version"] = pg.version
    for path, ip in runs.items():
        same = matching.same_partition(ip.groups, pg.groups_canonical)
        groups = int(ip.groups.max()) + 1
        ratio = ip.seconds / pg.seconds
        headline = path == "numpy"
        # The target is the numpy path's; the pure path (the core without numpy) is shown for reference.
        report.add(
            f"batch match {n:,} plans, {path} path (best of {repeat})",
            fmt_s(ip.seconds),
            f"PostgreSQL {fmt_s(pg.seconds)} (query + fetch)",
            ratio,
            "<= 0.1x" if headline else "reference (no numpy)",
            (ratio <= 0.1) if headline else None,
        )
        report.add(
            f"  {path} path: same partition as PostgreSQL",
            f"{'identical' if same else 'DIFFERENT'} ({groups:,} groups)",
            f"PG stored with CREATE TABLE AS: {fmt_s(pg.stored_seconds)}",
            ip.seconds / pg.stored_seconds,
            "identical",
            same,
        )
    report.add(
        "  numpy path numbers = pure path numbers",
        "identical" if same_paths else "DIFFERENT",
        "",
        None,
        "identical",
        same_paths,
    )
    report.extra["pg_load"] = f"COPY + ANALYZE of {n:,} rows: {fmt_s(pg.load_seconds)}"
    report.extra["m1_runs"] = "; ".join(
        [f"{path} path runs {', '.join(f'{x:.3f}' for x in ip.runs)} s" for path, ip in runs.items()]
        + [f"PostgreSQL runs {', '.join(f'{x:.3f}' for x in pg.runs)} s"]
    )
    del w, runs, fast, pure, pg
    gc.collect()


def m2_scaling(report: Report, sizes: list[int], repeat: int) -> None:
    """Measurement 2: batch matching's time and peak memory per plan as the plans grow, per path."""
    print(f"\n[2] scaling of batch matching: {', '.join(f'{s:,}' for s in sizes)} plans", flush=True)
    times: dict[tuple[str, int], float] = {}
    for n in sizes:
        w = province(n)
        for path in matching.PATHS:
            ip = matching.run_in_process(w, repeat=repeat if n <= 1_000_000 else 1, memory=True, path=path)
            times[path, n] = ip.seconds
            bpp = ip.bytes_per_plan or 0.0
            report.scaling.append((path, n, ip.seconds, bpp))
            report.add(
                f"batch match {n:,} plans, {path} path",
                f"{fmt_s(ip.seconds)}, {ip.seconds / n * 1e9:.0f} ns/plan, peak {bpp:.0f} B/plan",
                "",
                None,
                "<= 300 B/plan peak",
                bpp <= 300,
            )
            del ip
            gc.collect()
        del w
        gc.collect()
    pairs = [(a, b) for a in sizes for b in sizes if b == 10 * a and a >= 100_000]
    for path in matching.PATHS:
        for a, b in pairs:
            r = times[path, b] / times[path, a]
            headline = path == "numpy"
            report.add(
                f"time({b:,}) / time({a:,}), {path} path",
                f"{r:.1f}",
                "",
                None,
                "<= 12" if headline else "reference (no numpy)",
                (r <= 12) if headline else None,
            )


def m3_filing(report: Report, sample_every: int, pg_url: str | None, redis_url: str | None) -> None:
    """Measurement 3: filing the plans of one enterprise in ``sample_every`` on each store."""
    from jointinspect import MemoryStore, open_store  # noqa: PLC0415 - optional, imported when used

    w = generate(CityShape())
    chosen = np.nonzero(w.enterprise % sample_every == 0)[0]
    order = filing_order(w, chosen)
    print(f"\n[3] incremental filing throughput, {len(order):,} plans (1 enterprise in {sample_every})", flush=True)
    tmp = tempfile.mkdtemp(prefix="ji-bench-")
    stores: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("memory", MemoryStore, None),
        ("SQLite (file)", lambda: open_store(f"sqlite:///{tmp}/filing.db", create=True), None),
    ]
    if pg_url:
        stores.append(("PostgreSQL", lambda: open_store(fresh_pg_database(pg_url, "bench_filing"), create=True), None))
    if redis_url:

        def redis_ledger() -> object:
            from jointinspect_redis import RedisLedger  # noqa: PLC0415 - optional, imported when used

            return RedisLedger(redis_url, prefix=f"bench{time.time_ns()}")

        if pg_url:
            stores.append(
                (
                    "PostgreSQL + Redis ledger",
                    lambda: open_store(fresh_pg_database(pg_url, "bench_filing_r"), create=True),
                    redis_ledger,
                )
            )
        stores.append(("memory + Redis ledger", MemoryStore, redis_ledger))
    base = None
    expected = None
    for name, make_store, make_ledger in stores:
        try:
            store = make_store()
            ledger = make_ledger() if make_ledger else None
        except Exception as exc:  # an adapter not ready: say so, measure the rest
            report.add(f"filing on {name}", f"not measured ({type(exc).__name__}: {exc})")
            continue
        try:
            register(store, w, order)  # type: ignore[arg-type]
            bar = Progress(f"filing on {name}", len(order))
            engine, stats = file_plans(w, store, order, ledger=ledger, progress=bar)  # type: ignore[arg-type]
            bar.close()
            visits = count_visits(engine, w, order)
        except Exception as exc:
            report.add(f"filing on {name}", f"failed ({type(exc).__name__}: {exc})")
            continue
        finally:
            with contextlib.suppress(Exception):
                store.close()  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                ledger.close()  # type: ignore[union-attr]
        per_s = stats.per_second
        base = base or per_s
        report.filing.append((name, per_s))
        outcome = (visits.inspections, visits.joint)
        expected = expected or outcome
        report.add(
            f"filing on {name}",
            f"{per_s:,.0f} plans/s ({1e3 / per_s:.2f} ms/plan)",
            "memory store" if name != "memory" else "",
            (base / per_s) if name != "memory" else None,
            "same visits on every store",
            outcome == expected,
        )
        if stats.blocked or stats.rejected or stats.other_errors:
            report.notes.append(f"filing on {name}: {stats}")


def m4_checkin(report: Report, n: int) -> None:
    """Measurement 4: check-in validation of ``n`` tokens, with its profile."""
    print(f"\n[4] check-in validation vs bare Ed25519 verify ({n:,} tokens, interleaved)", flush=True)
    r = checkin.run(n)
    report.add(
        "check-in validation (median)",
        f"{r.full_us:.0f} us",
        f"Ed25519 verify {r.bare_us:.0f} us",
        r.ratio,
        "<= 1.3x",
        r.ratio <= 1.3,
    )
    if r.ratio > 1.3:
        report.extra["checkin_profile"] = checkin.profile(min(n, 1500))


def m5_frequency(report: Report, redis_url: str | None, pg_url: str | None, quick: bool) -> None:
    """Measurement 5: the Redis and PostgreSQL frequency ledgers against their raw baselines."""
    print("\n[5] frequency check-and-reserve (benchmarks owned by the adapter engineers)", flush=True)
    for script, url, label, target in (
        ("redis_ledger.py", redis_url, "Redis ledger vs raw ZCOUNT", 1.3),
        ("sql_store.py", pg_url, "PostgreSQL ledger vs lock+count+insert", 2.0),
    ):
        path = ROOT / "benchmarks" / script
        if not path.exists() or url is None:
            why = "script not written yet" if not path.exists() else "no server"
            report.add(label, f"not measured ({why})", "", None, f"<= {target}x", None)
            continue
        # redis_ledger.py takes the server's URL; sql_store.py starts its own servers.
        args = [sys.executable, str(path)]
        if script == "redis_ledger.py":
            args += ["--url", url] + (["-n", "300"] if quick else [])
        elif quick:
            args += ["--plans", "10000", "--filings", "200"]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, cwd=ROOT)
        out = proc.stdout.strip()
        report.extra[f"out_{script}"] = out + (f"\n(stderr)\n{proc.stderr.strip()[-2000:]}" if proc.returncode else "")
        if script == "sql_store.py" and not proc.returncode:
            _sql_rows(report, out)
            continue
        # Table format: "typical  4 | ZCOUNT med p99 | ledger med p99 | ratio p99r | ..."; else "ratio ... N.NNx".
        line = next((ln for ln in out.splitlines() if ln.startswith("typical")), None)
        nums = re.findall(r"([0-9]+(?:\.[0-9]+)?)(x?)", line or "")
        m = re.search(r"ratio[^\n]*?([0-9.]+)x", out)
        if proc.returncode or (line is None and not m):
            report.add(label, f"not measured (exit {proc.returncode})", "", None, f"<= {target}x", None)
            continue
        if line is not None and len(nums) >= 6:
            base_us, value_us, ratio = nums[1][0], nums[3][0], float(nums[5][0])
            report.add(
                label + " (typical enterprise)",
                f"{value_us} us",
                f"{base_us} us",
                ratio,
                f"<= {target}x",
                ratio <= target,
            )
            continue
        assert m is not None
        ratio = float(m.group(1))
        med = re.findall(r"median\s+([0-9.]+) us", out)
        value = f"{med[1]} us" if len(med) > 1 else "see output"
        report.add(label, value, f"{med[0]} us" if med else "", ratio, f"<= {target}x", ratio <= target)


def m5_acknowledged(report: Report, quick: bool) -> None:
    """Redis check-and-reserve with replica acknowledgement (issue 18): a throwaway primary
    with a loopback replica, against the same without and a raw ZCOUNT."""
    args = [sys.executable, str(ROOT / "benchmarks" / "redis_ledger.py"), "--only-acknowledged"]
    args += ["--acknowledged", "300" if quick else "2000"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, cwd=ROOT)
    report.extra["out_redis_ledger.py acknowledged"] = proc.stdout.strip() + proc.stderr.strip()[-2000:]
    found = re.search(r"ZCOUNT ([0-9.]+) .*replicas=0 ([0-9.]+) .*replicas=1 ([0-9.]+) ", proc.stdout)
    label = "Redis ledger, replicas=1 (WAIT) vs replicas=0"
    if proc.returncode or not found:
        report.add(label, f"not measured (exit {proc.returncode})", "", None, "measured", None)
        return
    zcount, plain, waiting = (float(g) for g in found.groups())
    report.add(label, f"{waiting:.1f} us", f"{plain:.1f} us", waiting / plain, "measured", None)
    report.add("Redis ledger, replicas=1 vs raw ZCOUNT", f"{waiting:.1f} us", f"{zcount:.1f} us", waiting / zcount)


def _sql_rows(report: Report, out: str) -> None:
    """Rows from benchmarks/sql_store.py's output: PostgreSQL file-plan latency, bulk imports."""
    filing = re.search(
        r"file-plan latency, PostgreSQL: SQLStore ([0-9.]+) ms, raw psycopg ([0-9.]+) ms, "
        r"ratio ([0-9.]+)x",
        out,
    )
    if filing:
        ratio = float(filing.group(3))
        report.add(
            "PostgreSQL file plan (lock + reserve + insert + outbox)",
            f"{filing.group(1)} ms",
            f"raw psycopg lock+count+insert {filing.group(2)} ms",
            ratio,
            "<= 2.0x",
            ratio <= 2.0,
        )
    else:
        report.add("PostgreSQL file plan", "not measured", "", None, "<= 2.0x", None)
    for m in re.finditer(
        r"bulk import of ([0-9]+) plans, (\w+): import_plans ([0-9.]+) s, raw executemany "
        r"([0-9.]+) s, ratio ([0-9.]+)x",
        out,
    ):
        ratio = float(m.group(5))
        report.add(
            f"bulk import {int(m.group(1)):,} plans, {m.group(2)}",
            f"{m.group(3)} s",
            f"raw executemany {m.group(4)} s",
            ratio,
            "<= 3x",
            ratio <= 3.0,
        )


def m6_city_year(report: Report, sample_every: int) -> None:
    """Measurement 6: a simulated city year, end to end on SQLite for one enterprise in
    ``sample_every``."""
    print(
        f"\n[6] a simulated city year (96,987 plans), end to end on SQLite for 1 enterprise in {sample_every}",
        flush=True,
    )
    r = city_year.run(sample_every=sample_every)
    y = r.year
    report.add("city year: plans (batch)", f"{y.plans:,}", f"Yantai {city_year.YANTAI_PLANS:,}")
    report.add(
        "city year: visits avoided",
        f"{y.visits_avoided:,} ({y.visits_avoided / y.plans:.1%})",
        f"Yantai {city_year.YANTAI_AVOIDED:,} ({city_year.YANTAI_AVOIDED / city_year.YANTAI_PLANS:.1%})",
    )
    report.add(
        "city year: joint-inspection rate (plans in joint visits)",
        f"{y.joint_rate:.1%}",
        "Yantai > 50%",
        None,
        "> 50%",
        y.joint_rate > 0.5,
    )
    report.add("city year: share of visits that are joint", f"{y.joint_groups / y.groups:.1%}")
    e = r.engine
    report.add(
        f"city year on SQLite, engine ({e.plans:,} plans)",
        f"{e.inspections:,} visits, {e.joint:,} joint, {r.stats.per_second:,.0f} plans/s",
        f"batch optimum: {r.sample.groups:,} groups, {r.sample.joint_groups:,} joint; ratio {r.ratio:.3f}",
        None,
        "engine <= 1.05x optimum",
        r.agree,
    )
    est = y.plans / r.stats.per_second
    report.extra["city_year_time"] = (
        f"{e.plans:,} plans filed in {fmt_s(r.stats.seconds)}; the whole year at this rate: about {est / 60:.0f} min"
    )
