"""Bulk filing asks the authorization matrix once per department and chunk while
``file_plan``'s answer reads the department alone (`FilingMemo.permitted`, issue 11): a
chunk mixing departments, principals and an extra authorizer that reads the enterprise
gets the outcomes, refusals and refusal log lines of filing one by one."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.auth import AuthContext, Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, JointInspectError
from jointinspect.memory import MemoryStore
from jointinspect.operations._unit import Context
from jointinspect.operations.filing import FilingMemo
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import snapshot

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=2, inspectors_per_department=2, items_per_department=2)
DEPARTMENTS = [d.code for d in CITY.departments]
#: an enterprise an extra authorizer refuses (a fact the matrix's grant does not read)
BARRED = CITY.enterprises[0].credit_code


class _BarOne:
    """Refuses filing for one enterprise: an answer that differs within a department."""

    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None:
        if operation == "file_plan" and context.enterprise == BARRED:
            raise Forbidden("auth.forbidden", operation=operation, principal=principal.actor)


def engine(barred: bool) -> Engine:
    """A fresh engine over the city, with the extra authorizer or without."""
    counter = itertools.count()
    e = Engine(
        store=MemoryStore(),
        clock=FixedClock(NOW),
        ids=lambda: f"id{next(counter):06d}",
    )
    populate(e, CITY)
    if barred:
        e.authorizers = [_BarOne()]
    return e


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """A request of either department (the principal may be of the other one)."""
    department = draw(st.sampled_from(DEPARTMENTS))
    start = NOW.add(days=draw(st.sampled_from([7, 9])))
    return PlanRequest(
        draw(st.sampled_from(CITY.enterprises)).credit_code,
        department,
        start,
        start.add(hours=8),
        items=[i.code for i in CITY.items_of(department)][:1],
        inspectors=[i.id for i in CITY.inspectors_of(department)],
    )


def outcome(call: Any) -> Any:
    try:
        return call()
    except JointInspectError as error:
        return (error.code, error.details)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(requests(), max_size=16),
    st.sampled_from([Principal.officer(DEPARTMENTS[0]), Principal.officer(DEPARTMENTS[1]), Principal.system()]),
    st.booleans(),
)
def test_a_chunk_is_authorized_as_filing_one_by_one(batch: list[PlanRequest], by: Principal, barred: bool) -> None:
    alone, bulk = engine(barred), engine(barred)
    expected = [outcome(lambda r=r: alone.file_plan(r, by=by)) for r in batch]
    if by.kind.value != "officer":  # file_plans itself is for officers
        with pytest.raises(Forbidden):
            bulk.file_plans(batch, by=by)
        return
    out = bulk.file_plans(batch, by=by, chunk=16)
    got = [item.outcome if item.error is None else (item.error.code, item.error.details) for item in out.items]
    assert got == expected
    assert snapshot(bulk.store, CITY) == snapshot(alone.store, CITY)


def test_every_refusal_in_a_chunk_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """An allowed department is remembered, a refused one is not: each refused request
    logs its refusal, as when filed alone."""
    own, other = DEPARTMENTS
    batch = [
        PlanRequest(
            e.credit_code,
            department,
            NOW.add(days=7),
            NOW.add(days=7, hours=8),
            items=[i.code for i in CITY.items_of(department)][:1],
            inspectors=[i.id for i in CITY.inspectors_of(department)],
        )
        for e in CITY.enterprises
        for department in (own, other)
    ]
    with caplog.at_level(logging.WARNING, logger="jointinspect.auth"):
        out = engine(False).file_plans(batch, by=Principal.officer(own))
    refused = [item for item in out.items if item.error is not None]
    assert [item.error.code for item in refused if item.error] == ["auth.wrong_department"] * 3
    assert len([r for r in caplog.records if "file_plan" in r.getMessage()]) == 3


def test_the_memo_is_off_with_an_extra_authorizer() -> None:
    memo = FilingMemo()
    plain, barred = engine(False), engine(True)
    assert memo.department_only(context_of(plain))
    assert not memo.department_only(context_of(barred))


def context_of(e: Engine) -> Context:
    context: Context = e._context
    return context
