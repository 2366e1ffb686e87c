"""`Plan.checked`, `Inspection.checked` and `Plan.placed_in` (what filing and placement
build for every plan, issue 11) give the record the converters give, or the same refusal."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.model._trusted import sorted_names, trusted
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")

names = st.one_of(
    st.lists(st.sampled_from(["a", "b", "c", "SCJG-01"]), max_size=3).map(tuple),
    st.lists(st.sampled_from(["a", "b"]), max_size=3),
    st.just(("b", "a")),
    st.just(("a", 1)),
)
instants = st.sampled_from(
    [T0, T0.in_timezone("Asia/Shanghai"), dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 1)]
)
kinds = st.sampled_from([InspectionKind.ROUTINE, InspectionKind.COMPLAINT, "routine", "nonsense"])
windows = st.sampled_from([Window(T0, T0.add(hours=8)), (T0, T0.add(hours=8))])
texts = st.sampled_from(["", "检查", "a\x00", 5])
keys = st.sampled_from([None, "SCJG-1", "bad key", 7])


def _outcome(build: object, **fields: object) -> tuple[str, object]:
    try:
        made = build(**fields)  # type: ignore[operator]
    except (ValidationError, TypeError, AttributeError) as refused:
        return "refused", (type(refused), getattr(refused, "code", None))
    return "made", (made, {f.name: type(getattr(made, f.name)) for f in attrs.fields(type(made))})


@given(names, names, windows, kinds, instants, st.sampled_from([PlanStatus.ACTIVE, "active", "x"]), texts, keys)
def test_plan_checked_equals_the_converters(
    items: object,
    inspectors: object,
    window: object,
    kind: object,
    filed_at: object,
    status: object,
    reason: object,
    key: object,
) -> None:
    fields = dict(
        id="p1",
        enterprise="E",
        department="SCJG",
        items=items,
        inspectors=inspectors,
        window=window,
        kind=kind,
        filed_at=filed_at,
        status=status,
        reason=reason,
        idempotency_key=key,
    )
    assert _outcome(Plan.checked, **fields) == _outcome(Plan, **fields)


@given(names, names, names, windows, kinds, instants, st.sampled_from([InspectionStatus.PLANNED, "planned"]), instants)
def test_inspection_checked_equals_the_converters(
    plan_ids: object,
    departments: object,
    inspectors: object,
    window: object,
    kind: object,
    created_at: object,
    status: object,
    completed_at: object,
) -> None:
    fields = dict(
        id="i1",
        enterprise="E",
        lead_department="SCJG",
        plan_ids=plan_ids,
        departments=departments,
        items=("SCJG-01",),
        inspectors=inspectors,
        window=window,
        kind=kind,
        created_at=created_at,
        status=status,
        successor=None,
        reservation_id="i1",
        completed_at=completed_at,
    )
    assert _outcome(Inspection.checked, **fields) == _outcome(Inspection, **fields)


def test_placed_in_equals_evolve() -> None:
    plan = Plan("p1", "E", "SCJG", ["b", "a"], ["x"], Window(T0, T0.add(hours=8)), "routine", T0, reason="r")
    assert plan.placed_in("i1") == attrs.evolve(plan, inspection_id="i1")
    assert plan.placed_in(None).inspection_id is None


@given(st.lists(st.text(max_size=2), max_size=4))
def test_sorted_names_is_what_the_converter_makes(value: list[str]) -> None:
    assert sorted_names(tuple(value)) == (tuple(value) == tuple(sorted(set(value))))


def test_trusted_sets_every_field_as_given() -> None:
    window = Window(T0, T0.add(hours=1))
    made = trusted(Window, start=window.start, end=window.end)
    assert made == window and type(made) is Window
