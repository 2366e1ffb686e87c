"""Measurements 1 and 2: batch matching in-process against PostgreSQL, and its scaling.

In-process: :func:`jointinspect.rules.batch.group_ids` over stdlib arrays already in
memory, timed from the call to the returned group numbers, on each of its two paths:
``numpy`` (the default when numpy is installed, ``jointinspect[fast]``) and ``pure``
(``pure=True``, what the core does without numpy).

PostgreSQL: the same rows COPY-loaded into an unindexed table (``ANALYZE``d), then the
same greedy stabbing (issue 8) as a PL/pgSQL function, timed from the query start to the last group number fetched
into the client (binary cursor, ``fetchall``); a second figure times the same query stored
server-side with ``CREATE TEMP TABLE ... AS`` (no transfer). ``work_mem`` is raised so the
sort stays in memory: the fairest setting for the baseline.

Both partitions are compared in canonical form (per plan, the smallest plan id of its
group): they must be identical.
"""

from __future__ import annotations

import gc
import io
import statistics
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np

from benchmarks.workload import MIN_COMMON_MINUTES, Workload, canonical
from jointinspect.rules.batch import backend, group_ids

MINIMUM_MINUTES = MIN_COMMON_MINUTES

#: What a user would write instead: the greedy's stabbing points in PL/pgSQL (a window
#: query cannot carry the "current point" from row to row), one pass over the rows sorted
#: by (enterprise, end - minimum); then SQL gives each plan the earliest point at or after
#: its start (a running minimum over the points, newest first). Created once per
#: connection, before timing.
PG_SETUP = """
CREATE OR REPLACE FUNCTION pg_temp.stab_points(m bigint)
RETURNS TABLE (enterprise bigint, pt bigint, grp bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    cur_e bigint := NULL;
    point bigint := NULL;
    g bigint := -1;
BEGIN
    FOR r IN SELECT p.enterprise AS ent, p.s, p.e - m AS rt
             FROM plans p WHERE p.mergeable ORDER BY p.enterprise, p.e - m LOOP
        IF cur_e IS DISTINCT FROM r.ent OR r.s > point THEN
            g := g + 1;
            point := r.rt;
            cur_e := r.ent;
            enterprise := r.ent;
            pt := point;
            grp := g;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$
"""

PG_QUERY = """
SELECT id, grp FROM (
    SELECT id, t, min(grp) OVER (PARTITION BY enterprise ORDER BY k DESC, t
                                 ROWS UNBOUNDED PRECEDING) AS grp
    FROM (
        SELECT id, enterprise, s AS k, 1 AS t, NULL::bigint AS grp FROM plans WHERE mergeable
        UNION ALL
        SELECT NULL, enterprise, pt, 0, grp FROM pg_temp.stab_points({minimum})
    ) u
) v WHERE t = 1
UNION ALL
SELECT id, -1 - id FROM plans WHERE NOT mergeable
"""


PATHS = ("numpy", "pure")


@dataclass
class InProcess:
    path: str
    plans: int
    seconds: float
    runs: list[float]
    peak_bytes: int | None
    groups: np.ndarray

    @property
    def bytes_per_plan(self) -> float | None:
        return None if self.peak_bytes is None else self.peak_bytes / self.plans


def run_in_process(w: Workload, repeat: int = 3, memory: bool = True, path: str = "numpy") -> InProcess:
    """Time ``group_ids`` on ``path`` ("numpy" or "pure"), best of ``repeat``; peak memory apart."""
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}")
    pure = path == "pure"
    if not pure and backend() != "numpy":
        raise RuntimeError("the numpy path is not available (numpy missing or JOINTINSPECT_PURE_BATCH set)")
    ent, start, end, merge = w.columns()
    runs = []
    out = None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = group_ids(ent, start, end, merge, MINIMUM_MINUTES, pure=pure)
        runs.append(time.perf_counter() - t0)
    peak = None
    if memory:
        # Separate run: tracemalloc slows allocation down, so it is never timed.
        del out
        gc.collect()
        tracemalloc.start()
        # numpy registers its buffers with tracemalloc, so both paths are counted alike.
        out = group_ids(ent, start, end, merge, MINIMUM_MINUTES, pure=pure)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert out is not None
    groups = np.frombuffer(out, dtype=np.int64).copy()
    return InProcess(path, len(w), min(runs), runs, peak, groups)


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def load_postgres(conn: object, w: Workload) -> float:
    """(Re)create table ``plans`` and COPY the workload into it; returns seconds."""
    import psycopg  # noqa: PLC0415 - optional, imported when used

    assert isinstance(conn, psycopg.Connection)
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS plans")
        cur.execute("CREATE UNLOGGED TABLE plans (id bigint, enterprise bigint, s bigint, e bigint, mergeable boolean)")
        chunk = 500_000
        with cur.copy("COPY plans (id, enterprise, s, e, mergeable) FROM STDIN") as copy:
            for lo in range(0, len(w), chunk):
                hi = min(len(w), lo + chunk)
                block = np.column_stack(
                    [
                        np.arange(lo, hi),
                        w.enterprise[lo:hi],
                        w.start[lo:hi],
                        w.end[lo:hi],
                        w.mergeable[lo:hi].astype(np.int64),
                    ]
                )
                buf = io.StringIO()
                np.savetxt(buf, block, fmt="%d", delimiter="\t")
                copy.write(buf.getvalue().replace("\t1\n", "\tt\n").replace("\t0\n", "\tf\n"))
        cur.execute("ANALYZE plans")
    conn.commit()
    return time.perf_counter() - t0


@dataclass
class PostgresRun:
    seconds: float  # query start -> all group numbers fetched
    runs: list[float]
    stored_seconds: float  # CREATE TEMP TABLE AS (server side only)
    load_seconds: float
    groups_canonical: np.ndarray
    version: str


def run_postgres(url: str, w: Workload, repeat: int = 3) -> PostgresRun:
    import psycopg  # noqa: PLC0415 - optional, imported when used

    with psycopg.connect(pg_dsn(url)) as conn:
        load = load_postgres(conn, w)
        query = PG_QUERY.format(minimum=MINIMUM_MINUTES)
        with conn.cursor(binary=True) as cur:
            cur.execute("SET work_mem = '1GB'")
            cur.execute(PG_SETUP)
            cur.execute("SHOW server_version")
            version = str(cur.fetchone()[0])  # type: ignore[index]
            runs, rows = [], []
            for _ in range(repeat):
                rows = []
                gc.collect()
                t0 = time.perf_counter()
                cur.execute(query)
                rows = cur.fetchall()
                runs.append(time.perf_counter() - t0)
            stored = []
            for _ in range(max(1, repeat - 1)):
                cur.execute("DROP TABLE IF EXISTS grouped")
                t0 = time.perf_counter()
                cur.execute(f"CREATE TEMP TABLE grouped AS {query}")
                stored.append(time.perf_counter() - t0)
        conn.rollback()
    pairs = np.asarray(rows, dtype=np.int64)
    del rows
    order = np.argsort(pairs[:, 0])
    grp = pairs[order, 1]
    # Dense numbering for canonical(): alone plans have negative numbers.
    _, dense = np.unique(grp, return_inverse=True)
    return PostgresRun(min(runs), runs, min(stored), load, canonical(dense), version)


def same_partition(a: np.ndarray, b_canonical: np.ndarray) -> bool:
    return bool(np.array_equal(canonical(a), b_canonical))


def median(xs: list[float]) -> float:
    return statistics.median(xs)
