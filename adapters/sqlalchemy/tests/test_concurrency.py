"""Exactly one planned visit per enterprise and window, under 16 racing threads and
16 racing processes, for hundreds of rounds on every backend.

A worker's attempt is the filing transaction's core: lock the enterprise, check and
reserve in the ledger, insert the plan and its outbox notification, commit. Round ``r``
races all workers on the window of week ``r``; a barrier releases them together.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.schema import outbox, plans
from jointinspect_sqlalchemy.store import count_rows

from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope

WORKERS = 16
THREAD_ROUNDS = 100
PROCESS_ROUNDS = 200
ENTERPRISE = "91370600MA3C1XYZ0A"
T0 = pendulum.datetime(2026, 1, 5, 1, tz="UTC")
ONE_PER_WEEK = RuleCheck(
    "one_planned_per_week",
    Action.BLOCK,
    1,
    Scope.ENTERPRISE,
    [InspectionKind.ROUTINE],
    window=pendulum.duration(days=7),
)


def attempt(store: SQLStore, round_no: int, worker: int) -> bool:
    """One filing attempt; ``True`` when this worker got the planned visit."""
    # Rounds are 14 days apart, so only the workers of one round compete.
    at = T0.add(days=14 * round_no, hours=worker % 8)
    pid = f"r{round_no}-w{worker}"
    request = Reservation(pid, ENTERPRISE, f"D{worker % 3}", [f"I{worker}"], InspectionKind.ROUTINE, at)
    with store.unit_of_work() as uow:
        uow.lock_enterprise(ENTERPRISE)
        decision = uow.ledger.check_and_reserve(request, [ONE_PER_WEEK], T0)
        if not decision.allowed:
            return False
        uow.plans.add(
            Plan(
                pid,
                ENTERPRISE,
                request.department,
                ["X-01"],
                request.inspectors,
                Window(at, at.add(hours=2)),
                InspectionKind.ROUTINE,
                T0,
            )
        )
        uow.outbox.add(Notification(f"plan.filed:{pid}", "plan.filed", Role.SUPERVISOR, "judicial", pid, T0))
        uow.commit()
    return True


def _process_worker(url: str, worker: int, rounds: int, barrier: Any, wins: Any) -> None:
    store = SQLStore(url, pool_size=1) if not url.startswith("sqlite") else SQLStore(url)
    try:
        for r in range(rounds):
            barrier.wait(timeout=60)
            if attempt(store, r, worker):
                with wins.get_lock():
                    wins[r] += 1
    finally:
        store.close()


def _check_database(store: SQLStore, rounds: int) -> None:
    reservations = store.ledger().reservations(ENTERPRISE)
    assert len(reservations) == rounds
    weeks = sorted(int((r.at - T0).in_days() // 14) for r in reservations)
    assert weeks == list(range(rounds))
    assert count_rows(store, plans) == rounds
    assert count_rows(store, outbox) == rounds


@pytest.mark.slow
def test_threads_race_one_winner_per_round(sql_store: SQLStore) -> None:
    barrier = threading.Barrier(WORKERS)
    wins = [0] * THREAD_ROUNDS
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            for r in range(THREAD_ROUNDS):
                barrier.wait(timeout=60)
                if attempt(sql_store, r, worker):
                    with lock:
                        wins[r] += 1
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert wins == [1] * THREAD_ROUNDS
    _check_database(sql_store, THREAD_ROUNDS)


@pytest.mark.slow
def test_processes_race_one_winner_per_round(sql_store: SQLStore, sql_url: str) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    wins = ctx.Array("i", PROCESS_ROUNDS)
    procs = [
        ctx.Process(target=_process_worker, args=(sql_url, w, PROCESS_ROUNDS, barrier, wins)) for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    assert wins[:] == [1] * PROCESS_ROUNDS
    _check_database(sql_store, PROCESS_ROUNDS)
