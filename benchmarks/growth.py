"""Figures for issue 9 (phase 2): audit verification on SQL stores, operation latency as
delivered outbox rows accumulate.

Usage::

    python benchmarks/growth.py [--entries 20000] [--sizes 1000,10000,100000,1000000]
                                [--pg-url postgresql://...] [--before]

* audit: verify N entries of a SQLite (and PostgreSQL) store: time and peak Python memory
  (tracemalloc, a second run). ``--before`` measures the old path (``entries()`` as one
  list, then `verify`) — run it with an older checkout on ``PYTHONPATH`` for the baseline.
* growth: mean ``file_plan`` latency (auto-delivery to a collecting notifier) on the
  memory store and SQLite after seeding 1k ... 1M delivered outbox rows directly through
  the store; a flat row means history does not slow operations down.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

import attrs
import pendulum

from jointinspect import audit as audit_chain
from jointinspect.audit import AuditRecord, verify
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role
from jointinspect.model.reference import CreditClass
from jointinspect.ports import Store
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # testsupport.*

from benchmarks.measure import time_and_peak

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
SEED = b"growth-benchmark-signing-seed-32"


def _sql_store(url: str) -> Store:
    from jointinspect_sqlalchemy import SQLStore  # noqa: PLC0415 - optional adapter

    return SQLStore(url, create=True)


def audit(label: str, store: Store, entries: int, *, before: bool) -> tuple[float, float]:
    """Append ``entries`` records, then verify them; print and return (seconds, MiB)."""
    batch = 2000
    for start in range(0, entries, batch):
        with store.unit_of_work() as uow:
            for n in range(start + 1, min(start + batch, entries) + 1):
                uow.audit.append(AuditRecord(T0.add(seconds=n), "officer:SCJG", "plan.filed", f"plan-{n}", {"k": n}))
            uow.commit()

    def run() -> int:
        with store.unit_of_work() as uow:
            if before:
                return verify(uow.audit.entries())
            return audit_chain.verify_log(uow.audit)  # absent before phase 1

    seconds, mib = time_and_peak(run)
    way = "list (before)" if before else "streaming"
    print(f"audit verify, {label}, {entries:,} entries, {way}: {seconds:.2f} s, {mib:.2f} MiB peak")
    return seconds, mib


def _seed_outbox(store: Store, rows: int) -> None:
    """``rows`` delivered notifications, written through the store (bulk on SQL)."""
    notes = (Notification(f"old-{n}", "plan.filed", Role.DEPARTMENT, "SCJG", f"s{n}", T0) for n in range(rows))
    if isinstance(store, MemoryStore):
        with store.unit_of_work() as uow:
            for note in notes:
                uow.outbox.add(note)
            uow.outbox.mark_delivered([f"old-{n}" for n in range(rows)])
            uow.commit()
        return
    from jointinspect_sqlalchemy import codec  # noqa: PLC0415 - optional adapter
    from jointinspect_sqlalchemy import schema as s  # noqa: PLC0415
    from sqlalchemy import insert  # noqa: PLC0415

    engine = store.engine  # type: ignore[attr-defined]
    chunk: list[dict[str, object]] = []
    with engine.begin() as conn:
        for note in notes:
            chunk.append({"key": note.key, "delivered": True, "body": codec.dumps(note), "at": codec.micros(note.at)})
            if len(chunk) == 20_000:
                conn.execute(insert(s.outbox), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(s.outbox), chunk)


def file_latency(store: Store, delivered: int, ops: int = 200) -> float:
    """Mean ``file_plan`` time (with auto-delivery) after seeding ``delivered`` rows."""
    city = build_city(enterprises=ops, departments=2)
    city = attrs.evolve(city, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in city.enterprises))
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    eng = Engine(
        store=store,
        clock=clock,
        notifier=CollectingNotifier(),
        keys=MemoryKeyStore.from_seed(SEED),
        ids=lambda: f"id{next(counter):07d}",
    )
    populate(eng, city)
    _seed_outbox(store, delivered)
    requests = [
        PlanRequest(
            e.credit_code,
            "SCJG",
            T0.add(hours=n % 50),
            T0.add(hours=n % 50 + 8),
            items=("SCJG-01",),
            inspectors=("SCJG-I01", "SCJG-I02"),
        )
        for n, e in enumerate(city.enterprises)
    ]
    officer = Principal.officer("SCJG")
    for request in requests[:10]:  # warm up
        eng.file_plan(request, by=officer)
    started = time.perf_counter()
    for request in requests[10:]:
        eng.file_plan(request, by=officer)
    return (time.perf_counter() - started) / (len(requests) - 10)


def growth(sizes: list[int], sql_sizes: list[int]) -> list[tuple[str, int, float]]:
    """The latency table rows: (store, delivered rows, seconds per file_plan)."""
    out = []
    for rows in sizes:
        out.append(("memory", rows, file_latency(MemoryStore(), rows)))
        print(f"file_plan, memory, {rows:,} delivered rows: {out[-1][2] * 1e3:.2f} ms")
    for rows in sql_sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = _sql_store(f"sqlite:///{Path(tmp) / 'growth.db'}")
            try:
                out.append(("sqlite", rows, file_latency(store, rows)))
            finally:
                store.close()
        print(f"file_plan, sqlite, {rows:,} delivered rows: {out[-1][2] * 1e3:.2f} ms")
    return out


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--sql-sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--before", action="store_true", help="the old verify path (list, no head)")
    parser.add_argument("--audit-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = _sql_store(f"sqlite:///{Path(tmp) / 'audit.db'}")
        try:
            audit("sqlite", store, args.entries, before=args.before)
        finally:
            store.close()
    pg_url, server = args.pg_url, None
    if pg_url is None:
        from testsupport import servers as ts  # noqa: PLC0415 - optional, imported when used

        try:
            server = ts.start_postgres()
            pg_url = server.url
        except (ts.ServerBinariesMissing, ts.ServerStartError) as exc:
            print(f"PostgreSQL not started: {exc}")
    try:
        if pg_url:
            url = pg_url if "+psycopg" in pg_url else pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
            store = _sql_store(url)
            try:
                audit("postgresql", store, args.entries, before=args.before)
            finally:
                store.close()
    finally:
        if server is not None:
            server.close()
    if not args.audit_only:
        growth([int(x) for x in args.sizes.split(",")], [int(x) for x in args.sql_sizes.split(",")])


if __name__ == "__main__":
    main()
