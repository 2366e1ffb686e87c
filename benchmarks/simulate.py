"""Measurement 11: the policy simulator on a province year, against DuckDB (issue 13).

Histories. ``--make-history DIR`` writes the seeded city year (the Yantai-sized city of
``benchmarks/city_year.py``, 96,987 plans) and province years (``workload.province``: as
many enterprises as plans; 1M, 3M and 10M plans) as Parquet, in row groups of 1M rows.
The generator adds what the workload lacks: ``filed_at`` (planned kinds 7 to 30 days ahead,
4% of them 1 to 6 days ahead, i.e. late under 7 days' notice; triggered kinds 10 minutes
to 4 hours ahead), the credit class of each enterprise and an explicit whitelist flag for
one enterprise in 200. Times are whole seconds, UTC, in 2026.

Comparison. Each size is replayed in a fresh process (so peak RSS is the run's own): the
simulator reads the Parquet file and replays it under one policy; DuckDB computes the same
figures with SQL over the same file (``duckdb_sql``). Both figures must be equal (the
same check runs as a test on a small history, tests/test_simulate_duckdb.py). Timed from
opening the file to the figures; memory is the process's peak resident set (VmHWM)
minus what the interpreter and libraries held before the run (VmHWM), per plan.

What SQL expresses here (``duckdb_sql``): the refusals, the whitelist, the greedy stabbing
of batch matching (a recursive CTE for the points, an ASOF join for each plan's group), the
visit windows, a blocking frequency rule of limit 1 (a recursive CTE: the next recorded
visit is the first at least the window after the last one) and any warning rule (window
counts over recorded visits, ties broken as the simulator breaks them). Local days use a
fixed offset (``zone_offset``), exact for Asia/Shanghai since 1991. A policy outside this
(several blocking rules, a blocking limit above 1, working-day notice) is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.workload import KIND_NAMES, YEAR_START, CityShape, Workload, generate, province  # noqa: E402

CITY_PLANS = 96_987
SIZES = (1_000_000, 3_000_000, 10_000_000)
ROW_GROUP = 1_000_000
CLASS_NAMES = ("A", "B", "C", "D")


def history_arrays(w: Workload, seed: int = 2026) -> dict[str, np.ndarray]:
    """The history columns of a workload (times in seconds since the epoch)."""
    rng = np.random.default_rng(seed + 1)
    n = len(w)
    base = int(YEAR_START.timestamp())
    start = base + w.start * 60
    end = base + w.end * 60
    planned = np.isin(w.kind, [KIND_NAMES.index(k) for k in ("routine", "random", "special")])
    ahead_planned = rng.integers(7 * 86_400, 30 * 86_400, size=n)
    late = rng.random(n) < 0.04
    ahead_planned[late] = rng.integers(86_400, 6 * 86_400, size=int(late.sum()))
    ahead_triggered = rng.integers(600, 4 * 3600, size=n)
    filed = start - np.where(planned, ahead_planned, ahead_triggered)
    return {
        "enterprise": w.enterprise.astype(np.int64),
        "department": w.department.astype(np.int32),
        "kind": w.kind.astype(np.int8),
        "start": start.astype(np.int64),
        "end": end.astype(np.int64),
        "filed_at": filed.astype(np.int64),
        "credit_class": w.credit[w.enterprise].astype(np.int8),
        "whitelisted": (w.enterprise % 200) == 7,
    }


def write_parquet(cols: dict[str, np.ndarray], path: Path) -> None:
    """Write the history in row groups of ``ROW_GROUP`` rows."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    ts = pa.timestamp("s", tz="UTC")
    schema = pa.schema(
        [
            ("enterprise", pa.int64()),
            ("department", pa.int32()),
            ("kind", pa.dictionary(pa.int8(), pa.string())),
            ("start", ts),
            ("end", ts),
            ("filed_at", ts),
            ("credit_class", pa.dictionary(pa.int8(), pa.string())),
            ("whitelisted", pa.bool_()),
        ]
    )
    kinds, classes = pa.array(list(KIND_NAMES)), pa.array(list(CLASS_NAMES))
    n = cols["enterprise"].size
    with pq.ParquetWriter(path, schema) as out:
        for lo in range(0, n, ROW_GROUP):
            part = {k: v[lo : lo + ROW_GROUP] for k, v in cols.items()}
            out.write_table(
                pa.table(
                    {
                        "enterprise": part["enterprise"],
                        "department": part["department"],
                        "kind": pa.DictionaryArray.from_arrays(part["kind"], kinds),
                        "start": pa.array(part["start"], ts),
                        "end": pa.array(part["end"], ts),
                        "filed_at": pa.array(part["filed_at"], ts),
                        "credit_class": pa.DictionaryArray.from_arrays(part["credit_class"], classes),
                        "whitelisted": part["whitelisted"],
                    },
                    schema=schema,
                )
            )


