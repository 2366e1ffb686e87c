"""Bulk filing stages each request's effects in the chunk's (issue 11): a storage error in
the middle of a request undoes what that request did in a separate ledger too, so refiling
the chunk one by one leaves the ledger as filing one by one does."""

from __future__ import annotations

import itertools
from typing import Any

import pendulum
import pytest
from test_bulk import one_plan_each

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import JointInspectError, StorageError
from jointinspect.memory import MemoryStore
from jointinspect.memory.ledger import MemoryLedger
from jointinspect.memory.store import MemoryUnitOfWork
from jointinspect.model.plan import Inspection
from jointinspect.operations import filing
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import snapshot

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
    batch = one_plan_each(city=CITY)
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


def _outcomes(e: Engine, batch: list[PlanRequest], *, bulk: bool) -> list[Any]:
    if bulk:
        items = e.file_plans(batch, by=OFFICER).items
        return [item.outcome if item.error is None else (item.error.code, item.error.details) for item in items]
    out: list[Any] = []
    for request in batch:
        try:
            out.append(e.file_plan(request, by=OFFICER))
        except JointInspectError as error:
            out.append((error.code, error.details))
    return out


def test_an_audit_value_refused_when_the_chunk_is_written_refiles_it_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Audit records are staged as plain values and checked when the chunk writes them: a
    value a record refuses (a NUL, forced here into one plan's start as audited) files the
    chunk again one request at a time, so that request alone is refused, as `file_plan`
    refuses it, and the others are filed as one by one files them."""
    batch = [
        PlanRequest(
            ent.credit_code,
            DEPT,
            NOW.add(days=10 + n),
            NOW.add(days=10 + n, hours=8),
            items=[CITY.items_of(DEPT)[0].code],
            inspectors=[i.id for i in CITY.inspectors_of(DEPT)],
        )
        for n, ent in enumerate(CITY.enterprises)
    ]
    bad, iso = batch[1].start, filing.iso
    monkeypatch.setattr(filing, "iso", lambda instant: iso(instant) + ("\x00" if instant == bad else ""))
    bulk, alone = engine(MemoryStore(), MemoryLedger()), engine(MemoryStore(), MemoryLedger())
    got, expected = _outcomes(bulk, batch, bulk=True), _outcomes(alone, batch, bulk=False)
    assert [_plain(o) for o in got] == [_plain(o) for o in expected]  # ids apart: the chunk used some
    assert got[1][0] == "audit.value_invalid"
    assert [type(o) for o in got] == [FilingOutcome, tuple, FilingOutcome]
    assert [len(kind) for kind in snapshot(bulk.store, CITY)] == [len(kind) for kind in snapshot(alone.store, CITY)]


def _plain(outcome: Any) -> Any:
    """An outcome without its ids: a plan's enterprise and window, or the refusal."""
    return outcome if isinstance(outcome, tuple) else (outcome.plan.enterprise, outcome.plan.window)
