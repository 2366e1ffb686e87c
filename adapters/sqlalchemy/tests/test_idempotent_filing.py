"""Issue 8: two processes filing the same plan number at once get one plan, on every backend."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pendulum
from jointinspect_sqlalchemy import SQLStore

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.policy.schema import Policy
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=2, departments=2)
ENT = next(e for e in CITY.enterprises if e.credit_class != "A").credit_code
SEED = b"idempotent-filing-test-seed-32b!"
WORKERS = 4


def _engine(store: SQLStore) -> Engine:
    return Engine(
        store=store,
        policy=Policy(),
        clock=FixedClock(T0.subtract(days=21)),
        keys=MemoryKeyStore.from_seed(SEED),
    )


def _request() -> PlanRequest:
    return PlanRequest(
        ENT,
        "SCJG",
        T0,
        T0.add(hours=8),
        items=["SCJG-01"],
        inspectors=["SCJG-I01", "SCJG-I02"],
        idempotency_key="SCJG-2026-0007",
    )


def _worker(url: str, barrier: Any, results: Any) -> None:
    store = SQLStore(url, pool_size=1) if not url.startswith("sqlite") else SQLStore(url)
    try:
        engine = _engine(store)
        barrier.wait(timeout=60)
        out = engine.file_plan(_request(), by=Principal.officer("SCJG"))
        results.put((out.plan.id, out.replayed))
    finally:
        store.close()


def test_processes_filing_one_plan_number_at_once_get_one_plan(sql_store: SQLStore, sql_url: str) -> None:
    populate(_engine(sql_store), CITY)
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(sql_url, barrier, results)) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    assert len({plan_id for plan_id, _ in got}) == 1
    assert sorted(replayed for _, replayed in got) == [False] + [True] * (WORKERS - 1)
    with sql_store.unit_of_work() as uow:
        assert len(uow.plans.for_enterprise(ENT)) == 1
        assert len(uow.ledger.reservations(ENT)) == 1
