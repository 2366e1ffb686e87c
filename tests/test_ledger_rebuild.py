"""Rebuilding a separate ledger from the store after a failover lost part of it: every live
inspection is counted again, pending ones are confirmed, and a second visit in the same
week is refused again."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import attrs
import pendulum
import pytest

from jointinspect import Engine, FixedClock, MemoryKeyStore, MemoryLedger, MemoryStore, PlanRequest, Principal
from jointinspect.errors import FrequencyBlocked, ValidationError
from jointinspect.ledger_rebuild import enterprises_of, reservation_of
from jointinspect.policy import MatchingPolicy, Policy
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate
from jointinspect.testing.principals import officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def setup(separate: bool = True) -> tuple[Engine, list[Any]]:
    city = build_city(enterprises=4, departments=3)
    policy = Policy(matching=MatchingPolicy(min_common_hours=2))  # visits days apart stay separate
    engine = Engine(
        store=MemoryStore(),
        ledger=MemoryLedger() if separate else None,
        policy=policy,
        clock=FixedClock(T0.subtract(days=21)),
        keys=MemoryKeyStore.from_seed(b"ledger-rebuild-tests-seed-32-by!"),
    )
    populate(engine, city)
    return engine, [e for e in city.enterprises if e.credit_class != "A"]


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


def test_a_lost_ledger_is_rebuilt_and_refuses_the_second_visit_again() -> None:
    engine, ents = setup()
    inspections = {}
    for ent in ents[:2]:
        for week in range(3):
            out = engine.file_plan(request(ent, day=7 * week), by=officer("SCJG"))
            assert out.inspection is not None
            inspections[out.inspection.id] = out.inspection
    engine.ledger = fresh = MemoryLedger()  # the failover lost every reservation
    assert engine.rebuild_reservations(by=Principal.system()) == 6
    assert engine.rebuild_reservations(by=Principal.system()) == 0  # idempotent
    rebuilt = [r for ent in ents[:2] for r in fresh.reservations(ent.credit_code)]
    assert sorted(r.id for r in rebuilt) == sorted(inspections)
    assert all(r.state is ReservationState.CONFIRMED for r in rebuilt)
    assert all(r.at == inspections[r.id].window.start for r in rebuilt)
    with pytest.raises(FrequencyBlocked):
        engine.file_plan(request(ents[1], "YJGL", day=8), by=officer("YJGL"))


def test_pending_reservations_are_confirmed_and_other_enterprises_untouched() -> None:
    engine, ents = setup()
    out = engine.file_plan(request(ents[0]), by=officer("SCJG"))
    other = engine.file_plan(request(ents[1]), by=officer("SCJG"))
    assert out.inspection is not None and other.inspection is not None
    # the promoted replica never saw the confirmation, and its pending expiry has passed
    engine.ledger = fresh = MemoryLedger()
    expired = attrs.evolve(
        reservation_of(out.inspection), state=ReservationState.PENDING, expires_at=T0.subtract(days=30)
    )
    fresh.check_and_reserve(expired, (), T0)
    assert engine.rebuild_reservations(ents[0].credit_code, by=Principal.system()) == 1
    [res] = fresh.reservations(ents[0].credit_code)
    assert res.id == out.inspection.id and res.state is ReservationState.CONFIRMED
    assert fresh.reservations(ents[1].credit_code) == []  # only the enterprise asked for


def test_without_a_separate_ledger_there_is_nothing_to_rebuild() -> None:
    engine, ents = setup(separate=False)
    engine.file_plan(request(ents[0]), by=officer("SCJG"))
    assert engine.rebuild_reservations(by=Principal.system()) == 0


class _Unlisted:
    """A store whose reference repository cannot list enterprises."""

    class _Uow:
        reference = object()

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
            return None

    def unit_of_work(self) -> Any:
        return self._Uow()


def test_a_store_that_cannot_list_enterprises_needs_one_named() -> None:
    with pytest.raises(ValidationError) as caught:
        enterprises_of(_Unlisted())  # type: ignore[arg-type]
    assert caught.value.code == "input.invalid"