def write_csv(cols: dict[str, np.ndarray], path: Path) -> None:
    """The same history as CSV (small histories only: one Python line per plan)."""
    import datetime as dt  # noqa: PLC0415

    def iso(s: int) -> str:
        return dt.datetime.fromtimestamp(int(s), dt.UTC).isoformat()

    with path.open("w", encoding="utf-8") as f:
        f.write("enterprise,department,kind,start,end,filed_at,credit_class,whitelisted\n")
        for i in range(cols["enterprise"].size):
            f.write(
                f"{cols['enterprise'][i]},{cols['department'][i]},{KIND_NAMES[cols['kind'][i]]},"
                f"{iso(cols['start'][i])},{iso(cols['end'][i])},{iso(cols['filed_at'][i])},"
                f"{CLASS_NAMES[cols['credit_class'][i]]},{'true' if cols['whitelisted'][i] else 'false'}\n"
            )


def make_histories(directory: Path, sizes: tuple[int, ...] = SIZES) -> dict[str, Path]:
    """Write city.parquet and province-<n>.parquet (seeded); returns name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    path = directory / "city.parquet"
    if not path.exists():
        write_parquet(history_arrays(generate(CityShape(plans=CITY_PLANS))), path)
    out["city"] = path
    for n in sizes:
        path = directory / f"province-{n}.parquet"
        if not path.exists():
            cols = history_arrays(province(n))
            write_parquet(cols, path)
            del cols
        out[f"province-{n}"] = path
    return out


# --- DuckDB -----------------------------------------------------------------------------


def _in(column: str, values: Any) -> str:
    """``column IN (...)``, or FALSE for no values (``IN (NULL)`` would be NULL)."""
    listed = ", ".join(f"'{v}'" for v in sorted(str(x) for x in values))
    return f"{column} IN ({listed})" if listed else "FALSE"


def duckdb_sql(path: str | Path, policy: Any, zone_offset: int = 8 * 3600) -> str:
    """One SQL query computing the simulator's figures for ``policy`` over ``path``."""
    from jointinspect.policy.schema import DayUnit, Period, WhitelistMode  # noqa: PLC0415
    from jointinspect.rules.frequency import Action, Scope  # noqa: PLC0415

    if policy.filing.unit is not DayUnit.CALENDAR or policy.matching.common_day is not None:
        raise ValueError("the SQL baseline expresses calendar-day notice and common time over days only")
    blocking = [r for r in policy.frequency if r.action is Action.BLOCK]
    if (
        len(blocking) > 1
        or any(r.limit != 1 or r.window_days is None or r.applies_to != r.counts for r in blocking)
        or any(r.scope is not Scope.ENTERPRISE for r in policy.frequency)
    ):
        raise ValueError("the SQL baseline expresses vt most one blocking rule: limit 1, rolling, applies == counts")
    m = policy.matching.minimum
    minimum = m.days * 86_400 + m.seconds
    wl = policy.whitelist
    modes = {c: wl.classes.get(c, WhitelistMode.NORMAL) for c in CLASS_NAMES}

    def class_mode(mode: Any) -> str:
        return _in("credit", [c for c in CLASS_NAMES if modes[c] is mode])

    refused = f"({class_mode(WhitelistMode.EXEMPT)}{' OR whitelisted' if wl.explicit is WhitelistMode.EXEMPT else ''})"
    limited = (
        f"({class_mode(WhitelistMode.LIMITED)}{' OR whitelisted' if wl.explicit is WhitelistMode.LIMITED else ''})"
    )
    allow = [
        (str(k), a.earlier.days * 86_400 + a.earlier.seconds, a.later.days * 86_400 + a.later.seconds)
        for k, a in policy.matching.allowances.items()
    ]
    earlier = " ".join(f"WHEN '{k}' THEN {e}" for k, e, _ in allow)
    later = " ".join(f"WHEN '{k}' THEN {lt}" for k, _, lt in allow)
    earlier_sql = f"CASE kind {earlier} ELSE 0 END" if allow else "0"
    later_sql = f"CASE kind {later} ELSE 0 END" if allow else "0"
    block = ""
    block_flag = "FALSE"
    if blocking:
        r = blocking[0]
        w = r.window_days * 86_400
        block = f""",
pv AS (SELECT enterprise, vt, alone, tk FROM v WHERE {_in("kind", r.applies_to)}),
chain(enterprise, vt) AS (
    SELECT enterprise, min(vt) FROM pv GROUP BY enterprise
    UNION ALL
    SELECT pv.enterprise, min(pv.vt) FROM pv JOIN chain ON pv.enterprise = chain.enterprise
        AND pv.vt >= chain.vt + {w} GROUP BY pv.enterprise
),
firsts AS (
    SELECT enterprise, vt, alone, tk FROM (
        SELECT pv.*, row_number() OVER (PARTITION BY pv.enterprise, pv.vt ORDER BY alone, tk) AS rn
        FROM pv SEMI JOIN chain ON pv.enterprise = chain.enterprise AND pv.vt = chain.vt
    ) WHERE rn = 1
)"""
        block_flag = f"""({_in("kind", r.applies_to)} AND NOT EXISTS (SELECT 1 FROM firsts f
            WHERE f.enterprise = v.enterprise AND f.vt = v.vt AND f.alone = v.alone AND f.tk = v.tk))"""
    warns = []
    for i, r in enumerate(x for x in policy.frequency if x.action is Action.WARN):
        counted = _in("kind", r.counts)
        if r.window_days is not None:
            reach = r.window_days * 86_400 - 1
            frame = f"PARTITION BY enterprise ORDER BY vt RANGE BETWEEN {reach} PRECEDING AND CURRENT ROW"
            seen = (
                f"count(*) FILTER (WHERE {counted}) OVER ({frame})"
                f" - count(*) FILTER (WHERE {counted}) OVER (PARTITION BY enterprise, vt ORDER BY alone, tk"
                f" ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
                f" - CASE WHEN {counted} THEN 1 ELSE 0 END"
            )
        else:
            part = {Period.DAY: "day", Period.WEEK: "week", Period.MONTH: "month", Period.YEAR: "year"}[r.period]
            bucket = f"date_trunc('{part}', make_timestamp((vt + {zone_offset}) * 1000000))"
            seen = (
                f"count(*) FILTER (WHERE {counted}) OVER (PARTITION BY enterprise, {bucket} ORDER BY vt, alone, tk"
                f" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
            )
        warns.append(f"({_in('kind', r.applies_to)} AND coalesce({seen}, 0) + 1 > {r.limit}) AS w{i}")
    warned = " OR ".join(f"w{i}" for i in range(len(warns))) or "FALSE"
    return f"""
WITH RECURSIVE p AS (
    SELECT file_row_number AS pos, enterprise, department, kind::VARCHAR AS kind,
           epoch_ms("start") // 1000 AS s, epoch_ms("end") // 1000 AS e, epoch_ms(filed_at) // 1000 AS f,
           credit_class::VARCHAR AS credit, coalesce(whitelisted, FALSE) AS whitelisted
    FROM read_parquet('{path}', file_row_number = true)
),
c AS (
    SELECT *, e - s < {minimum} AS short,
        e - s >= {minimum} AND NOT {_in("kind", policy.filing.exempt_kinds)}
            AND (s + {zone_offset}) // 86400 < (f + {zone_offset}) // 86400 + {policy.filing.advance} AS late,
        {_in("kind", wl.kinds)} AND {refused} AS wl_refused,
        {_in("kind", wl.kinds)} AND NOT {refused} AND {limited} AS wl_limited
    FROM p
),
k AS (
    SELECT pos, enterprise, department, kind, s, e, s - {earlier_sql} AS a_s, e + {later_sql} AS a_e,
           {_in("kind", policy.matching.kinds)} AS mergeable
    FROM c WHERE NOT short AND NOT late AND NOT wl_refused
),
mm AS (SELECT enterprise, a_s AS l, a_e - {minimum} AS r, pos FROM k WHERE mergeable),
pts(enterprise, pt) AS (
    SELECT enterprise, min(r) FROM mm GROUP BY enterprise
    UNION ALL
    SELECT mm.enterprise, min(mm.r) FROM mm JOIN pts ON mm.enterprise = pts.enterprise AND mm.l > pts.pt
    GROUP BY mm.enterprise
),
g AS (
    SELECT mm.pos, FALSE AS alone, pts.pt AS tk
    FROM mm ASOF JOIN pts ON mm.enterprise = pts.enterprise AND mm.l <= pts.pt
    UNION ALL
    SELECT pos, TRUE, pos FROM k WHERE NOT mergeable
),
grouped AS (
    SELECT k.enterprise, g.alone, g.tk, count(*) AS size, min(k.pos) AS first, arg_min(k.kind, k.pos) AS kind,
           max(a_s) AS cs, min(a_e) AS ce, min(s) AS fs, max(e) AS fe, min(department) < max(department) AS joint
    FROM k JOIN g ON k.pos = g.pos GROUP BY k.enterprise, g.alone, g.tk
),
v AS (
    SELECT enterprise, alone, tk, size, kind, joint,
        CASE WHEN greatest(cs, fs) < least(ce, fe)
                  AND (size = 1 OR least(ce, fe) - greatest(cs, fs) >= {minimum})
             THEN greatest(cs, fs) ELSE cs END AS vt
    FROM grouped
){block},
decided AS (SELECT v.*, {block_flag} AS blocked FROM v),
recorded AS (
    SELECT *{", " if warns else ""}{", ".join(warns)} FROM decided WHERE NOT blocked
),
per_ent AS (SELECT enterprise, count(*) AS n FROM recorded GROUP BY enterprise)
SELECT
    (SELECT count(*) FROM c) AS plans,
    (SELECT count(*) FILTER (WHERE short) FROM c) AS refused_short,
    (SELECT count(*) FILTER (WHERE late) FROM c) AS refused_late,
    (SELECT count(*) FILTER (WHERE NOT short AND NOT late AND wl_refused) FROM c) AS whitelist_spared,
    (SELECT count(*) FILTER (WHERE NOT short AND NOT late AND wl_limited) FROM c) AS whitelist_approval,
    (SELECT count(*) FILTER (WHERE blocked) FROM decided) AS visits_blocked,
    (SELECT coalesce(sum(size) FILTER (WHERE blocked), 0) FROM decided) AS plans_blocked,
    (SELECT count(*) FILTER (WHERE {warned}) FROM recorded) AS visits_warned,
    (SELECT coalesce(sum(size) FILTER (WHERE {warned}), 0) FROM recorded) AS plans_warned,
    (SELECT coalesce(sum(size), 0) FROM recorded) AS plans_visited,
    (SELECT count(*) FROM recorded) AS visits,
    (SELECT count(*) FILTER (WHERE joint) FROM recorded) AS joint_visits,
    (SELECT coalesce(sum(size) FILTER (WHERE joint), 0) FROM recorded) AS plans_in_joint_visits,
    (SELECT count(*) FROM per_ent) AS enterprises_visited,
    (SELECT count(*) FILTER (WHERE n = 1) FROM per_ent) AS "1",
    (SELECT count(*) FILTER (WHERE n = 2) FROM per_ent) AS "2",
    (SELECT count(*) FILTER (WHERE n = 3) FROM per_ent) AS "3",
    (SELECT count(*) FILTER (WHERE n BETWEEN 4 AND 5) FROM per_ent) AS "4-5",
    (SELECT count(*) FILTER (WHERE n BETWEEN 6 AND 9) FROM per_ent) AS "6-9",
    (SELECT count(*) FILTER (WHERE n >= 10) FROM per_ent) AS "10+"
"""


