"""Bulk filing and Python's cyclic garbage collector (`jointinspect.operations.collector`):
the chunks' survivors are frozen out of its sight while the call runs, and everything is
as it was when the call ends, however it ends; a program's own frozen objects stay frozen."""

from __future__ import annotations

import gc
import itertools
import weakref
from collections.abc import Iterator

import pendulum
import pytest
from test_bulk import one_plan_each

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=4, departments=2, inspectors_per_department=2, items_per_department=1)
DEPT = CITY.departments[0].code
OFFICER = Principal.officer(DEPT)


class _Node:
    """A weakly referenceable object to build a reference cycle from."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _batch() -> list[PlanRequest]:
    return one_plan_each(city=CITY)


@pytest.fixture
def collector_running() -> Iterator[None]:
    """The collector running and nothing frozen, as in a plain program; restored after."""
    was = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    gc.enable()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()
        if frozen:
            gc.freeze()


def _engine(cycles: list[weakref.ref[_Node]] | None = None) -> Engine:
    counter = itertools.count()

    def ids() -> str:  # called while a chunk is filed: leaves a reference cycle behind
        if cycles is not None:
            a, b = _Node(), _Node()
            a.other, b.other = b, a
            cycles.append(weakref.ref(a))
        return f"id{next(counter):06d}"

    e = Engine(store=MemoryStore(), clock=FixedClock(NOW), ids=ids)
    populate(e, CITY)
    return e


def test_survivors_are_frozen_between_chunks_and_unfrozen_after(collector_running: None) -> None:
    e = _engine()
    between: list[int] = []
    outcome = e.file_plans(_batch(), by=OFFICER, chunk=2, progress=lambda _: between.append(gc.get_freeze_count()))
    assert outcome.ok
    assert len(between) == 2 and all(n > 0 for n in between)  # set aside after each chunk
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_cycles_made_during_the_call_are_collected_after_it(collector_running: None) -> None:
    cycles: list[weakref.ref[_Node]] = []
    e = _engine(cycles)
    assert e.file_plans(_batch(), by=OFFICER, chunk=2).ok
    gc.collect()
    assert cycles and all(ref() is None for ref in cycles)


def test_everything_is_unfrozen_when_the_call_fails(collector_running: None) -> None:
    e = _engine()

    def stop(_: int) -> None:
        assert gc.get_freeze_count() > 0
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        e.file_plans(_batch(), by=OFFICER, chunk=2, progress=stop)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_programs_own_frozen_objects_stay_frozen_and_nothing_is_added(collector_running: None) -> None:
    keep = [_Node() for _ in range(10)]
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        between: list[int] = []
        e = _engine()
        assert e.file_plans(_batch(), by=OFFICER, chunk=2, progress=lambda _: between.append(gc.get_freeze_count())).ok
        # Nothing added (a frozen object freed by reference counting leaves the count), and
        # the program's objects are still out of the collector's sight.
        assert len(between) == 2 and all(0 < n <= before for n in between)
        assert 0 < gc.get_freeze_count() <= before
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(node) in tracked for node in keep)
    finally:
        gc.unfreeze()
    assert keep


def test_nothing_is_frozen_when_the_collector_is_off(collector_running: None) -> None:
    gc.disable()
    between: list[int] = []
    e = _engine()
    assert e.file_plans(_batch(), by=OFFICER, chunk=2, progress=lambda _: between.append(gc.get_freeze_count())).ok
    assert between == [0, 0] and gc.get_freeze_count() == 0 and not gc.isenabled()
