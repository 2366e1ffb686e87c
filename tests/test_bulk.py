"""Bulk filing (issue 11): `Engine.file_plans` gives the outcome of filing the same requests
one by one, in order; a refused request changes nothing; plan numbers make it idempotent."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, IntegrityError, JointInspectError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.memory.store import MemoryUnitOfWork
from jointinspect.model.plan import InspectionKind
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.policy.fieldwork import QuietSlotPolicy
from jointinspect.policy.schema import Allowance, Direction, MatchingPolicy, Policy
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.sample import City, build_city, populate
from jointinspect.testing._world import snapshot

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=3, inspectors_per_department=2, items_per_department=2)
DEPARTMENTS = [d.code for d in CITY.departments]
OFFICER = Principal.officer(DEPARTMENTS[0])


def engine(store: MemoryStore | None = None, city: City = CITY) -> Engine:
    """A fresh engine on a fixed clock with predictable ids (so two engines agree)."""
    counter = itertools.count()
    e = Engine(store=store or MemoryStore(), clock=FixedClock(NOW), ids=lambda: f"id{next(counter):06d}")
    populate(e, city)
    return e


def one_plan_each(numbered: bool = False, city: City = CITY) -> list[PlanRequest]:
    """One routine plan of the first department for each enterprise of ``city``, the same
    day (with plan numbers ``2026-<n>`` when ``numbered``)."""
    dept = city.departments[0].code
    return [
        PlanRequest(
            ent.credit_code,
            dept,
            NOW.add(days=10),
            NOW.add(days=10, hours=8),
            items=[city.items_of(dept)[0].code],
            inspectors=[i.id for i in city.inspectors_of(dept)],
            idempotency_key=f"2026-{n}" if numbered else None,
        )
        for n, ent in enumerate(city.enterprises)
    ]


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """A plan request over the small city: often valid, sometimes late, short, foreign or repeated."""
    dept = draw(st.sampled_from(DEPARTMENTS[:2]))
    if draw(st.integers(0, 9)) == 0:  # now and then filed by an officer of another department
        dept = DEPARTMENTS[2]
    ent = draw(st.sampled_from(CITY.enterprises))
    start = NOW.add(days=draw(st.integers(6, 12)), hours=draw(st.sampled_from([0, 2, 4])))
    own_items = [i.code for i in CITY.items if i.department == dept]
    own_inspectors = [i.id for i in CITY.inspectors if i.department == dept]
    return PlanRequest(
        ent.credit_code,
        dept,
        start,
        start.add(hours=draw(st.sampled_from([1, 8, 8, 8, 10]))),
        kind=draw(st.sampled_from(["routine", "routine", "special"])),
        items=draw(st.lists(st.sampled_from(own_items), min_size=1, max_size=2, unique=True)),
        inspectors=draw(st.sampled_from([own_inspectors] * 4 + [own_inspectors[:1]])),
        idempotency_key=draw(st.none() | st.sampled_from(["P-1", "P-2", "P-3"])),
    )


def outcome_of(call: Callable[[], FilingOutcome]) -> Any:
    """A filing's outcome, or its error's code and details."""
    try:
        return call()
    except JointInspectError as error:
        return (error.code, error.details)


def one_by_one(e: Engine, batch: list[PlanRequest], by: Principal = OFFICER) -> list[Any]:
    return [outcome_of(lambda r=r: e.file_plan(r, by=by)) for r in batch]  # type: ignore[misc]


def in_bulk(e: Engine, batch: list[PlanRequest], chunk: int, by: Principal = OFFICER) -> list[Any]:
    out = e.file_plans(batch, by=by, chunk=chunk)
    assert [item.index for item in out.items] == list(range(len(batch)))
    return [item.outcome if item.error is None else (item.error.code, item.error.details) for item in out.items]


def runs(batch: list[PlanRequest]) -> list[tuple[Principal, list[PlanRequest]]]:
    """Consecutive requests filed by the same officer: of their department, or of the first
    department for the third department's requests (refused)."""
    who = [r.department if r.department in DEPARTMENTS[:2] else DEPARTMENTS[0] for r in batch]
    return [
        (Principal.officer(dept), [r for _, r in group])
        for dept, group in itertools.groupby(zip(who, batch, strict=True), key=lambda pair: pair[0])
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), max_size=14), st.integers(1, 5))
def test_bulk_filing_gives_the_outcomes_of_filing_one_by_one(batch: list[PlanRequest], chunk: int) -> None:
    alone, bulk = engine(), engine()
    for by, part in runs(batch):
        assert in_bulk(bulk, part, chunk, by) == one_by_one(alone, part, by)
    # ... and leaves the same records, reservations, outbox and audit chain.
    assert snapshot(bulk.store, CITY) == snapshot(alone.store, CITY)


