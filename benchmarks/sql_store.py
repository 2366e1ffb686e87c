"""Benchmark of the SQL store against raw driver code on the same server, in the same run.

1. File-plan latency on PostgreSQL: one unit of work doing lock_enterprise +
   ledger.check_and_reserve + plans.add + outbox.add + commit, against a raw psycopg
   transaction doing SELECT ... FOR UPDATE + count + INSERT + COMMIT. Target <= 2.0x.
2. Bulk import of 100,000 plans (SQLStore.import_plans) on SQLite, PostgreSQL and MariaDB,
   against a raw ``executemany`` of the same, already serialised rows. Target <= 3x.

Usage: ``python benchmarks/sql_store.py [--plans 100000] [--filings 1000]``. Servers are
started with testsupport.servers (PostgreSQL / MariaDB binaries must be installed);
a missing one is reported and skipped.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import psycopg
import pymysql
from sqlalchemy import delete
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.store import _plan_row

from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope
from testsupport import servers

T0 = pendulum.datetime(2026, 1, 5, 1, tz="UTC")
RULE = RuleCheck("one_per_week", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE],
                 window=pendulum.duration(days=7))


def _plan(n: int, enterprise: str, at: pendulum.DateTime) -> Plan:
    return Plan(f"p{n:07d}", enterprise, "SCJG", ["SCJG-01"], ["SCJG-I01", "SCJG-I02"],
                Window(at, at.add(hours=4)), InspectionKind.ROUTINE, T0)


def _timed(fn: Callable[[int], Any], n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def filing_latency(url: str, filings: int) -> tuple[float, float]:
    """Median seconds per filing: (SQLStore, raw psycopg)."""
    store = SQLStore(url, create=True)
    enterprises = [f"9137060000000{e:05d}" for e in range(50)]

    def through_store(i: int) -> None:
        ent = enterprises[i % 50]
        at = T0.add(days=14 * (i // 50))
        plan = _plan(i, ent, at)
        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            decision = uow.ledger.check_and_reserve(
                Reservation(plan.id, ent, plan.department, plan.inspectors, plan.kind, at), [RULE], T0
            )
            assert decision.allowed
            uow.plans.add(plan)
            uow.outbox.add(Notification(f"plan.filed:{plan.id}", "plan.filed", Role.SUPERVISOR,
                                        "judicial", plan.id, T0))
            uow.commit()

    raw_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(raw_url)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_locks (enterprise varchar(255) PRIMARY KEY)")
        cur.execute("CREATE TABLE raw_visits (id varchar(255) PRIMARY KEY, enterprise varchar(255),"
                    " at bigint, body text)")
        cur.execute("CREATE INDEX ON raw_visits (enterprise, at)")
        cur.executemany("INSERT INTO raw_locks VALUES (%s)", [(e,) for e in enterprises])
    conn.commit()

    def raw(i: int) -> None:
        ent = enterprises[i % 50]
        at = 14 * 86_400_000_000 * (i // 50)
        with conn.cursor() as cur:
            cur.execute("SELECT enterprise FROM raw_locks WHERE enterprise = %s FOR UPDATE", (ent,))
            cur.execute("SELECT count(*) FROM raw_visits WHERE enterprise = %s AND at > %s AND at < %s",
                        (ent, at - 7 * 86_400_000_000, at + 7 * 86_400_000_000))
            assert cur.fetchone() == (0,)
            cur.execute("INSERT INTO raw_visits VALUES (%s, %s, %s, %s)", (f"v{i}", ent, at, "{}"))
        conn.commit()

    # Warm both paths (statement caches, pools) before measuring.
    _timed(through_store, 50)
    _timed(lambda i: raw(i + 10_000_000), 50)
    ours = statistics.median(_timed(lambda i: through_store(i + 50), filings))
    theirs = statistics.median(_timed(raw, filings))
    conn.close()
    store.close()
    return ours, theirs


def _raw_executemany(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds for a raw driver executemany of ``rows`` into ji_plans (then removed)."""
    backend = make_url(url).get_backend_name()
    tuples = [(r["id"], r["enterprise"], r["filed_at"], r["status"], r["body"]) for r in rows]
    if backend == "sqlite":
        conn: Any = sqlite3.connect(make_url(url).database)
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (?, ?, ?, ?, ?)"
    elif backend == "postgresql":
        conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (%s, %s, %s, %s, %s)"
    else:
        u = make_url(url)
        conn = pymysql.connect(host=u.host, port=u.port, user=u.username, password=u.password or "",
                               database=u.database, charset="utf8mb4")
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (%s, %s, %s, %s, %s)"
    start = time.perf_counter()
    cur = conn.cursor()
    for i in range(0, len(tuples), 5_000):
        cur.executemany(sql, tuples[i:i + 5_000])
    conn.commit()
    elapsed = time.perf_counter() - start
    cur.execute("DELETE FROM ji_plans")
    conn.commit()
    conn.close()
    return elapsed


def bulk_import(url: str, count: int) -> tuple[float, float]:
    """Seconds to import ``count`` plans: (SQLStore.import_plans, raw executemany)."""
    store = SQLStore(url, create=True)
    with store.unit_of_work() as uow:  # the latency run left plans behind
        uow.execute(delete(s.plans))
        uow.commit()
    plans = [_plan(n, f"9137060000000{n % 5000:05d}", T0.add(days=n % 365)) for n in range(count)]
    rows = [_plan_row(p) for p in plans]
    theirs = _raw_executemany(url, rows)
    start = time.perf_counter()
    assert store.import_plans(plans) == count
    ours = time.perf_counter() - start
    with store.unit_of_work() as uow:
        uow.execute(delete(s.plans))
        uow.commit()
    store.close()
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--filings", type=int, default=1_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ji-bench-"))
    urls: dict[str, str] = {"sqlite": f"sqlite:///{tmp / 'bench.db'}"}
    started: list[Any] = []
    for name, start in (("postgresql", servers.start_postgres), ("mariadb", servers.start_mariadb)):
        try:
            server = start()
        except servers.ServerBinariesMissing as exc:
            print(f"{name}: skipped ({exc})")
            continue
        started.append(server)
        urls[name] = server.create_database()
    try:
        if "postgresql" in urls:
            ours, theirs = filing_latency(urls["postgresql"], args.filings)
            print(f"file-plan latency, PostgreSQL: SQLStore {ours * 1e3:.3f} ms, raw psycopg "
                  f"{theirs * 1e3:.3f} ms, ratio {ours / theirs:.2f}x (target <= 2.0x)")
        for name, url in urls.items():
            ours, theirs = bulk_import(url, args.plans)
            print(f"bulk import of {args.plans} plans, {name}: import_plans {ours:.2f} s, raw "
                  f"executemany {theirs:.2f} s, ratio {ours / theirs:.2f}x (target <= 3x)")
    finally:
        for server in started:
            server.close()


if __name__ == "__main__":
    main()
