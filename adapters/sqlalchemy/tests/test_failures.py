"""Driver errors become storage errors (cause kept); a dropped connection writes nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from jointinspect.errors import ConcurrencyConflict, IntegrityError, OperationalError
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import InspectionKind, Plan, Window

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _plan(pid: str, enterprise: str = "E1") -> Plan:
    return Plan(pid, enterprise, "D", ["X-01"], ["I1"], Window(T0, T0.add(hours=2)), InspectionKind.ROUTINE, T0)


def test_bulk_duplicate_is_integrity_error_with_cause(sql_store: SQLStore) -> None:
    with pytest.raises(IntegrityError) as info:
        sql_store.import_plans([_plan("a"), _plan("b"), _plan("a")])
    assert isinstance(info.value.__cause__, sa_exc.IntegrityError)
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("b") is None  # the whole import rolled back


def test_unreachable_server_is_operational_error(backend: str, tmp_path: Path) -> None:
    urls = {
        "sqlite": f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}",
        "postgresql": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        "mariadb": "mysql+pymysql://nobody@127.0.0.1:1/none?connect_timeout=2",
    }
    with pytest.raises(OperationalError) as info:
        if backend == "sqlite":
            SQLStore(urls[backend], create=True)
        else:
            # a PostgreSQL store checks durability when built (issue 18), so it connects then
            store = SQLStore(urls[backend])
            with store.unit_of_work() as uow:
                uow.plans.get("x")
    assert info.value.retryable and info.value.__cause__ is not None


def test_sqlite_busy_writer_times_out_as_operational_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    holder = SQLStore(url, create=True)
    impatient = SQLStore(url, busy_timeout=0.05)
    try:
        with holder.unit_of_work() as uow:
            uow.plans.add(_plan("held"))  # BEGIN IMMEDIATE: the write lock is ours
            with pytest.raises(OperationalError) as info, impatient.unit_of_work() as other:
                other.plans.get("held")
            assert "locked" in str(info.value.__cause__)
    finally:
        impatient.close()
        holder.close()


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_deadlock_is_concurrency_conflict(sql_store: SQLStore) -> None:
    """Two units of work lock two enterprises in opposite orders: the server picks a victim."""
    for e in ("A", "B"):
        with sql_store.unit_of_work() as uow:
            uow.lock_enterprise(e)
            uow.commit()
    both_locked_first = threading.Barrier(2)
    outcomes: list[BaseException | None] = []

    def run(first: str, second: str) -> None:
        try:
            with sql_store.unit_of_work() as uow:
                uow.lock_enterprise(first)
                both_locked_first.wait(timeout=10)
                uow.lock_enterprise(second)
                uow.commit()
            outcomes.append(None)
        except BaseException as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=p) for p in (("A", "B"), ("B", "A"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(conflicts) == 1 and outcomes.count(None) == 1, outcomes
    assert conflicts[0].retryable and isinstance(conflicts[0].__cause__, sa_exc.DBAPIError)


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_connection_killed_mid_transaction_leaves_nothing(sql_store: SQLStore, backend: str) -> None:
    """The server terminates our backend after the writes, before commit
    (``pg_terminate_backend`` / ``KILL CONNECTION``): the commit fails, nothing is stored."""
    with sql_store.unit_of_work() as uow:
        uow.lock_enterprise("E1")
        assert uow.ledger.check_and_reserve(
            __import__("jointinspect.rules.frequency", fromlist=["Reservation"]).Reservation(
                "r1", "E1", "D", ["I1"], InspectionKind.ROUTINE, T0
            ),
            [],
            T0,
        ).allowed
        uow.plans.add(_plan("p1"))
        uow.outbox.add(Notification("k1", "plan.filed", Role.SUPERVISOR, "j", "p1", T0))
        own = "SELECT pg_backend_pid()" if backend == "postgresql" else "SELECT CONNECTION_ID()"
        victim = uow.execute(text(own)).scalar_one()
        kill = (
            f"SELECT pg_terminate_backend({int(victim)})"
            if backend == "postgresql"
            else f"KILL CONNECTION {int(victim)}"
        )
        with sql_store.engine.connect() as killer:
            killer.execute(text(kill))
            killer.commit()
        with pytest.raises(OperationalError) as info:
            uow.plans.add(_plan("p2"))
            uow.commit()
        assert info.value.__cause__ is not None
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("p1") is None and uow.plans.get("p2") is None
        assert uow.outbox.pending(10) == []
        assert uow.ledger.reservations("E1") == []
    # The pool recovers: the store keeps working after the lost connection.
    with sql_store.unit_of_work() as uow:
        uow.plans.add(_plan("p3"))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("p3") is not None
