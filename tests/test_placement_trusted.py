"""Shortcuts of the filing path (issue 11) that skip a step because an earlier one did it:
a plan built from a request's texts without checking them again is the plan built with
the check, and a chunk's unit of work asks the store for its ledger once."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind, Plan, PlanStatus, Window
from jointinspect.operations.bulk_cache import CachingUnit
from jointinspect.requests import PlanRequest
from jointinspect.sample import credit_code

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = credit_code(0)


def _plan(request: PlanRequest, texts_checked: bool) -> Plan:
    return Plan.checked(
        id="p1",
        enterprise=request.enterprise,
        department=request.department,
        items=("SCJG-01",),
        inspectors=("a", "b"),
        window=Window(request.start, request.end),
        kind=InspectionKind.ROUTINE,
        filed_at=T0,
        status=PlanStatus.ACTIVE,
        reason=request.reason,
        idempotency_key=request.idempotency_key,
        texts_checked=texts_checked,
    )


@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=20), st.from_regex(r"[A-Za-z0-9-]{1,12}")))
def test_a_requests_texts_are_what_the_plans_converters_make_of_them(reason: str, key: str | None) -> None:
    """Whatever a request accepts, the plan's converters accept unchanged, so skipping
    them (``texts_checked``) gives the same plan; what a request refuses never reaches it."""
    try:
        request = PlanRequest(ENT, "SCJG", T0, T0.add(hours=8), reason=reason, idempotency_key=key)
    except ValidationError:
        with pytest.raises(ValidationError):  # the plan's own converters refuse it too
            Plan.checked(
                "p1", ENT, "SCJG", (), (), Window(T0, T0.add(hours=1)), InspectionKind.ROUTINE, T0,
                PlanStatus.ACTIVE, reason, key,
            )  # fmt: skip
        return
    trusted, checked = _plan(request, True), _plan(request, False)
    assert trusted == checked
    assert type(trusted.reason) is type(checked.reason) is str


def test_a_chunks_unit_asks_the_store_for_its_ledger_once() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        asked: list[int] = []

        class Counting:
            def __init__(self) -> None:
                self.inner = uow

            @property
            def ledger(self) -> object:
                asked.append(1)
                return uow.ledger

            def __getattr__(self, name: str) -> object:
                return getattr(uow, name)

        unit = CachingUnit(Counting())  # type: ignore[arg-type]
        first = unit.ledger
        assert unit.ledger is first is uow.ledger
        assert asked == [1]
