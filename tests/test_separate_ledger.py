"""A ledger outside the store (as with Redis): reservations are pending until the store
commits, released when it fails, and repaired by reconcile after a crash in between."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from jointinspect import Engine, FixedClock, MemoryKeyStore, MemoryLedger, MemoryStore, PlanRequest
from jointinspect.errors import FrequencyBlocked, OperationalError
from jointinspect.memory import MemoryUnitOfWork
from jointinspect.policy import MatchingPolicy, Policy
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


class FlakyStore(MemoryStore):
    """A memory store whose next commits can be made to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_commits = 0

    def unit_of_work(self) -> MemoryUnitOfWork:
        uow = super().unit_of_work()
        store = self
        original = uow.commit

        def commit() -> None:
            if store.fail_commits:
                store.fail_commits -= 1
                raise OperationalError(reason="connection lost at commit")
            original()

        uow.commit = commit  # type: ignore[method-assign]
        return uow


class FlakyLedger(MemoryLedger):
    def __init__(self) -> None:
        super().__init__()
        self.fail_confirms = 0

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        if self.fail_confirms:
            self.fail_confirms -= 1
            raise OperationalError(reason="ledger unreachable")
        super().confirm(reservation_id, enterprise)


def setup() -> tuple[Engine, FlakyStore, FlakyLedger, FixedClock, Any]:
    city = build_city(enterprises=4, departments=3)
    store, ledger = FlakyStore(), FlakyLedger()
    clock = FixedClock(T0.subtract(days=21))
    # gap 0: plans a few days apart stay separate visits, so the ledger decides
    policy = Policy(matching=MatchingPolicy(kinds=frozenset()))
    engine = Engine(
        store=store,
        ledger=ledger,
        policy=policy,
        clock=clock,
        keys=MemoryKeyStore.from_seed(b"separate-ledger-test-seed-32byte"),
    )
    populate(engine, city)
    ent = next(e for e in city.enterprises if e.credit_class != "A")
    return engine, store, ledger, clock, ent


def request(ent: Any, dept: str = "SCJG", day: int = 0) -> PlanRequest:
    start = T0.add(days=day)
    return PlanRequest(
        ent.credit_code,
        dept,
        start,
        start.add(hours=4),
        items=[f"{dept}-01"],
        inspectors=[f"{dept}-I01", f"{dept}-I02"],
    )


def test_success_confirms_the_reservation() -> None:
    engine, _, ledger, _, ent = setup()
    out = engine.file_plan(request(ent), by=principals.officer("SCJG"))
    [res] = ledger.reservations(ent.credit_code)
    assert out.inspection is not None and res.id == out.inspection.id
    assert res.state is ReservationState.CONFIRMED


def test_failed_commit_releases_the_reservation() -> None:
    engine, store, ledger, _, ent = setup()
    store.fail_commits = 1
    with pytest.raises(OperationalError):
        engine.file_plan(request(ent), by=principals.officer("SCJG"))
    assert ledger.reservations(ent.credit_code) == []  # no reservation without a plan
    assert engine.inspections_of(ent.credit_code, by=principals.SYSTEM) == []
    out = engine.file_plan(request(ent), by=principals.officer("SCJG"))  # the slot is free again
    assert out.inspection is not None


def test_crash_between_commit_and_confirm_is_repaired_by_reconcile() -> None:
    engine, _, ledger, clock, ent = setup()
    ledger.fail_confirms = 1
    out = engine.file_plan(request(ent), by=principals.officer("SCJG"))  # committed; confirming failed and was logged
    assert out.inspection is not None
    [res] = ledger.reservations(ent.credit_code)
    assert res.state is ReservationState.PENDING
    assert engine.reconcile_reservations(ent.credit_code, by=principals.SYSTEM) == 1
    [res] = ledger.reservations(ent.credit_code)
    assert res.state is ReservationState.CONFIRMED
    # confirmed, so it still counts long after the pending TTL: no plan without a reservation
    clock.advance(hours=2)
    with pytest.raises(FrequencyBlocked):
        engine.file_plan(request(ent, "YJGL", day=3), by=principals.officer("YJGL"))


def test_unconfirmed_reservation_expires() -> None:
    engine, _, ledger, clock, ent = setup()
    ledger.fail_confirms = 1
    engine.file_plan(request(ent), by=principals.officer("SCJG"))
    clock.advance(minutes=6)  # past Engine.pending_ttl: the pending reservation stops counting
    out = engine.file_plan(request(ent, "YJGL", day=3), by=principals.officer("YJGL"))
    assert out.inspection is not None and not out.merged


def test_an_error_after_the_commit_keeps_the_reservation() -> None:
    # The store committed, then failed while closing: the visit exists, so its reservation
    # must not be released (it stays pending until confirmed or reconciled).
    engine, store, ledger, _, ent = setup()
    original = store.unit_of_work

    def closing_fails() -> MemoryUnitOfWork:
        uow = original()

        def rollback() -> None:
            raise OperationalError(reason="connection lost while closing")

        uow.rollback = rollback  # type: ignore[method-assign]
        return uow

    store.unit_of_work = closing_fails  # type: ignore[method-assign]
    with pytest.raises(OperationalError):
        engine.file_plan(request(ent), by=principals.officer("SCJG"))
    store.unit_of_work = original  # type: ignore[method-assign]
    [visit] = engine.inspections_of(ent.credit_code, by=principals.SYSTEM)
    [res] = ledger.reservations(ent.credit_code)
    assert res.id == visit.id and res.state is ReservationState.PENDING
    assert engine.reconcile_reservations(ent.credit_code, by=principals.SYSTEM) == 1
    assert ledger.reservations(ent.credit_code)[0].state is ReservationState.CONFIRMED


def test_reconcile_leaves_a_filing_in_flight_alone() -> None:
    engine, _, ledger, clock, ent = setup()
    from jointinspect.rules.frequency import Reservation

    # A pending reservation whose filing has not committed yet (no inspection so far).
    ledger.check_and_reserve(
        Reservation(
            "in-flight",
            ent.credit_code,
            "SCJG",
            ["SCJG-I01"],
            "routine",
            T0,
            state=ReservationState.PENDING,
            expires_at=clock.now().add(minutes=5),
        ),
        [],
        clock.now(),
    )
    assert engine.reconcile_reservations(ent.credit_code, by=principals.SYSTEM) == 0
    assert [r.id for r in ledger.reservations(ent.credit_code)] == ["in-flight"]
    clock.advance(minutes=6)  # expired and still without a plan: released
    assert engine.reconcile_reservations(ent.credit_code, by=principals.SYSTEM) == 1
    assert ledger.reservations(ent.credit_code) == []
