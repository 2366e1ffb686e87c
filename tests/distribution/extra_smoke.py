"""What one install extra must give, run in a fresh virtual environment holding only the
built wheel with that extra (scripts/wheel_check.sh): ``python extra_smoke.py EXTRA``.

* ``sql``: a store on SQLite files a plan of the sample city and reads it back;
* ``postgresql``, ``mysql``: the store's URL reaches its driver, which fails to connect to a
  closed port (a storage error), not the missing-driver error naming the extra;
* ``redis``: the Redis ledger is built on a client and fails the same way on a closed port.
"""

from __future__ import annotations

import sys
import tempfile

import pendulum

from jointinspect import Engine, FixedClock, PlanRequest, Principal, open_store
from jointinspect.errors import StorageError
from jointinspect.sample import build_city, populate

CLOSED = "127.0.0.1:1"  # nothing listens on port 1


def sql() -> str:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/city.db")
        try:
            city = build_city()
            engine = Engine(store=store, clock=FixedClock(pendulum.datetime(2026, 11, 9, 9, tz="Asia/Shanghai")))
            populate(engine, city)
            start = pendulum.datetime(2026, 11, 16, 9, tz="Asia/Shanghai")
            request = PlanRequest(
                city.enterprises[1].credit_code,
                "SCJG",
                start,
                start.add(hours=4),
                items=["SCJG-01"],
                inspectors=["SCJG-I01", "SCJG-I02"],
            )
            outcome = engine.file_plan(request, by=Principal.officer("SCJG"))
            with store.unit_of_work() as uow:
                assert uow.plans.get(outcome.plan.id) == outcome.plan
        finally:
            store.close()
    return f"filed and read back plan {outcome.plan.id} on SQLite"


def server(url: str) -> str:
    try:
        store = open_store(url)  # (MariaDB's store connects on first use)
        with store.unit_of_work() as uow:
            uow.plans.get("x")
    except StorageError as expected:  # the driver is there: it tried to connect
        return f"{url.split(':', 1)[0]} driver loaded ({expected.code} on a closed port)"
    raise AssertionError(f"{url}: a store on a closed port opened")


def redis_ledger() -> str:
    # imported here: only the redis extra installs them
    import redis
    from jointinspect_redis import RedisLedger

    try:
        RedisLedger(redis.Redis(port=1, socket_connect_timeout=1))
    except StorageError as expected:
        return f"redis client loaded ({expected.code} on a closed port)"
    raise AssertionError("a Redis ledger on a closed port answered")


CHECKS = {
    "sql": sql,
    "postgresql": lambda: server(f"postgresql://u@{CLOSED}/x"),
    "mysql": lambda: server(f"mysql+pymysql://u@{CLOSED}/x"),
    "redis": redis_ledger,
}

if __name__ == "__main__":
    print(f"[{sys.argv[1]}] {CHECKS[sys.argv[1]]()}")
