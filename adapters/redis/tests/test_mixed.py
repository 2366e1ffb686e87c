"""Mixed deployment: records in PostgreSQL, the frequency ledger in Redis (issue 4).

A failure between the two must leave neither a reservation without a plan nor a plan
without a reservation. The failure here is real: PostgreSQL terminates the unit of work's
backend connection just before it commits, after the Redis reservation was made.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest
import redis
from jointinspect_redis import RedisLedger
from jointinspect_sqlalchemy import SQLStore
from redis_support import unique_prefix
from sqlalchemy import text

from jointinspect import Engine, FixedClock, MemoryKeyStore, PlanRequest
from jointinspect.errors import FrequencyBlocked, OperationalError
from jointinspect.policy import MatchingPolicy, Policy
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=4, departments=3)
ENT = next(e for e in CITY.enterprises if e.credit_class != "A")


class CommitKillingStore(SQLStore):
    """A real SQL store; when armed, the next unit of work loses its PostgreSQL backend
    (pg_terminate_backend from a second connection) right before its commit."""

    armed = False

    def unit_of_work(self) -> Any:
        uow = super().unit_of_work()
        if not self.armed:
            return uow
        self.armed = False
        original = uow.commit

        def commit() -> None:
            victim = uow.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with self.engine.connect() as killer:
                killer.execute(text(f"SELECT pg_terminate_backend({int(victim)})"))
                killer.commit()
            original()

        uow.commit = commit
        return uow


@pytest.fixture
def setup(
    postgresql_db_url: str, single_client: redis.Redis
) -> Iterator[tuple[Engine, CommitKillingStore, RedisLedger]]:
    store = CommitKillingStore(postgresql_db_url, create=True)
    ledger = RedisLedger(single_client, prefix=unique_prefix())
    # no merging: plans are separate visits, so the Redis ledger decides.
    engine = Engine(
        store=store,
        ledger=ledger,
        policy=Policy(matching=MatchingPolicy(kinds=frozenset())),
        clock=FixedClock(T0.subtract(days=21)),
        keys=MemoryKeyStore.from_seed(b"mixed-redis-sql-test-seed-32byte"),
    )
    populate(engine, CITY)
    yield engine, store, ledger
    store.close()


def request(dept: str, day: int) -> PlanRequest:
    start = T0.add(days=day)
    return PlanRequest(
        ENT.credit_code,
        dept,
        start,
        start.add(hours=4),
        items=[f"{dept}-01"],
        inspectors=[f"{dept}-I01", f"{dept}-I02"],
    )


@pytest.mark.server("postgresql")
@pytest.mark.server("redis")
def test_failed_sql_commit_leaves_no_reservation(setup: tuple[Engine, CommitKillingStore, RedisLedger]) -> None:
    engine, store, ledger = setup
    store.armed = True
    with pytest.raises(OperationalError) as info:
        engine.file_plan(request("SCJG", 0), by=principals.officer("SCJG"))
    assert info.value.retryable and info.value.__cause__ is not None
    assert ledger.reservations(ENT.credit_code) == []  # no reservation without a plan
    assert engine.inspections_of(ENT.credit_code, by=principals.SYSTEM) == []
    # The slot is free: the retry succeeds and is confirmed in Redis.
    out = engine.file_plan(request("SCJG", 0), by=principals.officer("SCJG"))
    assert out.inspection is not None
    [res] = ledger.reservations(ENT.credit_code)
    assert (res.id, res.state) == (out.inspection.id, ReservationState.CONFIRMED)
    # and it counts: a second planned visit within 7 days is blocked
    with pytest.raises(FrequencyBlocked):
        engine.file_plan(request("YJGL", 3), by=principals.officer("YJGL"))


@pytest.mark.server("postgresql")
@pytest.mark.server("redis")
def test_every_committed_plan_has_a_confirmed_reservation(
    setup: tuple[Engine, CommitKillingStore, RedisLedger],
) -> None:
    engine, store, ledger = setup
    outcomes = []
    for n, day in enumerate((0, 10, 20, 30)):
        store.armed = n % 2 == 1  # every other filing fails at commit
        with contextlib.suppress(OperationalError):
            outcomes.append(engine.file_plan(request("SCJG", day), by=principals.officer("SCJG")))
    visits = {i.id for i in engine.inspections_of(ENT.credit_code, by=principals.SYSTEM)}
    reserved = {r.id: r.state for r in ledger.reservations(ENT.credit_code)}
    assert len(outcomes) == 2 and visits == set(reserved)
    assert set(reserved.values()) == {ReservationState.CONFIRMED}
