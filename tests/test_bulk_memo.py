"""Bulk filing reuses, within one chunk, the checks an earlier request passed with exactly the
same inputs (`jointinspect.operations.filing.FilingMemo`, issue 11): the outcomes stay those
of filing one by one when requests differ only in what a check reads (a window end past an
inspector's certificate, an item outside an inspector's field, a kind exempt from notice, a
start on a quiet day), and a refused request is refused by the same first check."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any, cast

import attrs
import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import JointInspectError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import Inspection, InspectionKind, Plan, Window
from jointinspect.model.reference import CreditClass, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.model.result import ResultRecord
from jointinspect.operations.bulk_cache import _OpenVisits
from jointinspect.operations.filing import FilingMemo
from jointinspect.policy.inspections import FilingPolicy, WhitelistMode, WhitelistPolicy
from jointinspect.policy.schema import Policy
from jointinspect.ports import UnitOfWork
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, credit_code, populate
from jointinspect.testing._world import snapshot

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=2, inspectors_per_department=2, items_per_department=2)
DEPT = CITY.departments[0].code
OFFICER = Principal.officer(DEPT)
OWN_ITEMS = [i.code for i in CITY.items_of(DEPT)]
#: an item of the department in a field its inspectors are not certified for
ODD_ITEM = SupervisionItem(f"{DEPT}-odd", "odd item", DEPT, "odd-field", "standard")
#: a scenario adding the department's first item and another department's (left out)
SCENARIO = Scenario("one-thing", "one thing", (OWN_ITEMS[0], CITY.items[-1].code))
STEADY = [i.id for i in CITY.inspectors_of(DEPT)]
#: an inspector whose certificate ends on the ninth day after NOW (windows start on days 7, 9 and 10)
EXPIRING = Inspector(
    f"{DEPT}-I99", "expiring", DEPT, "37999999", {CITY.items_of(DEPT)[0].field}, "2024-01-01", "2026-03-11"
)
#: the tenth day after NOW is quiet for planned kinds
POLICY = Policy(filing=FilingPolicy(quiet_days=frozenset({NOW.add(days=10).day})))


def engine(policy: Policy = POLICY) -> Engine:
    """A fresh engine over the city plus the odd item, the scenario and the expiring inspector."""
    counter = itertools.count()
    e = Engine(store=MemoryStore(), clock=FixedClock(NOW), ids=lambda: f"id{next(counter):06d}", policy=policy)
    populate(e, CITY)
    system = Principal.system()
    e.add_item(ODD_ITEM, by=system)
    e.add_scenario(SCENARIO, by=system)
    e.add_inspector(EXPIRING, by=system)
    return e


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """Requests from a small space, so a chunk repeats inputs often and varies one at a time."""
    start = NOW.add(days=draw(st.sampled_from([7, 9, 10])))
    return PlanRequest(
        draw(st.sampled_from(CITY.enterprises)).credit_code,
        DEPT,
        start,
        start.add(hours=draw(st.sampled_from([1, 8, 8, 60]))),
        kind=draw(st.sampled_from(["routine", "special", "complaint"])),
        items=draw(
            st.sampled_from([OWN_ITEMS[:1]] * 2 + [OWN_ITEMS[1:]] * 2 + [OWN_ITEMS, [OWN_ITEMS[1], ODD_ITEM.code]])
        ),
        inspectors=draw(st.sampled_from([STEADY] * 3 + [[STEADY[0], EXPIRING.id], [EXPIRING.id, *STEADY], STEADY[:1]])),
        scenario=draw(st.none() | st.just(SCENARIO.code)),
    )


def outcome(call: Any) -> Any:
    try:
        return call()
    except JointInspectError as error:
        return (error.code, error.details)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), max_size=24), st.sampled_from([3, 24]))
def test_checks_reused_in_a_chunk_give_the_outcomes_of_filing_one_by_one(batch: list[PlanRequest], chunk: int) -> None:
    alone, bulk = engine(), engine()
    expected = [outcome(lambda r=r: alone.file_plan(r, by=OFFICER)) for r in batch]
    out = bulk.file_plans(batch, by=OFFICER, chunk=chunk)
    got = [item.outcome if item.error is None else (item.error.code, item.error.details) for item in out.items]
    assert got == expected
    assert snapshot(bulk.store, CITY) == snapshot(alone.store, CITY)


def test_the_same_inputs_but_a_later_end_are_checked_again() -> None:
    """A window ending after the expiring certificate is refused although the same request
    ending before it was filed just before, in the same chunk."""
    start = NOW.add(days=8)
    first, second = (
        PlanRequest(
            CITY.enterprises[i].credit_code,
            DEPT,
            start,
            start.add(hours=hours),
            items=[OWN_ITEMS[0]],
            inspectors=[STEADY[0], EXPIRING.id],
        )
        for i, hours in ((0, 8), (1, 80))
    )
    out = engine().file_plans([first, second], by=OFFICER)
    assert out.items[0].error is None
    assert out.items[1].error is not None and out.items[1].error.code == "filing.certificate_invalid"
    assert dt.date(2026, 3, 11) == EXPIRING.valid_until


def test_the_memo_answers_equal_keys_of_new_instants_and_no_other() -> None:
    # the last key is compared before the dict is asked: equal keys (new instants, as each
    # request brings) get its answer, a key differing anywhere (the kind too) gets the dict's
    memo = FilingMemo()
    start = NOW.add(days=7)

    def key(end_hours: int, zone: str = "UTC", kind: str = "routine") -> tuple[object, ...]:
        return (DEPT, tuple(OWN_ITEMS), None, tuple(STEADY), start.in_timezone(zone), start.add(hours=end_hours), kind)

    first = (Window(start, start.add(hours=8)), tuple(OWN_ITEMS), tuple(STEADY), False)
    memo.checked.put(key(8), first)
    assert memo.checked_for(key(8)) is first
    assert memo.checked_for(key(8, "Asia/Shanghai")) is first  # the same instant, as the dict says
    assert memo.checked_for(key(9)) is None
    assert memo.checked_for(key(8, kind="complaint")) is None
    assert memo.checked_for(key(8)) is first  # and back


def test_a_preloaded_visits_plans_are_in_filing_order_whatever_order_they_come_in() -> None:
    start = pendulum.datetime(2026, 4, 1, tz="UTC")
    window = Window(start, start.add(hours=8))
    later, earlier = (
        Plan(pid, "E1", "D", ("X",), ("I",), window, InspectionKind.ROUTINE, start.subtract(days=days)).placed_in("v1")
        for pid, days in (("p1", 1), ("p2", 2))
    )
    visit = Inspection("v1", "E1", "D", ("p1", "p2"), ("D",), ("X",), ("I",), window, InspectionKind.ROUTINE, start)

    class Store:
        inspections = SimpleNamespace(open_for_enterprises=lambda reaching: {"E1": [visit]})
        plans = SimpleNamespace(for_inspections=lambda ids: [later, earlier])  # not in filing order

    open_visits = _OpenVisits()
    open_visits.preload(cast(UnitOfWork, Store()), {"E1": start})
    assert open_visits.plans_of(["v1"]) == [earlier, later]


def test_a_kind_exempt_from_notice_after_the_same_request_of_a_planned_kind() -> None:
    """Requests alike but for their kind: a complaint after a routine plan (and the other
    way round) is reported as exempt from notice as alone, in one chunk."""
    start = NOW.add(days=7)
    batch = [
        PlanRequest(
            CITY.enterprises[i % 3].credit_code,
            DEPT,
            start,
            start.add(hours=8),
            kind=kind,
            items=[OWN_ITEMS[0]],
            inspectors=STEADY,
        )
        for i, kind in enumerate(["routine", "complaint", "routine"])
    ]
    alone, bulk = engine(), engine()
    expected = [alone.file_plan(r, by=OFFICER) for r in batch]
    out = bulk.file_plans(batch, by=OFFICER)
    assert [item.outcome for item in out.items] == expected
    assert [o.exempt_notice for o in expected] == [False, True, False]


def test_the_whitelist_decided_for_each_enterprise_s_class_and_flag() -> None:
    """One chunk's requests to enterprises of other credit classes, on the whitelist or
    not, and of kinds it restricts or not: each decided as alone (active, awaiting
    approval or refused)."""
    system = Principal.system()
    policy = attrs.evolve(
        POLICY,
        whitelist=WhitelistPolicy(classes={CreditClass.A: WhitelistMode.LIMITED, CreditClass.D: WhitelistMode.EXEMPT}),
    )
    ours = [
        Enterprise(credit_code(900 + n), f"e{n}", CITY.enterprises[0].site, credit_class=c, whitelisted=w)
        for n, (c, w) in enumerate(
            [(CreditClass.B, False), (CreditClass.A, False), (CreditClass.B, True), (CreditClass.D, False)]
        )
    ]
    start = NOW.add(days=7)
    batch = [
        PlanRequest(e.credit_code, DEPT, start, start.add(hours=8), kind=kind, items=[OWN_ITEMS[0]], inspectors=STEADY)
        for kind in ["routine", "complaint"]
        for e in [*ours, ours[0]]
    ]

    def outcomes(bulk: bool) -> list[Any]:
        e = engine(policy)
        for enterprise in ours:
            e.add_enterprise(enterprise, by=system)
        if bulk:
            return [item.outcome or item.error.code for item in e.file_plans(batch, by=OFFICER).items]  # type: ignore[union-attr]
        return [outcome(lambda r=r: e.file_plan(r, by=OFFICER)) for r in batch]

    expected = outcomes(bulk=False)
    assert outcomes(bulk=True) == [o if not isinstance(o, tuple) else o[0] for o in expected]
    statuses = [o.status if not isinstance(o, tuple) else o[0] for o in expected]
    assert statuses == [
        *["active", "pending_approval", "pending_approval", "whitelist.exempt", "active"],
        *["active"] * 5,
    ]


def test_results_shared_within_the_lookback_of_the_chunk_s_clock() -> None:
    """Earlier results of the requests' items at their enterprises, one within the sharing
    lookback and one just before it: each plan of the chunk shares the first as alone."""
    start = NOW.add(days=7)
    enterprises = [e.credit_code for e in CITY.enterprises[:2]]
    batch = [
        PlanRequest(code, DEPT, start, start.add(hours=8), items=OWN_ITEMS[: n + 1], inspectors=STEADY)
        for n, code in enumerate(enterprises)
    ]
    months = POLICY.sharing.lookback_months
    times = [NOW.subtract(months=months, days=1), NOW.subtract(months=months).add(days=1)]

    def filed(bulk: bool) -> list[Any]:
        e = engine()
        with e.store.unit_of_work() as uow:
            for code in enterprises:
                for n, at in enumerate(times):
                    uow.results.add(
                        ResultRecord(
                            f"{code}-{n}", "old", code, DEPT, STEADY[0], OWN_ITEMS[0], "pass", "", (), at, DEPT
                        )
                    )
            uow.commit()
        if bulk:
            return [item.outcome for item in e.file_plans(batch, by=OFFICER).items]
        return [e.file_plan(r, by=OFFICER) for r in batch]

    expected = filed(bulk=False)
    assert filed(bulk=True) == expected
    assert [[r.id for r in o.shared_records] for o in expected] == [[f"{code}-1"] for code in enterprises]