def test_refused_requests_change_nothing_and_the_rest_are_filed() -> None:
    e = engine()
    good = PlanRequest(
        CITY.enterprises[0].credit_code,
        DEPARTMENTS[0],
        NOW.add(days=10),
        NOW.add(days=10, hours=8),
        items=[CITY.items_of(DEPARTMENTS[0])[0].code],
        inspectors=[i.id for i in CITY.inspectors_of(DEPARTMENTS[0])],
    )
    late = PlanRequest(
        good.enterprise,
        good.department,
        NOW.add(days=1),
        NOW.add(days=1, hours=8),
        items=good.items,
        inspectors=good.inspectors,
    )
    before = snapshot(e.store, CITY)
    refused = e.file_plans([late, "not a request"], by=OFFICER)  # type: ignore[list-item]
    assert [err.code for _, err in refused.refused] == ["filing.too_late", "input.wrong_type"]
    assert snapshot(e.store, CITY) == before
    out = e.file_plans([late, good], by=OFFICER)
    assert not out.ok and out[0].error is not None and out[1].outcome is not None
    assert [f.plan.id for f in out.filed] == [out[1].outcome.plan.id]


def test_plan_numbers_make_bulk_filing_idempotent() -> None:
    e = engine()
    batch = one_plan_each(numbered=True)
    first = e.file_plans(batch, by=OFFICER)
    assert first.ok and not any(f.replayed for f in first.filed)
    after = snapshot(e.store, CITY)
    again = e.file_plans(batch, by=OFFICER)
    assert again.ok and all(f.replayed for f in again.filed)
    assert [f.plan for f in again.filed] == [f.plan for f in first.filed]
    assert snapshot(e.store, CITY) == after


def test_a_principal_who_may_not_file_is_refused_outright() -> None:
    e = engine()
    with pytest.raises(Forbidden):
        e.file_plans([], by=Principal.enterprise(CITY.enterprises[0].credit_code))
    with pytest.raises(ValidationError):
        e.file_plans(42, by=OFFICER)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        e.file_plans([], by=OFFICER, chunk=0)


class FlakyStore(MemoryStore):
    """A memory store whose first commit fails with a storage error."""

    failures = 1

    def unit_of_work(self) -> MemoryUnitOfWork:
        uow = super().unit_of_work()
        store, commit = self, uow.commit

        def failing_commit() -> None:
            if store.failures:
                store.failures -= 1
                raise IntegrityError("storage.integrity", reason="injected")
            commit()

        uow.commit = failing_commit  # type: ignore[method-assign]
        return uow


def test_a_storage_error_refiles_the_chunk_one_by_one() -> None:
    batch = [
        PlanRequest(
            ent.credit_code,
            DEPARTMENTS[0],
            NOW.add(days=10),
            NOW.add(days=10, hours=8),
            items=[CITY.items_of(DEPARTMENTS[0])[0].code],
            inspectors=[i.id for i in CITY.inspectors_of(DEPARTMENTS[0])],
        )
        for ent in CITY.enterprises
    ]
    flaky = FlakyStore()
    flaky.failures = 0
    bulk = engine(flaky)
    flaky.failures = 1  # the chunk's commit fails; each request is then filed alone
    out = bulk.file_plans(batch, by=OFFICER)
    assert out.ok and len(out.filed) == 3
    alone = engine()
    one_by_one(alone, batch)
    assert len(snapshot(bulk.store, CITY)[2]) == len(snapshot(alone.store, CITY)[2]) == 3


