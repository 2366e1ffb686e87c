"""Licence expiry prewarning at Yantai's scale (issue 12): a sweep over 1,000,000 licences
against an indexed SQL range query selecting the same licences.

Usage::

    python benchmarks/licences.py [--licences 1000000] [--pg-url postgresql://...] [--no-pg]

The licences' expiries are spread evenly over 1,250 days from today, so that the 30-day lead
time (Yantai) reaches about 25,000 of them: the warnings of one day at Yantai's scale. On
SQLite and on PostgreSQL (started with ``testsupport.servers`` unless ``--pg-url`` is given):

* baseline: ``SELECT ... WHERE expires_on BETWEEN today AND today + 30 ORDER BY expires_on,
  kind, number``, every row fetched, on the store's own connection (the index the sweep uses);
* read path: the sweep's own paged read of the same licences (``LicenceRepository.unwarned``,
  keyset pages of the policy's size (5,000) on the expiry index), nothing written;
* claim path: the sweep's store step alone (``LicenceRepository.claim_unwarned``: each page
  read and the cursor moved in one step, committed per page), no notification;
* sweep: ``Engine.sweep_licences`` warning them: per page the claim, one outbox row (a
  ``licence.expiring_page`` bundle standing for a warning per licence to its holder and a
  digest per issuing department), one audit entry, one commit; then again the same day
  (nothing new to send);
* a reference for the sweep's writes: the outbox rows it queued (the bundles), bodies
  already encoded, inserted again with one SQLAlchemy executemany in one transaction; and,
  for comparison, the same for the rows the sweep queued before bundles (one per warning
  and digest: the bundles expanded);
* the expansion the relay does at delivery (``jointinspect.notices.expand_all`` of the
  bundles, Python only, not part of the sweep);
* peak Python memory (tracemalloc, separate runs): the baseline's one fetch against the
  sweep's pages.

Each figure is the best of interleaved rounds (a busy machine slows both sides alike); before
each round of the claim and the sweep the marks and the outbox are reset (not timed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pendulum

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # testsupport.*

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.model.notification import Notification
from jointinspect.notices import expand_all
from jointinspect.policy import preset
from jointinspect.sample import build_city

# 02:00 in Yantai on 1 March 2026.
NOW = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
TODAY = dt.date(2026, 3, 1)
SPREAD_DAYS = 1250
LEAD = 30
SYSTEM = Principal.system("licence-sweep")
#: the sweep's page (the policy default), for the read and claim paths measured alone
PAGE = preset("yantai").licences.page
T = TypeVar("T")


def _day(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def load(store: Any, count: int, batch: int = 20_000) -> None:
    """Insert ``count`` licences straight into ``ji_licences`` (loading is not measured)."""
    from jointinspect_sqlalchemy import schema  # noqa: PLC0415 - the adapter is optional

    holders = [e.credit_code for e in build_city(enterprises=2000, departments=8).enterprises]
    departments = ["SCJG", "WSJK", "YJGL", "XFJY", "STHJ", "ZJJ", "JTYS", "WHLY"]
    rows: list[dict[str, Any]] = []
    with store.engine.begin() as conn:
        for i in range(count):
            rows.append(
                {
                    "kind": ("food_business", "drug_retail", "special_equipment", "hygiene")[i % 4],
                    "number": f"L{i:09d}",
                    "holder": holders[i % len(holders)],
                    "department": departments[i % len(departments)],
                    "expires_on": _day(TODAY + dt.timedelta(days=(i * 7919) % SPREAD_DAYS)),
                }
            )
            if len(rows) == batch:
                conn.execute(schema.licences.insert(), rows)
                rows = []
        if rows:
            conn.execute(schema.licences.insert(), rows)
        if store.family == "postgresql":
            conn.exec_driver_sql("ANALYZE ji_licences")
        elif store.family == "sqlite":
            conn.exec_driver_sql("ANALYZE")


def range_query(store: Any) -> int:
    """The baseline: the indexed range query of the licences due, every row fetched."""
    sql = (
        "SELECT kind, number, holder, department, expires_on FROM ji_licences "
        f"WHERE expires_on BETWEEN {_day(TODAY)} AND {_day(TODAY + dt.timedelta(days=LEAD))} "
        "ORDER BY expires_on, kind, number"
    )
    with store.engine.connect() as conn:
        return len(conn.exec_driver_sql(sql).fetchall())


def read_path(store: Any, page: int = PAGE) -> int:
    """The sweep's own paged read of the same licences (nothing written)."""
    last, after, total = TODAY + dt.timedelta(days=LEAD), None, 0
    with store.unit_of_work() as uow:
        while True:
            rows = uow.licences.unwarned(LEAD, TODAY, last, after, page)
            total += len(rows)
            if len(rows) < page:
                return total
            after = (rows[-1].expires_on, rows[-1].kind, rows[-1].number)


