"""Late checks (issue 11): after ``defer_checks`` a refused add or update raises the same
`IntegrityError` by a later call or by the commit, and nothing of the unit of work is
committed; bulk filing, which asks for them, still gives what filing one by one gives when
a chunk meets a refused write."""

from __future__ import annotations

import itertools

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import IntegrityError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.ports import Store
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.sample import build_city, populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=1, inspectors_per_department=2, items_per_department=1)


def _plan(pid: str, enterprise: str) -> Plan:
    start = T0.add(days=10)
    return Plan(pid, enterprise, "D", ["X"], ["I"], Window(start, start.add(hours=8)), InspectionKind.ROUTINE, T0)


def test_a_refused_write_raises_late_and_commits_nothing(sql_store: SQLStore) -> None:
    ent = CITY.enterprises[0].credit_code
    with sql_store.unit_of_work() as uow:
        uow.plans.add(_plan("p1", ent))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.plans.add(_plan("p2", ent))
        with pytest.raises(IntegrityError) as refused:
            uow.plans.add(_plan("p1", ent))  # the id exists: refused now, or by the commit
            uow.plans.update(_plan("nope", ent))
            uow.commit()
        assert refused.value.code == "storage.integrity"
        assert "'p1' already exists" in str(refused.value.details)
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("p2") is None  # nothing of the failed unit of work was kept
        assert uow.plans.get("p1") == _plan("p1", ent)
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        with pytest.raises(IntegrityError) as missing:
            uow.plans.update(_plan("nope", ent))
            uow.plans.get("p1")  # a read sends it at the latest
        assert "'nope' does not exist" in str(missing.value.details)


def _engine(store: Store, taken: str) -> Engine:
    """An engine whose fifth id is ``taken`` (an id already used: its write is refused)."""
    counter = itertools.count()

    def ids() -> str:
        n = next(counter)
        return taken if n == 4 else f"id{n:06d}"

    engine = Engine(store=store, clock=FixedClock(T0), ids=ids, auto_deliver=False)
    populate(engine, CITY)
    return engine


def _shape(outcome: object) -> object:
    """An outcome without its ids (a chunk filed again one by one draws new ones)."""
    if isinstance(outcome, tuple):
        return outcome
    assert isinstance(outcome, FilingOutcome) and outcome.inspection is not None
    plan, visit = outcome.plan, outcome.inspection
    return (plan.enterprise, plan.window, visit.window, visit.departments, outcome.merged)


def test_bulk_filing_meeting_a_refused_write_files_the_chunk_again(sql_store: SQLStore) -> None:
    """The fifth id drawn is one already used: the chunk's write of it is refused (late on
    PostgreSQL), the chunk is rolled back and filed again one by one, as on the memory
    store, where the write is refused at once."""
    dept = CITY.departments[0].code
    by = Principal.officer(dept)
    items = [CITY.items_of(dept)[0].code]
    inspectors = [i.id for i in CITY.inspectors_of(dept)]
    batch = [
        PlanRequest(
            ent.credit_code, dept, T0.add(days=day), T0.add(days=day, hours=8), items=items, inspectors=inspectors
        )
        for day in (10, 40)
        for ent in CITY.enterprises
    ]
    expected = _engine(MemoryStore(), taken="id000000").file_plans(batch, by=by).items
    got = _engine(sql_store, taken="id000000").file_plans(batch, by=by).items
    shape = [_shape((i.error.code, i.error.details) if i.error else i.outcome) for i in got]
    assert shape == [_shape((i.error.code, i.error.details) if i.error else i.outcome) for i in expected]
    assert all(i.error is None for i in got)
    first = got[0].outcome
    assert first is not None and first.plan.id != "id000000"  # filed again, with new ids
    with sql_store.unit_of_work() as uow:
        stored = uow.plans.get("id000000")
        assert stored is None or stored.enterprise == CITY.enterprises[0].credit_code
