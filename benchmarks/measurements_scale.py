"""Measurements 7 to 11, the long runs at scale: history, growth, bulk filing, the
licence sweep and the simulator; each adds its rows to the report."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import ROOT, Report, fmt_s
from benchmarks.servers import fresh_pg_database


def m7_history(report: Report, pg_url: str | None, quick: bool, plot_to: Path | None) -> None:
    """Every engine operation against the enterprise's history and the city's size (issue 15)."""
    from benchmarks import history  # noqa: PLC0415 - imported when measured

    print("\n[7] operations against history (0 / 1,000 / 10,000 earlier visits; a full city)", flush=True)
    sizes = (0, 1_000) if quick else history.SIZES
    result = history.run(pg_url, sizes, reps=5 if quick else 25, city=10_000 if quick else 1_000_000)
    for store, per in result.history.items():
        low, high = min(per), max(per)
        for op, seconds in per[high].items():
            ratio = seconds / per[low][op]
            report.add(
                f"{op}, {store}: {high:,} vs {low} earlier visits",
                f"{seconds * 1e3:.2f} ms",
                f"{per[low][op] * 1e3:.2f} ms",
                ratio,
                "<= 1.3x",
                ratio <= history.TARGET,
            )
    for store, per in result.city.items():
        full = max(per)
        ratio = per[full] / per[0]
        report.add(
            f"file, {store}: city of {full:,} stored plans vs empty",
            f"{per[full] * 1e3:.2f} ms",
            f"{per[0] * 1e3:.2f} ms",
            ratio,
            "<= 1.3x",
            ratio <= history.TARGET,
        )
    report.notes.extend(result.notes)
    plotted = plot_to is not None and history.plot(result, plot_to)
    report.extra["history_section"] = history.section(result, plotted)


def m9_bulk(report: Report, pg_url: str | None, quick: bool) -> None:
    """Issue 11: Engine.file_plans against filing one by one and a raw executemany (benchmarks/bulk.py)."""
    from benchmarks import bulk  # noqa: PLC0415 - needs the SQL adapter, imported when used

    plans, sample = (10_000, 500) if quick else (100_000, 2_000)
    print(f"\n[9] bulk filing of {plans:,} plans: file_plans vs one by one vs executemany", flush=True)
    families: list[tuple[str, Callable[[str], str]]] = []
    folder = tempfile.mkdtemp(prefix="jointinspect-bulk-")
    families.append(("SQLite", lambda tag: f"sqlite:///{folder}/{tag}.db"))
    if pg_url is not None:
        url = pg_url
        families.append(("PostgreSQL", lambda tag: fresh_pg_database(url, f"bulk_{tag}")))
    else:
        report.notes.append("bulk filing on PostgreSQL not measured (no server)")
    try:
        measured = [bulk.measure(name, make_url, plans, sample) for name, make_url in families]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for f in measured:
        name = f["family"]
        ratio = f["file_plans"] / f["executemany_all"]
        report.add(
            f"bulk filing {plans:,} plans on {name}: file_plans (every rule; {f['filed']:,} filed)",
            fmt_s(f["file_plans"]),
            f"executemany of all {sum(f['rows'].values()):,} rows it stores {fmt_s(f['executemany_all'])}",
            ratio,
            "<= 3x",
            ratio <= 3.0,
        )
        report.add(
            f"  {name}: file_plans against executemany of the plan rows only",
            fmt_s(f["file_plans"]),
            f"executemany of {f['filed']:,} plan rows {fmt_s(f['executemany'])}",
            f["file_plans"] / f["executemany"],
        )
        report.add(
            f"  {name}: filing the same plans one by one (file_plan; extrapolated from {f['sample']:,})",
            fmt_s(f["one_by_one"]),
            f"file_plans {fmt_s(f['file_plans'])}",
            f["one_by_one"] / f["file_plans"],
        )


def m8_growth(report: Report, pg_url: str | None, quick: bool) -> None:
    """Issue 9: file_plan latency flat as delivered outbox rows accumulate (benchmarks/growth.py)."""
    print("\n[8] growth: file_plan latency against delivered outbox rows", flush=True)
    sizes = "1000,10000" if quick else "1000,10000,100000,1000000"
    args = [sys.executable, str(ROOT / "benchmarks" / "growth.py"), "--sizes", sizes, "--sql-sizes", sizes]
    args += ["--entries", "2000" if quick else "20000"] + (["--pg-url", pg_url] if pg_url else [])
    proc = subprocess.run(args, capture_output=True, text=True, timeout=3600, check=False, cwd=ROOT)
    report.extra["out_growth.py"] = proc.stdout.strip()
    found = re.findall(r"file_plan, (\w+), ([0-9,]+) delivered rows: ([0-9.]+) ms", proc.stdout)
    for store in ("memory", "sqlite"):
        rows = [(int(n.replace(",", "")), float(ms)) for s_, n, ms in found if s_ == store]
        if proc.returncode or len(rows) < 2:
            report.add(f"file_plan, {store}, largest vs smallest outbox", "not measured", "", None, "<= 1.3x", None)
            continue
        (small, base), (large, value) = rows[0], rows[-1]
        report.add(
            f"file_plan, {store}, {large:,} vs {small:,} delivered outbox rows",
            f"{value:.2f} ms",
            f"{base:.2f} ms",
            value / base,
            "<= 1.3x",
            value / base <= 1.3,
        )


def m11_simulator(report: Report, quick: bool, full: bool) -> None:
    """Issue 13: the policy simulator on a province year vs DuckDB over the same Parquet file."""
    from benchmarks import simulate  # noqa: PLC0415 - needs pyarrow and duckdb

    sizes = (100_000,) if quick else (1_000_000, 3_000_000, 10_000_000) if full else (1_000_000, 3_000_000)
    print(f"\n[11] policy simulator vs DuckDB: city year and {', '.join(f'{s:,}' for s in sizes)} plans", flush=True)
    with tempfile.TemporaryDirectory(prefix="ji-sim-") as tmp:
        rows = simulate.compare(simulate.make_histories(Path(tmp), sizes))
    for r in rows:
        # 300 B/plan is the province-scale target: below 1M plans fixed costs dominate
        scale = r["plans"] >= 1_000_000
        report.add(
            f"simulator, {r['history']} ({r['plans']:,} plans), default policy",
            f"{fmt_s(r['sim_seconds'])}, {r['sim_bytes_per_plan']:.0f} B/plan",
            f"DuckDB {fmt_s(r['duckdb_seconds'])}",
            r["ratio"],
            "<= 1.5x, same figures" + (", <= 300 B/plan" if scale else ""),
            r["ratio"] <= 1.5 and r["same"] and (not scale or r["sim_bytes_per_plan"] <= 300),
        )
    big = [r for r in rows if r["history"].startswith("province")]
    if len(big) > 1:
        first, last = big[0], big[-1]
        report.extra["simulator_growth"] = (
            f"{first['plans']:,} -> {last['plans']:,} plans: time x{last['sim_seconds'] / first['sim_seconds']:.2f}"
            f" for x{last['plans'] / first['plans']:.0f} plans"
        )


def m10_licences(report: Report, pg_url: str | None, quick: bool) -> None:
    """Issue 12: the licence prewarning sweep over 1M licences vs an indexed range query."""
    count = 100_000 if quick else 1_000_000
    print(f"\n[10] licence prewarning: a sweep over {count:,} licences vs an indexed range query", flush=True)
    args = [sys.executable, str(ROOT / "benchmarks" / "licences.py"), "--licences", str(count)]
    args += ["--pg-url", pg_url] if pg_url else ["--no-pg"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=7200, check=False, cwd=ROOT)
    report.extra["out_licences.py"] = proc.stdout.strip()
    pattern = (
        r"licence sweep, (\w+), ([0-9,]+) licences, ([0-9,]+) due: range query ([0-9.]+) ms; "
        r"sweep read path ([0-9.]+) ms .*?; sweep ([0-9.]+) s .*?; sweep again ([0-9.]+) ms .*?"
        r"peak Python memory: query ([0-9.]+) MiB, sweep ([0-9.]+) MiB"
    )
    found = re.findall(pattern, proc.stdout)
    if proc.returncode or not found:
        report.add("licence sweep", "not measured", "", None, "<= 2x", None)
        return
    for backend, _, due, query_ms, read_ms, sweep_s, again_ms, peak_q, peak_s in found:
        base = float(query_ms)
        report.add(
            f"licence sweep read path, {backend}, {due} of {count:,} licences due",
            f"{float(read_ms):.1f} ms",
            f"{base:.1f} ms range query",
            float(read_ms) / base,
            "<= 2x",
            float(read_ms) / base <= 2.0,
        )
        report.add(
            f"licence sweep with its writes (one outbox bundle per page, expanded at delivery), {backend}",
            f"{float(sweep_s):.2f} s",
            f"{base:.1f} ms range query",
            float(sweep_s) * 1e3 / base,
        )
        report.add(
            f"licence sweep again the same day, {backend}",
            f"{float(again_ms):.1f} ms",
            f"{base:.1f} ms",
            float(again_ms) / base,
        )
        report.add(f"licence sweep peak Python memory, {backend}", f"{peak_s} MiB", f"{peak_q} MiB range query fetch")
