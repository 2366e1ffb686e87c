"""Enterprise quiet slots (issue 12): declared within the policy's limits; a routine plan
wholly inside one is refused naming it, one partly inside is placed outside it; triggered
kinds ignore them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import FilingRejected, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, Window
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.policy import preset
from jointinspect.policy.schema import Policy
from jointinspect.requests import PlanRequest
from jointinspect.rules.quiet_slots import place_outside
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import snapshot
from jointinspect.testing.principals import enterprise, officer

ZONE = "Asia/Shanghai"
#: Monday 2 March 2026, 09:00 in Shanghai.
T0 = pendulum.datetime(2026, 3, 2, 9, tz=ZONE).in_timezone("UTC")
CITY = build_city(enterprises=2, departments=2)
ENT = CITY.enterprises[0].credit_code


def engine(**policy: Any) -> Engine:
    counter = itertools.count()
    eng = Engine(
        store=MemoryStore(),
        policy=preset("quiet_enterprise", **policy),
        clock=FixedClock(T0.subtract(days=30)),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    return eng


def plan(
    start: pendulum.DateTime, end: pendulum.DateTime, kind: str = "routine", key: str | None = None
) -> PlanRequest:
    return PlanRequest(
        ENT, "SCJG", start, end, kind=kind, items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"], idempotency_key=key
    )


def local(day: int, hour: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 3, day, hour, tz=ZONE).in_timezone("UTC")


def test_a_window_wholly_inside_is_refused_naming_the_slot() -> None:
    eng = engine()
    slot = eng.declare_quiet_slot(ENT, dt.date(2026, 3, 2), dt.date(2026, 3, 8), "一季度生产高峰", by=enterprise(ENT))
    before = snapshot(eng.store, CITY)
    with pytest.raises(FilingRejected) as caught:
        eng.file_plan(plan(local(3, 9), local(5, 17)), by=officer("SCJG"))
    assert caught.value.code == "filing.quiet_slot"
    assert caught.value.details["slot"] == slot.id
    assert slot.id in caught.value.message_en and slot.id in caught.value.message_zh
    assert snapshot(eng.store, CITY) == before


def test_a_window_partly_inside_is_placed_outside_the_slot() -> None:
    eng = engine()
    eng.declare_quiet_slot(ENT, dt.date(2026, 3, 2), dt.date(2026, 3, 8), by=enterprise(ENT))
    out = eng.file_plan(plan(local(6, 9), local(12, 17), key="P-1"), by=officer("SCJG"))
    assert out.inspection is not None
    assert out.plan.window == Window(local(9), local(12, 17))  # from the midnight after the slot
    assert out.inspection.window.start >= local(9)
    # The same plan number with the window as filed replays the placed plan.
    again = eng.file_plan(plan(local(6, 9), local(12, 17), key="P-1"), by=officer("SCJG"))
    assert again.replayed and again.plan == out.plan


def test_triggered_kinds_ignore_quiet_slots_and_withdrawing_frees_the_time() -> None:
    eng = engine()
    slot = eng.declare_quiet_slot(ENT, dt.date(2026, 3, 2), dt.date(2026, 3, 8), by=enterprise(ENT))
    complaint = eng.file_plan(plan(local(3, 9), local(3, 17), kind="complaint"), by=officer("SCJG"))
    assert complaint.plan.window == Window(local(3, 9), local(3, 17))
    eng.withdraw_quiet_slot(slot.id, by=enterprise(ENT))
    routine = eng.file_plan(plan(local(4, 9), local(4, 17)), by=officer("SCJG"))
    assert routine.plan.window == Window(local(4, 9), local(4, 17))


def test_declarations_stay_within_the_policy() -> None:
    eng = engine()  # quiet_enterprise: 2 slots a year, 15 days each, 30 days in all
    me = enterprise(ENT)

    def refused(start: dt.date, end: dt.date, code: str) -> None:
        before = snapshot(eng.store, CITY)
        with pytest.raises(ValidationError) as caught:
            eng.declare_quiet_slot(ENT, start, end, by=me)
        assert caught.value.code == code
        assert snapshot(eng.store, CITY) == before

    refused(dt.date(2026, 4, 1), dt.date(2026, 4, 16), "quiet_slot.too_long")  # 16 days
    refused(dt.date(2026, 1, 1), dt.date(2026, 1, 3), "quiet_slot.invalid")  # in the past
    refused(dt.date(2026, 4, 5), dt.date(2026, 4, 1), "quiet_slot.invalid")
    eng.declare_quiet_slot(ENT, dt.date(2026, 4, 1), dt.date(2026, 4, 15), by=me)
    refused(dt.date(2026, 4, 10), dt.date(2026, 4, 20), "quiet_slot.overlap")
    eng.declare_quiet_slot(ENT, dt.date(2026, 9, 1), dt.date(2026, 9, 15), by=me)  # 30 days in all
    refused(dt.date(2026, 11, 1), dt.date(2026, 11, 2), "quiet_slot.too_many")
    eng.declare_quiet_slot(ENT, dt.date(2027, 1, 1), dt.date(2027, 1, 2), by=me)  # another year
    # A policy allowing no slots (the default) refuses every declaration.
    plain = Engine(store=MemoryStore(), policy=Policy(), clock=FixedClock(T0))
    populate(plain, CITY)
    with pytest.raises(ValidationError) as caught:
        plain.declare_quiet_slot(ENT, dt.date(2026, 4, 1), dt.date(2026, 4, 1), by=me)
    assert caught.value.code == "quiet_slot.too_long"


def test_the_yearly_total_is_a_limit_of_its_own() -> None:
    eng = engine(quiet_slots={"max_slots_per_year": 5, "max_days_per_slot": 15, "max_days_per_year": 20})
    eng.declare_quiet_slot(ENT, dt.date(2026, 4, 1), dt.date(2026, 4, 15), by=enterprise(ENT))
    with pytest.raises(ValidationError) as caught:
        eng.declare_quiet_slot(ENT, dt.date(2026, 5, 1), dt.date(2026, 5, 6), by=enterprise(ENT))
    assert caught.value.code == "quiet_slot.year_exhausted"
    assert caught.value.details["days"] == 21


SLOT_POLICY = preset("quiet_enterprise")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 20 * 24),
    st.integers(1, 10 * 24),
    st.lists(st.tuples(st.integers(0, 25), st.integers(0, 6)), max_size=3),
    st.sampled_from(list(InspectionKind)),
)
def test_placement_never_lands_in_a_slot(
    offset: int, hours: int, spans: list[tuple[int, int]], kind: InspectionKind
) -> None:
    start = local(1).add(hours=offset)
    window = Window(start, start.add(hours=hours))
    slots = [
        QuietSlot(
            f"q{n}",
            ENT,
            dt.date(2026, 3, 1) + dt.timedelta(days=a),
            dt.date(2026, 3, 1) + dt.timedelta(days=a + b),
            "",
            T0,
        )
        for n, (a, b) in enumerate(spans)
    ]
    try:
        placed = place_outside(kind, window, slots, SLOT_POLICY)
    except FilingRejected as refusal:
        assert kind in SLOT_POLICY.quiet_slots.kinds
        assert refusal.details["slot"] in {s.id for s in slots}
        return
    assert window.start <= placed.start < placed.end <= window.end
    if kind not in SLOT_POLICY.quiet_slots.kinds:
        assert placed == window  # triggered (and other) kinds ignore slots
    else:
        assert placed.end - placed.start >= SLOT_POLICY.matching.minimum or placed == window
        for slot in slots:
            assert placed.intersection(slot.window(ZONE)) is None
