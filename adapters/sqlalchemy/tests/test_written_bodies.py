"""Plans and visits a bulk chunk wrote are read back without decoding their text again
(issue 11): only a value whose text decodes to an equal value of the same types is kept,
and a read whose text is not the kept one decodes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import SQLStore, bodies, codec
from test_sql_codec_loads import _inspections, _plans
from test_sql_codec_loads import _same as _same_typed

from jointinspect.model.plan import Inspection, InspectionKind, Plan, Window

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001N"


class _Text(str):
    """A string of another class: its body decodes to a plain ``str``."""


def _same(a: object, b: object) -> None:
    """``a == b`` with the same type at every level, instants in pendulum's UTC. Not their
    ``fold``: pendulum makes instants with 1, decoding with 0, and in UTC it changes no
    offset, comparison or hash (the memory store too returns the caller's own instants)."""
    _same_typed(a, b, fold=False)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_plans(), _inspections()))
def test_a_kept_value_is_what_decoding_its_text_gives(value: Plan | Inspection) -> None:
    plain: Callable[[Any], bool] = bodies.plain_plan if type(value) is Plan else bodies.plain_inspection
    assert plain(value)  # what the model's converters make is kept
    _same(codec.loads_slow(codec.dumps(value), type(value)), value)
    assert not plain(attrs.evolve(value, id=_Text(value.id)))
    if isinstance(value, Plan):
        assert not bodies.plain_plan(attrs.evolve(value, approvals=list(value.approvals)))  # type: ignore[arg-type]


def _plan(pid: str, inspection: str | None = None) -> Plan:
    start = T0.add(days=10)
    plan = Plan(pid, ENT, "D", ["X"], ["I"], Window(start, start.add(hours=8)), InspectionKind.ROUTINE, T0)
    return plan.placed_in(inspection)


def _visit(vid: str, plan_ids: list[str]) -> Inspection:
    start = T0.add(days=10)
    return Inspection(vid, ENT, "D", plan_ids, ["D"], ["X"], ["I"], Window(start, start.add(hours=8)),
                      InspectionKind.ROUTINE, T0)  # fmt: skip


def test_a_bulk_chunks_plans_and_visits_are_read_back_as_written(sql_store: SQLStore) -> None:
    plan, visit = _plan("p1", "v1"), _visit("v1", ["p1"])
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()  # a bulk chunk
        uow.inspections.add(visit)
        uow.plans.add(plan)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.plans.for_inspections(["v1"])[0] is plan
        assert uow.inspections.open_for_enterprises({ENT: T0})[ENT][0] is visit
    later = attrs.evolve(plan, reason="改期")
    wider = attrs.evolve(visit, items=("X", "Y"))
    with sql_store.unit_of_work() as uow:  # not a bulk chunk: nothing kept, the text changes
        uow.plans.update(later)
        uow.inspections.update(wider)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.plans.for_inspections(["v1"]) == [later]
        assert uow.inspections.open_for_enterprises({ENT: T0}) == {ENT: [wider]}
    sql_store.close()
    assert not sql_store._bodies.plans.entries and not sql_store._bodies.inspections.entries


def test_the_oldest_entries_go_first_and_a_changed_value_is_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bodies, "LIMIT", 8)
    kept = bodies.WrittenBodies().plans
    plans = [_plan(f"p{n}") for n in range(9)]
    for plan in plans:
        kept.wrote(plan.id, codec.dumps(plan), plan)
    assert list(kept.entries) == [f"p{n}" for n in range(2, 9)]  # a quarter of 8 dropped
    odd = attrs.evolve(plans[5], id=_Text("p5"))
    kept.wrote("p5", codec.dumps(plans[5]), odd)  # not plain: decoded instead
    found = kept.read("p5", codec.dumps(plans[5]), Plan)
    assert found == plans[5] and type(found.id) is str and found is not odd
    assert kept.read("p6", codec.dumps(plans[6]), Plan) is plans[6]
    assert kept.read("p1", codec.dumps(plans[1]), Plan) == plans[1]  # dropped: decoded


def _with(value: Any, **fields: object) -> Any:
    """``value`` with ``fields`` set as given (no converter runs)."""
    changed = attrs.evolve(value)
    for name, field in fields.items():
        object.__setattr__(changed, name, field)
    return changed


_BERLIN = T0.in_timezone("Europe/Berlin")
_BERLIN_WINDOW = _with(Window(T0, T0.add(hours=8)), end=_BERLIN.add(hours=8))  # the same instants


@pytest.mark.parametrize(
    "fields",
    [
        {"id": _Text("p1")},
        {"items": ("Y", "X")},
        {"inspectors": ["I"]},
        {"inspectors": ("I", "I")},
        {"window": _BERLIN_WINDOW},
        {"filed_at": _BERLIN},
        {"inspection_id": _Text("v1")},
        {"approvals": ["a"]},
        {"approved_by": (_Text("x"),)},
        {"approvals": ("a", _Text("b"))},
        {"approved_by": []},
        {"idempotency_key": 1},
    ],
)
def test_a_plan_is_plain_only_with_every_field_as_decoding_makes_it(fields: dict[str, object]) -> None:
    plan = _plan("p1", "v1")
    assert bodies.plain_plan(plan)
    assert not bodies.plain_plan(_with(plan, **fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"lead_department": _Text("D")},
        {"plan_ids": ("p2", "p1")},
        {"departments": ["D"]},
        {"items": ("X", "X")},
        {"inspectors": (1,)},
        {"window": _BERLIN_WINDOW},
        {"created_at": _BERLIN},
        {"successor": _Text("v2")},
        {"reservation_id": 1},
        {"completed_at": _BERLIN},
    ],
)
def test_a_visit_is_plain_only_with_every_field_as_decoding_makes_it(fields: dict[str, object]) -> None:
    visit = _visit("v1", ["p1", "p2"])
    assert bodies.plain_inspection(visit)
    assert bodies.plain_inspection(_with(visit, completed_at=T0))
    assert not bodies.plain_inspection(_with(visit, **fields))
