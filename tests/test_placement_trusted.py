"""Shortcuts of the filing path (issue 11) that skip a step because an earlier one did it:
a plan built from a request's texts without checking them again is the plan built with
the check, and a chunk's unit of work asks the store for its ledger once."""

from __future__ import annotations

from types import SimpleNamespace

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model._trusted import builder
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.operations.bulk_cache import CachingUnit
from jointinspect.operations.placement import reservation_for
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


class _ZonedClock:
    """A clock that reads its instants in a zone other than UTC."""

    def now(self) -> pendulum.DateTime:
        return T0.add(days=-30).in_timezone("Asia/Shanghai")


@pytest.mark.parametrize("bulk", [False, True])
def test_a_visit_reserved_under_a_clock_in_another_zone_is_created_in_utc(bulk: bool) -> None:
    """A new visit is built from its plan's values without its converters only when its
    creation instant is already UTC: a clock reading in another zone still goes through
    them, as the visit built by its class would."""
    from benchmarks.bulk import DEPARTMENTS, register
    from jointinspect.auth import Principal
    from jointinspect.engine import Engine

    store = MemoryStore()
    register(store, 1)
    engine = Engine(store=store, clock=_ZonedClock(), ids=lambda: "v1", auto_deliver=False)
    dept = DEPARTMENTS[0]
    request = PlanRequest(
        ENT, dept, T0, T0.add(hours=8), items=[f"{dept}-01"], inspectors=[f"{dept}-I02", f"{dept}-I01"]
    )
    by = Principal.officer(dept)
    outcome = engine.file_plans([request], by=by).items[0].outcome if bulk else engine.file_plan(request, by=by)
    assert outcome is not None
    visit = outcome.inspection
    assert visit is not None
    assert visit.created_at.tzinfo is pendulum.UTC
    assert visit == Inspection(**{f.name: getattr(visit, f.name) for f in attrs.fields(Inspection)})
    assert visit.inspectors == (f"{dept}-I01", f"{dept}-I02")


def test_a_visits_reservation_checks_the_names_of_a_visit_its_class_did_not_convert() -> None:
    """`reservation_for` skips looking over the names only of an `Inspection` (whose
    converters made them): a subclass built past its converters has them sorted."""

    @attrs.frozen
    class Loose(Inspection):
        pass

    loose = builder(Loose)(
        id="v1", enterprise=ENT, lead_department="YJGL", plan_ids=("p1", "p2"), departments=("YJGL", "SCJG"),
        items=(), inspectors=("b", "a", "b"), window=Window(T0, T0.add(hours=8)), kind=InspectionKind.ROUTINE,
        created_at=T0, status=InspectionStatus.PLANNED, successor=None, reservation_id=None, completed_at=None,
    )  # fmt: skip
    store = MemoryStore()
    with store.unit_of_work() as uow:
        context = SimpleNamespace(ledger=None, pending_ttl=None)
        effects = SimpleNamespace(uow=uow, now=T0)
        made = reservation_for(context, effects, loose)  # type: ignore[arg-type]
    assert made.departments == ("SCJG", "YJGL")
    assert made.inspectors == ("a", "b")
    plain = Inspection(**{f.name: getattr(loose, f.name) for f in attrs.fields(Inspection)})
    assert reservation_for(context, effects, plain) == made  # type: ignore[arg-type]


def _member(plan_id: object, department: object, items: tuple[str, ...] = ("SCJG-01",)) -> Plan:
    return Plan(
        id=plan_id,  # type: ignore[arg-type]
        enterprise=ENT,
        department=department,  # type: ignore[arg-type]
        items=items,
        inspectors=("b", "a"),
        window=Window(T0, T0.add(hours=8)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0,
    )


@pytest.mark.parametrize(
    "members",
    [
        [_member("p1", "SCJG"), _member("p1", "YJGL", ("YJGL-01",))],  # one id twice
        [_member("p2", 7), _member("p1", 7)],  # a department no converter made text
        [_member(2, "SCJG"), _member(1, "YJGL")],  # ids no converter made text
    ],
)
def test_a_joined_visit_of_plain_plans_still_checks_the_names_no_converter_made(members: list[Plan]) -> None:
    """`describe_group` of plain plans skips the visit's converters for the names the plans'
    converters made (items, inspectors), not for the plan ids and departments: built as
    the class builds it."""
    from jointinspect.operations.placement import describe_group
    from jointinspect.policy.schema import MatchingPolicy
    from jointinspect.rules.matching import group_of

    target = Inspection(
        id="v1", enterprise=ENT, lead_department="SCJG", plan_ids=("p1",), departments=("SCJG",),
        items=("SCJG-01",), inspectors=("a", "b"), window=Window(T0, T0.add(hours=8)),
        kind=InspectionKind.ROUTINE, created_at=T0, reservation_id="v1",
    )  # fmt: skip
    group = group_of(members, MatchingPolicy(), None, Window(T0, T0.add(hours=8)))
    lead = next(m for m in members if m.department == group.lead_department)
    made = describe_group(target, group, lead, plain=True)
    assert made == describe_group(target, group, lead)
    assert made == Inspection(**{f.name: getattr(made, f.name) for f in attrs.fields(Inspection)})


def test_a_join_of_a_plan_subclass_is_not_plain() -> None:
    """A member that is not exactly a `Plan` may hold names its class did not convert: the
    group of a join with one is not described as plain."""
    from jointinspect.operations.placement import lead_member

    @attrs.frozen
    class Loose(Plan):
        pass

    plain = _member("p1", "SCJG")
    loose = builder(Loose)(**{f.name: getattr(_member("p2", "YJGL"), f.name) for f in attrs.fields(Plan)})
    assert lead_member([plain, loose], "YJGL") == (loose, False)
    assert lead_member([loose, plain], "SCJG") == (plain, False)
    assert lead_member([plain, _member("p3", "SCJG")], "SCJG") == (plain, True)
    with pytest.raises(LookupError):
        lead_member([plain], "YJGL")
