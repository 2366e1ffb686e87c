"""Held writes (issue 11): after ``defer_checks`` the SQL store holds a bulk chunk's writes
and sends them per table; a refused send leaves nothing to commit, and a chunk's missing
lock rows are created together, before its transaction holds anything."""

from __future__ import annotations

from typing import Any

import attrs
import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore, codec
from jointinspect_sqlalchemy.held import changed_columns
from jointinspect_sqlalchemy.repositories.plans import _INSPECTION_COLUMNS, _inspection_row
from jointinspect_sqlalchemy.schema import enterprise_locks, inspections, plans
from jointinspect_sqlalchemy.schema_listing import inspection_departments
from sqlalchemy import select

from jointinspect.errors import IntegrityError
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.rules.frequency import Reservation

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001N"


def _plan(pid: str, day: int = 10) -> Plan:
    start = T0.add(days=day)
    return Plan(pid, ENT, "D", ["X"], ["I"], Window(start, start.add(hours=8)), InspectionKind.ROUTINE, T0)


def test_after_a_refused_send_nothing_commits(sql_store: SQLStore) -> None:
    with sql_store.unit_of_work() as uow:
        uow.plans.add(_plan("taken"))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.plans.add(_plan("new"))
        uow.plans.add(_plan("taken", day=20))
        with pytest.raises(IntegrityError, match="already exists"):
            uow.commit()
        uow.plans.add(_plan("later"))
        with pytest.raises(IntegrityError) as again:
            uow.commit()  # the held writes are gone with the refusal: nothing may commit
        assert "roll it back" in str(again.value.details)
    with sql_store.unit_of_work() as uow:
        assert [uow.plans.get(p) for p in ("new", "later")] == [None, None]
        assert uow.plans.get("taken") == _plan("taken")
        uow.defer_checks()
        uow.plans.add(_plan("new"))
        uow.plans.update(_plan("new", day=30))  # folded into the insert
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("new") == _plan("new", day=30)


def test_lock_enterprises_creates_missing_lock_rows_together(sql_store: SQLStore) -> None:
    codes = [f"9137060000000{n:04d}X" for n in range(7)]
    with sql_store.unit_of_work() as uow:
        uow.lock_enterprise(codes[3])  # one row exists already
        uow.commit()
    with sql_store.unit_of_work() as uow:
        uow.lock_enterprises(list(reversed(codes)))
        uow.plans.add(_plan("p"))
        # not committed: the plan is rolled back, the lock rows (created on their own) stay
    t = enterprise_locks
    with sql_store.unit_of_work() as uow:
        stored = [row[0] for row in uow.execute(select(t.c.enterprise).order_by(t.c.enterprise))]
        assert uow.plans.get("p") is None
    # SQLite's write lock excludes every other writer: it never needs lock rows
    assert stored == ([] if sql_store.family == "sqlite" else codes)


def test_held_updates_store_each_row_and_refuse_a_missing_one(sql_store: SQLStore) -> None:
    """Held updates go out together (on PostgreSQL one statement of arrays): every row as
    updated one by one, NULLs, long bodies and text outside ASCII included; one key that
    is not there refuses the lot."""
    before = [_plan(f"u{n}") for n in range(4)]
    with sql_store.unit_of_work() as uow:
        for plan in before:
            uow.plans.add(plan)
        uow.commit()
    after = [
        attrs.evolve(before[0], inspection_id="访问-1", reason="调整 " * 200),
        attrs.evolve(before[1], window=Window(T0.add(years=150), T0.add(years=150, hours=1))),
        attrs.evolve(before[2], inspection_id=None, status=PlanStatus.WITHDRAWN),
    ]
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        for plan in after:
            uow.plans.update(plan)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert [uow.plans.get(p.id) for p in before] == [*after, before[3]]
        ends = select(plans.c.id, plans.c.window_end).order_by(plans.c.id)
        assert [tuple(r) for r in uow.execute(ends)] == [
            (p.id, codec.micros(p.window.end)) for p in [*after, before[3]]
        ]
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.plans.update(attrs.evolve(before[3], reason="changed"))
        uow.plans.update(_plan("missing"))
        with pytest.raises(IntegrityError, match="does not exist"):
            uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.plans.get("u3") == before[3]
        assert uow.plans.get("missing") is None