HISTOGRAM = ("1", "2", "3", "4-5", "6-9", "10+")


def run_duckdb(path: str | Path, policy: Any, threads: int | None = None) -> dict[str, Any]:
    """The figures DuckDB computes, in the simulator's shape (``Outcome.as_dict`` keys)."""
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if threads:
            con.execute(f"SET threads = {threads}")
        cur = con.execute(duckdb_sql(path, policy))
        names = [d[0] for d in cur.description]
        row = dict(zip(names, cur.fetchone(), strict=True))
    finally:
        con.close()
    out = {k: int(v) for k, v in row.items() if k not in HISTOGRAM}
    out["visits_per_enterprise"] = {h: int(row[h]) for h in HISTOGRAM}
    return out


def simulator_figures(path: str | Path, policy: Any) -> dict[str, Any]:
    """The simulator's figures for the comparison (derived ones left out)."""
    from jointinspect_simulate import read_history, simulate_one  # noqa: PLC0415

    d = simulate_one(read_history(path), policy).as_dict()
    for derived in ("policy", "repeat_visits_avoided", "joint_visit_rate"):
        d.pop(derived)
    return d


# --- one measured run in a fresh process ------------------------------------------------


def _peak_bytes() -> int:
    """This process's peak resident set: VmHWM (reset by exec), else ru_maxrss (which a
    child inherits from its parent at fork, so a large parent would hide the child's own)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(engine: str, path: str, spec: str) -> None:
    from jointinspect_simulate import resolve  # noqa: PLC0415

    policy = resolve(spec)
    if engine == "duckdb":
        import duckdb  # noqa: F401, PLC0415 - loaded before the baseline reading
    else:
        import pyarrow.parquet  # noqa: F401, PLC0415
    before = _peak_bytes()
    t0 = time.perf_counter()
    figures = run_duckdb(path, policy) if engine == "duckdb" else simulator_figures(path, policy)
    seconds = time.perf_counter() - t0
    peak = _peak_bytes()
    print(json.dumps({"seconds": seconds, "peak": peak, "before": before, "figures": figures}))


def measure(engine: str, path: Path, spec: str = "default") -> dict[str, Any]:
    """Run ``engine`` ("simulator" or "duckdb") on ``path`` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path), spec],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def compare(paths: dict[str, Path], spec: str = "default", repeat: int = 1) -> list[dict[str, Any]]:
    """Simulator and DuckDB on each history, alternating ``repeat`` times (median time,
    largest peak); prints and returns one row per history."""
    import statistics  # noqa: PLC0415

    import pyarrow.parquet as pq  # noqa: PLC0415

    rows = []
    for name, path in paths.items():
        n = pq.ParquetFile(path).metadata.num_rows
        sims, ducks = [], []
        for _ in range(repeat):
            sims.append(measure("simulator", path, spec))
            ducks.append(measure("duckdb", path, spec))
        sim_s = [r["seconds"] for r in sims]
        duck_s = [r["seconds"] for r in ducks]
        sim = max(sims, key=lambda r: r["peak"] - r["before"])
        duck = max(ducks, key=lambda r: r["peak"] - r["before"])
        row = {
            "history": name,
            "plans": n,
            "sim_seconds": statistics.median(sim_s),
            "duckdb_seconds": statistics.median(duck_s),
            "sim_runs": sim_s,
            "duckdb_runs": duck_s,
            "ratio": statistics.median(sim_s) / statistics.median(duck_s),
            "sim_bytes_per_plan": (sim["peak"] - sim["before"]) / n,
            "sim_rss_bytes_per_plan": sim["peak"] / n,
            "duckdb_bytes_per_plan": (duck["peak"] - duck["before"]) / n,
            "same": all(r["figures"] == d["figures"] for r, d in zip(sims, ducks, strict=True)),
            "figures": sim["figures"],
            "duckdb_figures": duck["figures"],
        }
        rows.append(row)
        print(
            f"  {name}: {n:,} plans | simulator {row['sim_seconds']:.2f} s | DuckDB {row['duckdb_seconds']:.2f} s"
            f" | ratio {row['ratio']:.2f}x | {row['sim_bytes_per_plan']:.0f} B/plan"
            f" (RSS {row['sim_rss_bytes_per_plan']:.0f}) | DuckDB {row['duckdb_bytes_per_plan']:.0f} B/plan"
            f" | same figures: {row['same']}"
            + (
                f" | runs {', '.join(f'{x:.2f}' for x in sim_s)} vs {', '.join(f'{x:.2f}' for x in duck_s)}"
                if repeat > 1
                else ""
            ),
            flush=True,
        )
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description="policy simulator vs DuckDB (issue 13)")
    parser.add_argument("--make-history", metavar="DIR", help="write the seeded histories into DIR and exit")
    parser.add_argument("--dir", default="/tmp/ji-histories", help="where the histories are (made if missing)")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--policy", default="default")
    parser.add_argument("--out", help="write the rows as JSON to this file")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each engine per history (median time)")
    args = parser.parse_args()
    sizes = tuple(int(float(s)) for s in args.sizes.split(",") if s)
    if args.make_history:
        for name, path in make_histories(Path(args.make_history), sizes).items():
            print(name, path)
        return
    rows = compare(make_histories(Path(args.dir), sizes), args.policy, args.repeat)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
