"""Bulk filing (issue 11): `Engine.file_plans` against filing one by one and against a raw
``executemany`` of the same plan rows into the plans table, on SQLite and PostgreSQL.

The workload: ``plans`` routine plans over ``plans / 10`` enterprises, ten rounds per
enterprise; two departments file for the same day in each pair of rounds (the second
plan joins the first's visit: a joint inspection), and the pairs are five weeks apart
(the frequency rules allow them). Every rule of ``file_plan`` runs: validation,
authorization, whitelist, advance notice, merging, the frequency ledger, audit entries
and notifications.

* ``file_plans``: all plans in one call (chunks of `jointinspect.operations.bulk.DEFAULT_CHUNK`).
* one by one: ``file_plan`` per plan, timed on a fresh store on every plan of the first
  ``sample / 10`` enterprises (all rounds, joins included) and extrapolated linearly to
  ``plans`` (said so in the output).
* executemany of all rows (the baseline of the ratio): every row file_plans stored — plans,
  visits, reservations, visit-department rows, enterprise lock rows, audit entries and
  head, outbox notifications — read back from its database after the run, and inserted
  into an empty database of the same schema with the driver's ``executemany`` (5,000 rows
  a call), one table after another in dependency order, and committed once; run
  `BASELINE_RUNS` times, each into a new database, the fastest kept. That is the
  least any bulk filing must write to leave the same state, so it is the honest floor:
  a plans-only baseline would credit file_plans with writing four rows in eight (the
  idempotency key is a column of the plan row, not a table of its own).
* executemany of the plan rows only (the earlier baseline, kept so both ratios show):
  the plan rows alone into an empty plans table, committed.
* the floor: file_plans of the same workload shape (``--floor`` plans, 10 rounds) on the
  memory store, which does no I/O at all, extrapolated linearly to ``plans``: what the rules
  cost in Python, which no batching of SQL statements can remove.

Usage: ``python benchmarks/bulk.py [--plans 100000] [--sample 2000] [--floor 20000] [--pg-url URL]``
(PostgreSQL is started with testsupport.servers when no URL is given).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pendulum
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy import schema as sql_schema
from jointinspect_sqlalchemy.store import _plan_row

from benchmarks.servers import fresh_pg_database
from benchmarks.sql_store import _raw_executemany
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import Plan
from jointinspect.model.reference import Department, Enterprise, GeoPoint, Inspector, SupervisionItem
from jointinspect.ports import Store
from jointinspect.requests import PlanRequest
from jointinspect.sample import credit_code
from testsupport import servers

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
#: Runs of the executemany baseline; the fastest is the one compared (the strictest, and
#: the least disturbed by whatever else the machine runs).
BASELINE_RUNS = 3
DEPARTMENTS = ("SCJG", "YJGL")


def register(store: Store, enterprises: int) -> None:
    """The two departments, their items and inspectors, and the enterprises, written directly."""
    with store.unit_of_work() as uow:
        for dept in DEPARTMENTS:
            uow.reference.put_department(Department(dept, dept))
            uow.reference.put_item(SupervisionItem(f"{dept}-01", "item", dept, "market"))
            for k in (1, 2):
                uow.reference.put_inspector(
                    Inspector(
                        f"{dept}-I0{k}", f"执法人员{k}", dept, f"3700{k}{dept}", ("market",), "2020-01-01", "2030-12-31"
                    )
                )
        for n in range(enterprises):
            uow.reference.put_enterprise(Enterprise(credit_code(n), f"企业{n}", GeoPoint(37.5, 121.4)))
        uow.commit()


def requests(plans: int) -> list[PlanRequest]:
    """The workload (see the module docstring), in filing order."""
    enterprises = max(1, plans // 10)
    out = []
    for n in range(plans):
        ent, round_ = n % enterprises, n // enterprises
        dept = DEPARTMENTS[round_ % 2]
        start = T0.add(days=10 + 35 * (round_ // 2))
        out.append(
            PlanRequest(
                credit_code(ent),
                dept,
                start,
                start.add(hours=8),
                items=[f"{dept}-01"],
                inspectors=[f"{dept}-I01", f"{dept}-I02"],
                idempotency_key=f"{dept}-{n}",
            )
        )
    return out


def engine(store: Store) -> Engine:
    counter = itertools.count()
    return Engine(store=store, clock=FixedClock(T0), ids=lambda: f"{next(counter):012d}", auto_deliver=False)


def by_department(batch: list[PlanRequest]) -> Iterator[tuple[Principal, list[PlanRequest]]]:
    """Consecutive requests of one department, with an officer of it (file_plans takes one principal)."""
    for dept, group in itertools.groupby(batch, key=lambda r: r.department):
        yield Principal.officer(dept), list(group)


def bulk(store: Store, batch: list[PlanRequest]) -> tuple[float, list[Plan], int]:
    """Seconds for file_plans of ``batch``; the plans stored; how many were refused."""
    e = engine(store)
    plans: list[Plan] = []
    refused = 0
    start = time.perf_counter()
    for by, part in by_department(batch):
        out = e.file_plans(part, by=by)
        plans += [f.plan for f in out.filed]
        refused += len(out.refused)
    return time.perf_counter() - start, plans, refused


def one_by_one(store: Store, batch: list[PlanRequest]) -> float:
    """Seconds for file_plan of each request of ``batch``."""
    e = engine(store)
    start = time.perf_counter()
    for request in batch:
        e.file_plan(request, by=Principal.officer(request.department))
    return time.perf_counter() - start


Rows = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def table_counts(url: str) -> dict[str, int]:
    """Rows in every table of the schema."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in sql_schema.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def written_rows(url: str, before: dict[str, int]) -> Rows:
    """Every row of the tables that gained rows since ``before`` (which must have been
    empty then: the rows read back are exactly the ones written since), in dependency order."""
    after = table_counts(url)
    grown = [t for t in sql_schema.metadata.sorted_tables if after[t.name] > before[t.name]]
    engine = create_engine(url)
    out: Rows = {}
    try:
        with engine.connect() as conn:
            for t in grown:
                if before[t.name]:
                    raise RuntimeError(f"{t.name} had rows before file_plans: the baseline would be wrong")
                columns = [c.name for c in t.columns]
                out[t.name] = (columns, [tuple(r) for r in conn.execute(select(t))])
    finally:
        engine.dispose()
    return out