SLOT_DAY = (NOW.add(days=8).in_timezone("Asia/Shanghai")).date()
ALLOWING = Policy(
    matching=MatchingPolicy(
        allowances={
            InspectionKind.ROUTINE: Allowance(days=1, direction=Direction.BOTH),
            InspectionKind.SPECIAL: Allowance(hours=6, direction=Direction.LATER),
        }
    ),
    quiet_slots=QuietSlotPolicy(
        max_slots_per_year=4, max_days_per_slot=3, max_days_per_year=6, kinds=[InspectionKind.ROUTINE]
    ),
)


def quiet_engine() -> Engine:
    """An engine whose policy widens windows (allowances) and honours a quiet slot that the
    first enterprise declared (written directly: the rules of declaring are not at stake)."""
    counter = itertools.count()
    e = Engine(store=MemoryStore(), policy=ALLOWING, clock=FixedClock(NOW), ids=lambda: f"id{next(counter):06d}")
    populate(e, CITY)
    slot = QuietSlot("q1", CITY.enterprises[0].credit_code, SLOT_DAY, SLOT_DAY, "peak", NOW)
    with e.store.unit_of_work() as uow:
        uow.quiet_slots.add(slot)
        uow.commit()
    return e


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), max_size=14), st.integers(1, 5))
def test_bulk_filing_with_allowances_and_quiet_slots_gives_the_outcomes_of_one_by_one(
    batch: list[PlanRequest], chunk: int
) -> None:
    """The chunk's preloaded open visits are bounded by the lowest reach of its requests
    (allowances widen it) and quiet slots move windows later: still the same outcomes."""
    alone, bulk = quiet_engine(), quiet_engine()
    for by, part in runs(batch):
        assert in_bulk(bulk, part, chunk, by) == one_by_one(alone, part, by)
    assert snapshot(bulk.store, CITY) == snapshot(alone.store, CITY)


class CountingStore(MemoryStore):
    """A memory store counting its units of work."""

    opened = 0

    def unit_of_work(self) -> MemoryUnitOfWork:
        self.opened += 1
        return super().unit_of_work()


def test_a_plan_number_repeated_in_a_chunk_replays_without_refiling_the_chunk() -> None:
    """The chunk's preloaded plan numbers follow its own filings: the repeat replays the
    plan filed earlier in the chunk (no duplicate-key error, no refiling one by one)."""
    store = CountingStore()
    e = engine(store)
    dept = DEPARTMENTS[0]
    first = PlanRequest(
        CITY.enterprises[0].credit_code,
        dept,
        NOW.add(days=10),
        NOW.add(days=10, hours=8),
        items=[CITY.items_of(dept)[0].code],
        inspectors=[i.id for i in CITY.inspectors_of(dept)],
        idempotency_key="2026-7",
    )
    changed = attrs.evolve(first, reason="another")
    store.opened = 0
    out = e.file_plans([first, first, changed], by=OFFICER)
    assert store.opened == 1  # one unit of work: the chunk was not refiled
    assert out[0].outcome is not None and out[1].outcome is not None
    assert out[1].outcome.replayed and out[1].outcome.plan == out[0].outcome.plan
    assert out[2].error is not None and out[2].error.code == "plan.idempotency_conflict"


@pytest.mark.parametrize("running", [True, False])
def test_the_collector_is_paused_while_a_chunk_is_filed_and_left_as_it_was(running: bool) -> None:
    seen: list[bool] = []
    counter = itertools.count()

    def ids() -> str:  # called while a chunk is filed
        seen.append(gc.isenabled())
        return f"id{next(counter):06d}"

    e = Engine(store=MemoryStore(), clock=FixedClock(NOW), ids=ids)
    populate(e, CITY)
    batch = one_plan_each()
    was = gc.isenabled()
    (gc.enable if running else gc.disable)()
    try:
        seen.clear()
        outcome = e.file_plans(batch, by=OFFICER, chunk=2)
        after = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert outcome.ok and seen and not any(seen)
    assert after is running
