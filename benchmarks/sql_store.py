"""Benchmark of the SQL store against raw driver code on the same server, in the same run.

1. File-plan latency on PostgreSQL: one unit of work doing lock_enterprise +
   ledger.check_and_reserve + plans.add + outbox.add + commit, against a raw psycopg
   transaction doing SELECT ... FOR UPDATE + count + INSERT + COMMIT. Target <= 2.0x.
2. Bulk import of 100,000 plans (SQLStore.import_plans) on SQLite, PostgreSQL and MariaDB,
   against a raw ``executemany`` of the same, already serialised rows. Target <= 3x.

Both sides run in alternating blocks of 50 filings (a burst of load from elsewhere hits
both alike) and each reports its median; the values a filing stores are built before
timing. For reference the latency run also times raw psycopg sending the store's own
statements one by one (lock + read + three inserts): the floor for that much work.

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
from jointinspect_sqlalchemy.codec import dumps, micros
from jointinspect_sqlalchemy.store import _plan_row, _reservation_row

from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope
from testsupport import servers

T0 = pendulum.datetime(2026, 1, 5, 1, tz="UTC")
RULE = RuleCheck(
    "one_per_week", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], window=pendulum.duration(days=7)
)


def _plan(n: int, enterprise: str, at: pendulum.DateTime) -> Plan:
    return Plan(
        f"p{n:07d}",
        enterprise,
        "SCJG",
        ["SCJG-01"],
        ["SCJG-I01", "SCJG-I02"],
        Window(at, at.add(hours=4)),
        InspectionKind.ROUTINE,
        T0,
    )


def _inputs(count: int, enterprises: list[str]) -> list[tuple[str, Plan, Reservation, Notification]]:
    """The values each filing stores, built before timing (the raw side builds none)."""
    out = []
    for i in range(count):
        ent = enterprises[i % len(enterprises)]
        at = T0.add(days=14 * (i // len(enterprises)))
        plan = _plan(i, ent, at)
        out.append(
            (
                ent,
                plan,
                Reservation(plan.id, ent, plan.department, plan.inspectors, plan.kind, at),
                Notification(f"plan.filed:{plan.id}", "plan.filed", Role.SUPERVISOR, "judicial", plan.id, T0),
            )
        )
    return out


def _store_filing(store: SQLStore, inputs: list[tuple[str, Plan, Reservation, Notification]]) -> Callable[[int], None]:
    def through_store(i: int) -> None:
        ent, plan, request, note = inputs[i]
        with store.unit_of_work() as uow:
            uow.lock_enterprise(ent)
            assert uow.ledger.check_and_reserve(request, [RULE], T0).allowed
            uow.plans.add(plan)
            uow.outbox.add(note)
            uow.commit()

    return through_store


def _interleaved(sides: dict[str, Callable[[int], None]], rounds: int, block: int = 50) -> dict[str, float]:
    """Median seconds per call of each side, run in alternating blocks (so that a burst of
    load from elsewhere on the machine hits every side alike); side ``k`` gets the call
    numbers ``k, k + n, k + 2n, ...``."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    counters = dict.fromkeys(sides, 0)
    n = len(sides)
    for r in range(rounds + 1):
        for k, (name, fn) in enumerate(sides.items()):
            for _ in range(block):
                i = counters[name] * n + k
                counters[name] += 1
                start = time.perf_counter()
                fn(i)
                if r:  # round 0 warms statement caches and pools
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def filing_latency(url: str, filings: int) -> dict[str, float]:
    """Median seconds per filing on PostgreSQL: the SQLStore, the raw psycopg baseline
    (lock + count + insert), and, for reference, raw psycopg sending the store's own
    statements (lock + read + three inserts) one by one."""
    store = SQLStore(url, create=True)
    enterprises = [f"9137060000000{e:05d}" for e in range(50)]
    rounds = max(filings // 50, 1)
    inputs = _inputs(3 * 50 * (rounds + 1), enterprises)
    raw_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(raw_url)
    conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_locks (enterprise varchar(255) PRIMARY KEY)")
        cur.execute(
            "CREATE TABLE raw_visits (id varchar(255) PRIMARY KEY, enterprise varchar(255), at bigint, body text)"
        )
        cur.execute("CREATE INDEX ON raw_visits (enterprise, at)")
        cur.executemany("INSERT INTO raw_locks VALUES (%s)", [(e,) for e in enterprises])
        cur.executemany(
            "INSERT INTO ji_enterprise_locks VALUES (%s) ON CONFLICT DO NOTHING", [(e,) for e in enterprises]
        )
    conn.commit()

    def raw(i: int) -> None:
        ent = enterprises[i % 50]
        at = 14 * 86_400_000_000 * (i // 50)
        with conn.cursor() as cur:
            cur.execute("SELECT enterprise FROM raw_locks WHERE enterprise = %s FOR UPDATE", (ent,))
            cur.execute(
                "SELECT count(*) FROM raw_visits WHERE enterprise = %s AND at > %s AND at < %s",
                (ent, at - 7 * 86_400_000_000, at + 7 * 86_400_000_000),
            )
            assert cur.fetchone() == (0,)
            cur.execute("INSERT INTO raw_visits VALUES (%s, %s, %s, %s)", (f"v{i}", ent, at, "{}"))
        conn.commit()

    week = 7 * 86_400_000_000

    def same_statements(i: int) -> None:
        ent, plan, request, note = inputs[i]
        at = micros(request.at)
        with conn.cursor() as cur:
            cur.execute("SELECT enterprise FROM ji_enterprise_locks WHERE enterprise = %s FOR UPDATE", (ent,))
            cur.fetchall()
            cur.execute(
                "SELECT id, enterprise, department, inspectors, kind, at, state, expires_at, departments"
                " FROM ji_reservations WHERE id = %s OR (enterprise = %s AND at >= %s AND at < %s)",
                (request.id, ent, at - week + 1, at + week),
            )
            assert cur.fetchall() == []
            cur.execute(
                "INSERT INTO ji_reservations VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                tuple(_reservation_row(request).values()),
            )
            cur.execute(
                "INSERT INTO ji_plans (id, enterprise, filed_at, status, body)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                tuple(_plan_row(plan).values()),
            )
            cur.execute(
                "INSERT INTO ji_outbox (key, delivered, body) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (note.key, False, dumps(note)),
            )
        conn.commit()

    medians = _interleaved(
        {"store": _store_filing(store, inputs), "raw": raw, "same statements": same_statements}, rounds
    )
    conn.close()
    store.close()
    return medians


def store_filing_latency(url: str, filings: int) -> float:
    """Median seconds per filing through the SQLStore alone (SQLite, MariaDB)."""
    store = SQLStore(url, create=True)
    enterprises = [f"9137060000000{e:05d}" for e in range(50)]
    rounds = max(filings // 50, 1)
    inputs = _inputs(50 * (rounds + 1), enterprises)
    median = _interleaved({"store": _store_filing(store, inputs)}, rounds)["store"]
    with store.unit_of_work() as uow:
        for table in (s.plans, s.outbox, s.reservations):
            uow.execute(delete(table))
        uow.commit()
    store.close()
    return median


def _raw_executemany(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds for a raw driver executemany of ``rows`` into ji_plans (then removed)."""
    backend = make_url(url).get_backend_name()
    tuples = [(r["id"], r["enterprise"], r["filed_at"], r["status"], r["body"]) for r in rows]
    if backend == "sqlite":
        conn: Any = sqlite3.connect(make_url(url).database or "")
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (?, ?, ?, ?, ?)"
    elif backend == "postgresql":
        conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (%s, %s, %s, %s, %s)"
    else:
        u = make_url(url)
        conn = pymysql.connect(
            host=u.host, port=u.port, user=u.username, password=u.password or "", database=u.database, charset="utf8mb4"
        )
        sql = "INSERT INTO ji_plans (id, enterprise, filed_at, status, body) VALUES (%s, %s, %s, %s, %s)"
    start = time.perf_counter()
    cur = conn.cursor()
    for i in range(0, len(tuples), 5_000):
        cur.executemany(sql, tuples[i : i + 5_000])
    conn.commit()
    elapsed = time.perf_counter() - start
    cur.execute("DELETE FROM ji_plans")
    conn.commit()
    conn.close()
    return elapsed


def bulk_import(url: str, count: int, repeats: int = 2) -> tuple[float, float]:
    """Best seconds of ``repeats`` alternating runs to import ``count`` plans:
    (SQLStore.import_plans, raw executemany of the already serialised rows)."""
    store = SQLStore(url, create=True)
    with store.unit_of_work() as uow:  # the latency run left plans behind
        uow.execute(delete(s.plans))
        uow.commit()
    plans = [_plan(n, f"9137060000000{n % 5000:05d}", T0.add(days=n % 365)) for n in range(count)]
    rows = [_plan_row(p) for p in plans]
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeats):
        theirs.append(_raw_executemany(url, rows))
        start = time.perf_counter()
        assert store.import_plans(plans) == count
        ours.append(time.perf_counter() - start)
        with store.unit_of_work() as uow:
            uow.execute(delete(s.plans))
            uow.commit()
    store.close()
    return min(ours), min(theirs)


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
            m = filing_latency(urls["postgresql"], args.filings)
            print(
                f"file-plan latency, PostgreSQL: SQLStore {m['store'] * 1e3:.3f} ms, raw psycopg "
                f"{m['raw'] * 1e3:.3f} ms, ratio {m['store'] / m['raw']:.2f}x (target <= 2.0x); "
                f"raw psycopg sending the store's statements {m['same statements'] * 1e3:.3f} ms "
                f"({m['same statements'] / m['raw']:.2f}x)"
            )
        for name in ("sqlite", "mariadb"):
            if name in urls:
                latency = store_filing_latency(urls[name], args.filings)
                print(f"file-plan latency, {name}: SQLStore {latency * 1e3:.3f} ms")
        for name, url in urls.items():
            ours, theirs = bulk_import(url, args.plans)
            print(
                f"bulk import of {args.plans} plans, {name}: import_plans {ours:.2f} s, raw "
                f"executemany {theirs:.2f} s, ratio {ours / theirs:.2f}x (target <= 3x)"
            )
    finally:
        for server in started:
            server.close()


if __name__ == "__main__":
    main()
