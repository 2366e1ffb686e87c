"""A visit's ``ji_inspection_departments`` rows (issue 11): when the transaction knows them
(read with the visit under its enterprise's lock, or written), a write sends only what
changed; the table must hold exactly the rows a rewrite from scratch would, held or not."""

from __future__ import annotations

import itertools

import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.repositories.listing import department_rows
from jointinspect_sqlalchemy.schema_listing import inspection_departments
from sqlalchemy import select

from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, Window

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
DEPARTMENTS = ("A", "B", "C", "D")
_runs = itertools.count()

#: one write: (visit number, its departments, its status, its start day)
_write = st.tuples(
    st.integers(0, 2),
    st.sets(st.sampled_from(DEPARTMENTS), min_size=1),
    st.sampled_from([InspectionStatus.PLANNED, InspectionStatus.CANCELLED]),
    st.integers(1, 3),
)
_Transaction = tuple[bool, bool, list[tuple[int, set[str], InspectionStatus, int]]]
#: transactions: (held?, read the open visits first?, writes)
_transactions = st.lists(st.tuples(st.booleans(), st.booleans(), st.lists(_write, max_size=4)), max_size=5)


def _visit(enterprise: str, vid: str, departments: set[str], status: InspectionStatus, day: int) -> Inspection:
    start = T0.add(days=day)
    return Inspection(
        vid,
        enterprise,
        min(departments),
        [f"p-{vid}"],
        sorted(departments),
        ["X"],
        ["I"],
        Window(start, start.add(hours=8)),
        InspectionKind.ROUTINE,
        T0,
        status=status,
    )


def _rows(store: SQLStore, enterprise: str) -> set[tuple[object, ...]]:
    t = inspection_departments
    with store.unit_of_work() as uow:
        found = uow.execute(select(t).where(t.c.enterprise == enterprise)).fetchall()
    return {tuple(row) for row in found}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(transactions=_transactions)
def test_rows_after_writes_equal_a_rewrite(sql_store: SQLStore, transactions: list[_Transaction]) -> None:
    enterprise = f"9137060000{next(_runs):08d}"
    ids = [f"{enterprise}-v{n}" for n in range(3)]
    now: dict[str, Inspection] = {}
    with sql_store.unit_of_work() as uow:
        uow.lock_enterprise(enterprise)
        for n, vid in enumerate(ids[:2]):  # two visits exist, the third is added later
            now[vid] = _visit(enterprise, vid, {DEPARTMENTS[n]}, InspectionStatus.PLANNED, 1)
            uow.inspections.add(now[vid])
            start = T0.add(days=1)
            window = Window(start, start.add(days=30))
            plan = Plan(f"p-{vid}", enterprise, "A", ["X"], ["I"], window, InspectionKind.ROUTINE, T0)
            uow.plans.add(plan.placed_in(vid))
        uow.commit()
    for held, read, writes in transactions:
        with sql_store.unit_of_work() as uow:
            if held:
                uow.defer_checks()
            uow.lock_enterprise(enterprise)
            if read:
                uow.inspections.open_for_enterprises({enterprise: T0})
            for number, departments, status, day in writes:
                vid = ids[number]
                visit = _visit(enterprise, vid, departments, status, day)
                if vid in now:
                    uow.inspections.update(visit)
                else:
                    uow.inspections.add(visit)
                now[vid] = visit
            uow.commit()
        expected = {tuple(row.values()) for visit in now.values() for row in department_rows(visit).values()}
        assert _rows(sql_store, enterprise) == expected