def _visit(rid: str, day: int, inspectors: tuple[str, ...], departments: tuple[str, ...] = ()) -> Reservation:
    return Reservation(rid, ENT, "D", inspectors, InspectionKind.ROUTINE, T0.add(days=day), departments=departments)


def test_amends_of_stored_reservations_update_their_rows_as_rewriting_them_would(sql_store: SQLStore) -> None:
    """An amend of a reservation read back under the lock updates its row in place: only
    the columns that differ when the row is the one this store wrote, laid over what is
    held for it (a second amend in the chunk keeps the first's columns); one the table
    lacks is still inserted. The rows end as amending one by one leaves them."""
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.ledger.check_and_reserve(_visit("a", 10, ("I1",)), (), T0)
        uow.ledger.check_and_reserve(_visit("b", 20, ("I1",)), (), T0)
        uow.commit()
    final = [
        _visit("a", 11, ("I1", "I2"), ("D", "E")),
        _visit("b", 20, ("I3",)),
        _visit("c", 30, ("I4",)),
        _visit("n", 40, ("I5", "I6"), ("D", "F")),
    ]
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.ledger.preload([ENT])
        uow.ledger.amend(_visit("a", 10, ("I1", "I2"), ("D", "E")), (), T0)  # inspectors, departments
        uow.ledger.amend(final[0], (), T0)  # then the instant alone
        uow.ledger.amend(_visit("b", 20, ("I1",)), (), T0)  # unchanged
        uow.ledger.amend(final[1], (), T0)
        uow.ledger.amend(final[2], (), T0)  # not stored: inserted
        uow.ledger.check_and_reserve(_visit("n", 40, ("I5",)), (), T0)
        uow.ledger.amend(final[3], (), T0)  # held as added: the added row changes
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert uow.ledger.reservations(ENT) == final


def _open_visit(vid: str, day: int = 10, **changes: Any) -> Inspection:
    start = T0.add(days=day)
    visit = Inspection(
        vid, ENT, "D", [f"p-{vid}"], ["D"], ["X"], ["I"], Window(start, start.add(hours=8)), InspectionKind.ROUTINE, T0
    )
    return attrs.evolve(visit, **changes)


def _stored_rows(store: SQLStore) -> dict[str, tuple[object, ...]]:
    with store.unit_of_work() as uow:
        rows = uow.execute(select(inspections).where(inspections.c.id.like("v%"))).fetchall()
    return {row.id: tuple(row._mapping[name] for name in _INSPECTION_COLUMNS) for row in rows}


#: a change of each column of a visit's row (with its body), then of the body alone
_CHANGES: dict[str, list[dict[str, Any]]] = {
    "body": [{"inspectors": ["I", "J"]}],
    "status": [{"status": InspectionStatus.CANCELLED}],
    "created_at": [{"created_at": T0.add(hours=1)}],
    "window_start": [{"window": Window(T0.add(days=9), T0.add(days=10, hours=8))}],
    "enterprise": [{"enterprise": "91370600000000002N"}],
    "laid over": [{"status": InspectionStatus.CANCELLED}, {"inspectors": ["I", "J"]}],
    "unchanged": [{}],
}


@pytest.mark.parametrize("change", list(_CHANGES))
def test_updates_of_visits_read_under_the_lock_store_every_changed_column(sql_store: SQLStore, change: str) -> None:
    """A visit read back under its enterprise's lock (or added) in a chunk, then updated:
    only the columns that differ are sent, laid over what is held for it; the row ends as
    the update one by one leaves it (every column compared, so one left out fails)."""
    with sql_store.unit_of_work() as uow:
        uow.inspections.add(_open_visit("v1"))
        start = T0.add(days=10)
        plan = Plan("p-v1", ENT, "D", ["X"], ["I"], Window(start, start.add(days=30)), InspectionKind.ROUTINE, T0)
        uow.plans.add(plan.placed_in("v1"))
        uow.commit()
    final = {"v1": _open_visit("v1"), "v2": _open_visit("v2")}
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        uow.lock_enterprise(ENT)
        assert uow.inspections.open_for_enterprises({ENT: T0}) == {ENT: [final["v1"]]}
        uow.inspections.add(final["v2"])  # held as added: the update is folded in
        for changes in _CHANGES[change]:
            for vid in final:
                final[vid] = attrs.evolve(final[vid], **changes)
                uow.inspections.update(final[vid])
        uow.commit()
    expected = {vid: tuple(_inspection_row(visit).values()) for vid, visit in final.items()}
    assert _stored_rows(sql_store) == expected
    with sql_store.unit_of_work() as uow:
        assert [uow.inspections.get(vid) for vid in final] == list(final.values())


