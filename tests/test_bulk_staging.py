"""Bulk filing stages each request's effects in the chunk's (issue 11): a storage error in
the middle of a request undoes what that request did in a separate ledger too, so refiling
the chunk one by one leaves the ledger as filing one by one does."""

from __future__ import annotations

import itertools

import pendulum

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import StorageError
from jointinspect.memory import MemoryStore
from jointinspect.memory.ledger import MemoryLedger
from jointinspect.memory.store import MemoryUnitOfWork
from jointinspect.model.plan import Inspection
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=1, inspectors_per_department=2, items_per_department=1)
DEPT = CITY.departments[0].code
OFFICER = Principal.officer(DEPT)


class FailingStore(MemoryStore):
    """A memory store whose next ``fail_at``-th new visit fails with a storage error."""

    fail_at = 0

    def unit_of_work(self) -> MemoryUnitOfWork:
        uow = super().unit_of_work()
        add = uow.inspections.add

        def failing_add(inspection: Inspection) -> None:
            self.fail_at -= 1
            if self.fail_at == 0:
                raise StorageError(reason="disk full")
            add(inspection)

        uow.inspections.add = failing_add  # type: ignore[method-assign]
        return uow


def engine(store: MemoryStore, ledger: MemoryLedger) -> Engine:
    counter = itertools.count()
    e = Engine(store=store, ledger=ledger, clock=FixedClock(NOW), ids=lambda: f"id{next(counter):06d}")
    populate(e, CITY)
    return e


def test_a_storage_error_mid_request_leaves_no_reservation_of_it_in_a_separate_ledger() -> None:
    batch = [
        PlanRequest(
            ent.credit_code,
            DEPT,
            NOW.add(days=10),
            NOW.add(days=10, hours=8),
            items=[CITY.items_of(DEPT)[0].code],
            inspectors=[i.id for i in CITY.inspectors_of(DEPT)],
        )
        for ent in CITY.enterprises
    ]
    store, ledger = FailingStore(), MemoryLedger()
    bulk = engine(store, ledger)
    store.fail_at = 2  # the second request's new visit fails, after its reservation was made
    out = bulk.file_plans(batch, by=OFFICER)
    assert out.ok and len(out.filed) == 3
    alone_ledger = MemoryLedger()
    alone = engine(MemoryStore(), alone_ledger)
    for request in batch:
        alone.file_plan(request, by=OFFICER)
    for ent in CITY.enterprises:
        kept = ledger.reservations(ent.credit_code)
        assert len(kept) == len(alone_ledger.reservations(ent.credit_code)) == 1
        with bulk.store.unit_of_work() as uow:
            assert [r.id for r in kept] == [i.reservation_id for i in uow.inspections.for_enterprise(ent.credit_code)]