def raw_executemany_all(url: str, rows: Rows) -> float:
    """Seconds for the driver's executemany of ``rows`` (5,000 a call, table by table in the
    given order) into the empty database at ``url``, committed once."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        import sqlite3  # noqa: PLC0415 - driver of this backend only

        conn: Any = sqlite3.connect(u.database or "")
        mark = "?"
    else:
        import psycopg  # noqa: PLC0415 - driver of this backend only

        conn = psycopg.connect(u.set(drivername="postgresql").render_as_string(False))
        mark = "%s"
    statements = {
        name: f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        for name, (columns, _) in rows.items()
    }
    start = time.perf_counter()
    cur = conn.cursor()
    for name, (_, values) in rows.items():
        for i in range(0, len(values), 5_000):
            cur.executemany(statements[name], values[i : i + 5_000])
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _raw_all_into(url: str, rows: Rows) -> float:
    """`raw_executemany_all` into a new empty database of the schema at ``url``."""
    SQLStore(url, create=True).close()
    return raw_executemany_all(url, rows)


@contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    if url is not None:
        yield url
        return
    try:
        server = servers.start_postgres()
    except (servers.ServerBinariesMissing, servers.ServerStartError) as exc:
        print(f"PostgreSQL not started: {exc}")
        yield None
        return
    try:
        yield server.url
    finally:
        server.close()


def measure(name: str, make_url: Callable[[str], str], plans: int, sample: int) -> dict[str, Any]:
    """The three figures on one database family; ``make_url(tag)`` gives a fresh empty database."""
    batch = requests(plans)
    enterprises = max(1, plans // 10)
    bulk_url = make_url("bulk")
    store = SQLStore(bulk_url, create=True)
    register(store, enterprises)
    before = table_counts(bulk_url)
    seconds, stored, refused = bulk(store, batch)
    store.close()
    written = written_rows(bulk_url, before)
    alone_store = SQLStore(make_url("alone"), create=True)
    register(alone_store, enterprises)
    # The sample is every plan of the first enterprises (all rounds, in filing order): the
    # first plans of the workload would all open new visits, none would join one.
    sampled = {credit_code(n) for n in range(max(1, sample // 10))}
    part = [r for r in batch if r.enterprise in sampled]
    alone = one_by_one(alone_store, part) * plans / len(part)
    alone_store.close()
    raw_url = make_url("raw")
    SQLStore(raw_url, create=True).close()
    raw = _raw_executemany(raw_url, [_plan_row(p) for p in stored])
    raw_all = min(_raw_all_into(make_url(f"all{n}"), written) for n in range(BASELINE_RUNS))
    rows = {name: len(values) for name, (_, values) in written.items()}
    figures = {
        "family": name,
        "plans": plans,
        "filed": len(stored),
        "refused": refused,
        "file_plans": seconds,
        "one_by_one": alone,
        "sample": sample,
        "executemany": raw,
        "executemany_all": raw_all,
        "rows": rows,
    }
    print(
        f"{name}: {plans:,} plans ({len(stored):,} filed, {refused:,} refused): file_plans {seconds:.2f} s"
        f" ({plans / seconds:,.0f}/s); one by one {alone:.1f} s (extrapolated from {sample:,});"
        f" executemany of all {sum(rows.values()):,} rows {raw_all:.2f} s (fastest of {BASELINE_RUNS})"
        f" ({', '.join(f'{t} {n:,}' for t, n in rows.items())});"
        f" executemany of the {len(stored):,} plan rows {raw:.2f} s;"
        f" file_plans / executemany of all rows {seconds / raw_all:.1f}x;"
        f" file_plans / executemany of plan rows {seconds / raw:.1f}x;"
        f" one by one / file_plans {alone / seconds:.1f}x",
        flush=True,
    )
    return figures


def memory_floor(plans: int, size: int) -> float:
    """Seconds file_plans would take for ``plans`` on the memory store (no I/O), measured on
    ``size`` plans of the same shape and extrapolated linearly."""
    size = min(size, plans)
    store = MemoryStore()
    register(store, max(1, size // 10))
    seconds, stored, _ = bulk(store, requests(size))
    floor = seconds * plans / size
    print(
        f"memory store (no I/O): file_plans {seconds:.2f} s for {size:,} plans ({len(stored):,} filed),"
        f" {seconds / size * 1e3:.3f} ms/plan; {plans:,} plans: {floor:.1f} s (extrapolated)",
        flush=True,
    )
    return floor


def run(
    plans: int, sample: int, pg_url: str | None, only: str | None = None, floor: int = 20_000
) -> list[dict[str, Any]]:
    """Measure the memory-store floor, then on SQLite (files in a temporary folder) and
    PostgreSQL (when available)."""
    if floor:
        memory_floor(plans, floor)
    results = []
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            results.append(measure("SQLite", lambda tag: f"sqlite:///{folder}/{tag}.db", plans, sample))
    if only not in (None, "postgresql"):
        return results
    with postgres(pg_url) as url:
        if url is not None:
            results.append(measure("PostgreSQL", lambda tag: fresh_pg_database(url, f"bulk_{tag}"), plans, sample))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--pg-url")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="measure one database only")
    parser.add_argument("--floor", type=int, default=20_000, help="plans filed on the memory store (0: skip)")
    args = parser.parse_args()
    run(args.plans, min(args.sample, args.plans), args.pg_url, args.only, args.floor)


if __name__ == "__main__":
    main()