def engine(store: Any) -> Engine:
    return Engine(store=store, policy=preset("yantai"), clock=FixedClock(NOW), auto_deliver=False)


def timed(call: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def timed_value(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def forget_warnings(store: Any) -> None:
    """Reset what a sweep wrote (cursors, outbox), so that the next round warns again."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM ji_licence_cursors WHERE lead_days <> 0")
        conn.exec_driver_sql("DELETE FROM ji_outbox")
    if store.family == "postgresql":
        # The deleted rows' dead versions would slow the next round: vacuum them.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE ji_licence_cursors")
            conn.exec_driver_sql("VACUUM ANALYZE ji_outbox")


def queued_rows(store: Any) -> list[dict[str, Any]]:
    """The outbox rows the sweep queued, as stored."""
    with store.engine.connect() as conn:
        return [
            {"key": r[0], "delivered": False, "body": r[1], "at": r[2]}
            for r in conn.exec_driver_sql("SELECT key, body, at FROM ji_outbox ORDER BY seq")
        ]


def per_licence_rows(store: Any) -> tuple[list[dict[str, Any]], float]:
    """The rows the sweep queued before bundles (the bundles expanded, bodies encoded) and
    the best of three times of the expansion alone (what the relay does at delivery)."""
    from jointinspect_sqlalchemy import codec  # noqa: PLC0415

    with store.unit_of_work() as uow:
        bundles = uow.outbox.pending(1_000_000)
    expanded: list[Notification] = []
    best = float("inf")
    for _ in range(3):
        seconds, expanded = timed_value(lambda: expand_all(bundles))
        best = min(best, seconds)
    rows = [{"key": n.key, "delivered": False, "body": codec.dumps(n), "at": codec.micros(n.at)} for n in expanded]
    return rows, best


def insert_floor(store: Any, rows: list[dict[str, Any]]) -> float:
    """A reference for the sweep's writes: ``rows``, bodies already encoded, inserted into
    the emptied outbox with one SQLAlchemy executemany in one transaction (best of two)."""
    from jointinspect_sqlalchemy import schema  # noqa: PLC0415

    best = float("inf")
    for _ in range(2):
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM ji_outbox")
        started = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(schema.outbox.insert(), rows)
        best = min(best, time.perf_counter() - started)
    return best


def claim_path(store: Any, page: int = PAGE) -> int:
    """The sweep's store step alone: claim each page (read it, move the cursor), commit, no
    notification."""
    last, after, total = TODAY + dt.timedelta(days=LEAD), None, 0
    while True:
        with store.unit_of_work() as uow:
            rows = uow.licences.claim_unwarned(LEAD, TODAY, last, after, page)
            uow.commit()
        total += len(rows)
        if not rows:
            return total
        after = (rows[-1].expires_on, rows[-1].kind, rows[-1].number)


def best_of(store: Any, rounds: int, call: Callable[[], int], expect: int) -> float:
    """The best time of ``rounds`` calls, each after a reset; each must return ``expect``."""
    best = float("inf")
    for _ in range(rounds):
        forget_warnings(store)
        seconds, result = timed(call)
        assert result == expect, (result, expect)
        best = min(best, seconds)
    return best


def measure(name: str, url: str, count: int, rounds: int) -> dict[str, float]:
    from jointinspect_sqlalchemy import SQLStore  # noqa: PLC0415

    store = SQLStore(url, create=True)
    try:
        t0 = time.perf_counter()
        load(store, count)
        print(f"{name}: loaded {count:,} licences in {time.perf_counter() - t0:.1f} s", flush=True)
        due = range_query(store)
        assert read_path(store) == due
        # Interleaved rounds, the best of each side: a busy machine slows both alike.
        pairs = [(timed(lambda: range_query(store))[0], timed(lambda: read_path(store))[0]) for _ in range(5)]
        baseline, read = min(r[0] for r in pairs), min(r[1] for r in pairs)
        claim = best_of(store, rounds, lambda: claim_path(store), due)
        sweep = best_of(store, rounds, lambda: engine(store).sweep_licences(by=SYSTEM), due)
        with store.unit_of_work() as uow:
            queued = len(uow.outbox.pending(10 * due + 10))
        again, resent = timed(lambda: engine(store).sweep_licences(by=SYSTEM))
        assert resent == 0
        bundles = queued_rows(store)
        expanded, expand_s = per_licence_rows(store)
        writes = insert_floor(store, bundles)
        writes_before = insert_floor(store, expanded)
        # The baseline once more after the sweeps (a busy machine): the better of the two.
        baseline = min(baseline, *(timed(lambda: range_query(store))[0] for _ in range(3)))
        peak_query = peak(lambda: range_query(store))
        forget_warnings(store)
        peak_sweep = peak(lambda: engine(store).sweep_licences(by=SYSTEM))
        figures = {
            "due": due,
            "baseline_s": baseline,
            "read_s": read,
            "claim_s": claim,
            "sweep_s": sweep,
            "again_s": again,
            "writes_s": writes,
            "writes_before_s": writes_before,
            "expand_s": expand_s,
            "peak_query": peak_query,
            "peak_sweep": peak_sweep,
        }
        print(
            f"licence sweep, {name}, {count:,} licences, {due:,} due: range query {baseline * 1e3:.1f} ms; "
            f"sweep read path {read * 1e3:.1f} ms ({read / baseline:.2f}x, target <= 2x); "
            f"claim path {claim * 1e3:.1f} ms ({claim / baseline:.2f}x); "
            f"sweep {sweep:.3f} s ({sweep / baseline:.2f}x, target <= 2x), {due / sweep:,.0f} licences/s, "
            f"{queued:,} outbox rows standing for {len(expanded):,} notifications (an executemany of those "
            f"rows alone, bodies ready: {writes * 1e3:.1f} ms, {writes / baseline:.2f}x; of one row per "
            f"notification, as before bundles: {writes_before * 1e3:.1f} ms, {writes_before / baseline:.2f}x); "
            f"expanding them at delivery {expand_s * 1e3:.1f} ms; "
            f"sweep again {again * 1e3:.1f} ms ({again / baseline:.2f}x); "
            f"peak Python memory: query {peak_query / 2**20:.1f} MiB, sweep {peak_sweep / 2**20:.1f} MiB",
            flush=True,
        )
        return figures
    finally:
        store.close()


def fresh_database(url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``url`` (its URL)."""
    import psycopg  # noqa: PLC0415 - optional, imported when used
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    parsed = make_url(url)
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=1_000_000)
    parser.add_argument("--pg-url")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the claim and of the sweep")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="ji-licences-") as tmp:
            measure("sqlite", f"sqlite:///{Path(tmp) / 'licences.db'}", args.licences, args.rounds)
    if args.no_pg:
        return
    server = None
    url = args.pg_url
    if url is None:
        from testsupport import servers  # noqa: PLC0415

        try:
            server = servers.start_postgres()
        except (servers.ServerBinariesMissing, servers.ServerStartError) as exc:
            print(f"postgresql: not measured ({exc})")
            return
        url = server.create_database()
    else:
        url = fresh_database(url, "bench_licences")
    try:
        measure(
            "postgresql",
            url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1),
            args.licences,
            args.rounds,
        )
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