@pytest.mark.parametrize("held", [False, True])
def test_an_added_visit_stores_its_row_and_department_rows(sql_store: SQLStore, held: bool) -> None:
    """A visit added (one by one, or held in a chunk) stores its row and one department
    row each, at its window start (the add passes the start it encoded for its own row:
    a created_at apart from the start tells them apart)."""
    visit = _open_visit("v1", day=12, departments=["D", "E"], created_at=T0.add(hours=3))
    with sql_store.unit_of_work() as uow:
        if held:
            uow.defer_checks()
        uow.inspections.add(visit)
        uow.commit()
    assert _stored_rows(sql_store) == {"v1": tuple(_inspection_row(visit).values())}
    with sql_store.unit_of_work() as uow:
        t = inspection_departments
        rows = uow.execute(select(t).where(t.c.inspection_id == "v1").order_by(t.c.department)).fetchall()
        assert uow.inspections.get("v1") == visit
    start = codec.micros(visit.window.start)
    assert [tuple(row._mapping.values()) for row in rows] == [
        tuple(
            {"inspection_id": "v1", "department": d, "enterprise": ENT, "status": "planned", "window_start": start}[
                c.name
            ]
            for c in t.columns
        )
        for d in ("D", "E")
    ]


def test_changed_columns_sets_an_equal_value_of_another_type() -> None:
    # 1, 1.0 and True are equal in Python but not the same stored value: each is written
    row = {"id": "v", "a": 1, "b": "x", "c": True}
    columns, values = tuple(row), tuple(row.values())
    assert changed_columns(columns, values, ("v", 1, "x", True)) == {"id": "v"}
    assert changed_columns(columns, values, ("v", 1.0, "y", 1)) == {"id": "v", "a": 1, "b": "x", "c": True}


def _departments(inspection: str, *names: str, status: str = "planned") -> list[dict[str, Any]]:
    return [
        {"inspection_id": inspection, "department": d, "enterprise": ENT, "status": status, "window_start": 7}
        for d in names
    ]


def test_a_key_held_again_ends_as_its_last_write(sql_store: SQLStore) -> None:
    """A key's entry replaced while held: a rewrite or a patch written again sends only the
    last rows, and the first write's mode stays (rows rewritten over stored ones delete
    them, a patch writes only what differs from the stored rows)."""
    t = inspection_departments
    with sql_store.unit_of_work() as uow:
        uow.execute(t.insert(), [*_departments("r", "A", "B"), *_departments("p", "A", "B")])
        uow.commit()
    with sql_store.unit_of_work() as uow:
        uow.defer_checks()
        held = uow.held
        assert held is not None
        assert held.rewrite(t, "inspection_id", "r", _departments("r", "C"))
        assert held.rewrite(t, "inspection_id", "r", _departments("r", "B", "D"))
        stored = {row["department"]: row for row in _departments("p", "A", "B")}
        held.patch(t, "inspection_id", "department", "p", _departments("p", "A", "C"), stored)
        held.patch(t, "inspection_id", "department", "p", _departments("p", "A", "E", status="done"), stored)
        assert held.rewrite(t, "inspection_id", "n", _departments("n", "A"), new=True)
        assert not held.rewrite(t, "inspection_id", "n", _departments("n", "B"), new=True)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        found = sorted(tuple(row) for row in uow.execute(select(t.c.inspection_id, t.c.department, t.c.status)))
    assert found == [
        ("n", "A", "planned"),
        ("p", "A", "done"),
        ("p", "E", "done"),
        ("r", "B", "planned"),
        ("r", "D", "planned"),
    ]
