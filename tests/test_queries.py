"""The operator listings through the Engine (issue 11): validation, scoping by principal,
whitelist modes under the policy, approvals and overdue rectifications end to end, and a
property: pages read one after another are the whole filtered, ordered listing."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect import Engine, FixedClock, MemoryStore, PlanRequest
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.errors import Forbidden, ValidationError
from jointinspect.model.plan import InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.reference import CreditClass
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import Policy, WhitelistMode, WhitelistPolicy
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, enterprise, inspector, officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CLASSES = (CreditClass.B, CreditClass.B, CreditClass.A, CreditClass.C, CreditClass.D, CreditClass.B)


def world(policy: Policy | None = None) -> tuple[Engine, FixedClock, list[str]]:
    city = build_city(enterprises=6, departments=3)
    shaped = [attrs.evolve(e, credit_class=c) for e, c in zip(city.enterprises, CLASSES, strict=True)]
    shaped[5] = attrs.evolve(shaped[5], whitelisted=True)
    city = attrs.evolve(city, enterprises=tuple(shaped))
    clock = FixedClock(T0.subtract(days=21))
    engine = Engine(store=MemoryStore(), policy=policy or Policy(), clock=clock, auto_deliver=False)
    populate(engine, city)
    return engine, clock, [e.credit_code for e in shaped]


def request(ent: str, dept: str = "SCJG", day: int = 0) -> PlanRequest:
    start = T0.add(days=day)
    return PlanRequest(
        ent, dept, start, start.add(hours=4), items=[f"{dept}-01"], inspectors=[f"{dept}-I01", f"{dept}-I02"]
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"limit": 0}, "input.out_of_range"),
        ({"limit": 1001}, "input.out_of_range"),
        ({"limit": True}, "input.not_integer"),
        ({"offset": -1}, "input.out_of_range"),
        ({"offset": "2"}, "input.not_integer"),
        ({"status": "nope"}, "input.not_member"),
        ({"department": "bad id!"}, "input.identifier"),
        ({"since": T0, "until": T0}, "query.range_reversed"),
        ({"since": T0.add(days=1), "until": T0}, "query.range_reversed"),
        ({"since": "2026-03-02T09:00:00"}, "time.naive"),
        ({"until": 20260302}, "input.not_instant"),
    ],
)
def test_a_bad_argument_is_a_typed_error(kwargs: dict[str, object], code: str) -> None:
    engine, _, _ = world()
    with pytest.raises(ValidationError) as err:
        engine.list_plans(by=SYSTEM, **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code
    assert err.value.message_en and err.value.message_zh


def test_other_listings_validate_their_own_arguments() -> None:
    engine, _, codes = world()
    refusals: list[Callable[[], object]] = [
        lambda: engine.list_enterprises(credit_class="E", by=SYSTEM),
        lambda: engine.list_enterprises(whitelist="maybe", by=SYSTEM),
        lambda: engine.list_enterprises(whitelisted="yes", by=SYSTEM),  # type: ignore[arg-type]
        lambda: engine.list_inspections(enterprise="not-a-code", by=SYSTEM),
        lambda: engine.list_rectifications(overdue="no", by=SYSTEM),  # type: ignore[arg-type]
        lambda: engine.list_complaints(since=T0, until=T0.subtract(days=1), by=SYSTEM),
        lambda: engine.audit_entries(after_seq=5, through_seq=5, by=SYSTEM),
        lambda: engine.audit_entries(after_seq=-1, by=SYSTEM),
        lambda: engine.pending_notifications(limit=1_000_000, by=SYSTEM),
        lambda: engine.results_of("", by=SYSTEM),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError):
            refuse()
    with pytest.raises(Forbidden) as err:
        engine.list_plans(by="system")  # type: ignore[arg-type]
    assert err.value.code == "auth.no_principal"
    assert engine.list_inspections(enterprise=codes[0].lower(), by=SYSTEM) == []  # normalised, then read


def test_whitelist_modes_follow_the_policy() -> None:
    engine, _, codes = world()
    a_class, whitelisted = codes[2], codes[5]
    limited = [e.credit_code for e in engine.list_enterprises(whitelist="limited", by=SYSTEM)]
    assert limited == sorted([a_class, whitelisted])  # class A by default, and the explicit flag
    assert [e.credit_code for e in engine.list_enterprises(whitelisted=True, by=SYSTEM)] == [whitelisted]
    assert engine.list_enterprises(whitelist=WhitelistMode.EXEMPT, by=SYSTEM) == []
    assert [e.credit_code for e in engine.list_enterprises(credit_class="D", by=SYSTEM)] == [codes[4]]
    assert engine.list_enterprises(credit_class="A", whitelist="normal", by=SYSTEM) == []
    normal = engine.list_enterprises(whitelist="normal", by=officer("SCJG"), limit=2, offset=1)
    assert [e.credit_code for e in normal] == sorted(set(codes) - {a_class, whitelisted})[1:3]
    # a city where class D is exempt and the explicit whitelist only needs approval
    strict = Policy(
        whitelist=WhitelistPolicy(
            classes={CreditClass.A: WhitelistMode.LIMITED, CreditClass.D: WhitelistMode.EXEMPT},
            explicit=WhitelistMode.LIMITED,
        )
    )
    engine, _, codes = world(strict)
    assert [e.credit_code for e in engine.list_enterprises(whitelist="exempt", by=SYSTEM)] == [codes[4]]


def test_approvals_and_visits_by_date_and_department() -> None:
    engine, clock, codes = world()
    pending = engine.file_plan(request(codes[2], day=2), by=officer("SCJG")).plan
    engine.file_plan(request(codes[0], day=1), by=officer("SCJG"))
    engine.file_plan(request(codes[1], "YJGL", day=3), by=officer("YJGL"))
    assert engine.pending_approvals(by=SUPERVISOR) == [pending]
    assert engine.pending_approvals(by=officer("YJGL")) == []
    visits = engine.list_inspections(by=SYSTEM)
    assert [i.enterprise for i in visits] == [codes[0], codes[1]]  # by window start
    in_range = engine.list_inspections(since=T0.add(days=2), until=T0.add(days=4), by=SYSTEM)
    assert [i.enterprise for i in in_range] == [codes[1]]
    assert [i.enterprise for i in engine.list_inspections(by=officer("YJGL"))] == [codes[1]]
    engine.approve_plan(pending.id, by=SUPERVISOR)
    assert engine.pending_approvals(by=SUPERVISOR) == []
    approved = engine.list_plans(status="active", department="SCJG", by=SUPERVISOR)
    assert [p.enterprise for p in approved] == [codes[0], codes[2]]
    assert [i.enterprise for i in engine.list_inspections(department="SCJG", by=SYSTEM)] == [codes[0], codes[2]]
    assert clock.now() < T0


def test_results_and_overdue_rectifications() -> None:
    engine, clock, codes = world()
    inspection = engine.file_plan(request(codes[0]), by=officer("SCJG")).inspection
    assert inspection is not None
    engine.keys = MemoryKeyStore.from_seed(b"queries-test-seed-of-32-bytes-ok")
    code = engine.issue_inspection_code(inspection.id, by=SYSTEM).token
    gate = engine.issue_enterprise_code(codes[0], by=SYSTEM).token
    clock.set(inspection.window.start.add(minutes=5))
    site = engine.enterprise(codes[0], by=SYSTEM).site
    engine.check_in(code, site, gate, by=inspector("SCJG-I01"))
    failed = engine.record_result(inspection.id, "SCJG-01", Outcome.FAIL, "expired", by=inspector("SCJG-I01"))
    assert engine.results_of(inspection.id, by=enterprise(codes[0])) == [failed.result]
    assert failed.rectification is not None
    assert engine.list_rectifications(by=SYSTEM) == [failed.rectification]
    assert engine.list_rectifications(overdue=True, by=SYSTEM) == []
    clock.set(failed.rectification.deadline.add(seconds=1))
    assert engine.list_rectifications(overdue=True, by=officer("SCJG")) == [failed.rectification]  # not swept yet
    engine.sweep_overdue(by=SYSTEM)
    (swept,) = engine.list_rectifications(overdue=True, enterprise=codes[0], by=SYSTEM)
    assert swept.id == failed.rectification.id and swept.state == "overdue"
    assert engine.list_rectifications(by=enterprise(codes[1])) == []
    assert engine.pending_notifications(by=SYSTEM, limit=1)
    seqs = [e.seq for e in engine.audit_entries(after_seq=2, through_seq=4, by=SUPERVISOR)]
    assert seqs == [3, 4]


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["SCJG", "YJGL", "STHJ"]),
        st.sampled_from([PlanStatus.ACTIVE, PlanStatus.PENDING_APPROVAL, PlanStatus.REJECTED]),
        st.integers(0, 6),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_ROWS,
    department=st.none() | st.sampled_from(["SCJG", "YJGL"]),
    status=st.none() | st.sampled_from([PlanStatus.ACTIVE, PlanStatus.PENDING_APPROVAL]),
    since=st.none() | st.integers(0, 6),
    span=st.integers(1, 7),
    size=st.integers(1, 6),
    moved=st.integers(0, 30),
)
def test_pages_read_in_turn_are_the_whole_ordered_listing(
    rows: list[tuple[str, PlanStatus, int]],
    department: str | None,
    status: PlanStatus | None,
    since: int | None,
    span: int,
    size: int,
    moved: int,
) -> None:
    store = MemoryStore()
    plans = [
        Plan(
            id=f"p{n:02d}",
            enterprise="91370600000000001N",
            department=dept,
            items=[f"{dept}-01"],
            inspectors=[f"{dept}-I01"],
            window=Window(T0.add(days=day), T0.add(days=day, hours=4)),
            kind=InspectionKind.ROUTINE,
            filed_at=T0,
            status=state,
        )
        for n, (dept, state, day) in enumerate(rows)
    ]
    with store.unit_of_work() as uow:
        for plan in plans:
            uow.plans.add(plan)
        if plans:  # an update moves one plan to another status and day
            changed = plans[moved % len(plans)]
            start = T0.add(days=moved % 7)
            plans[moved % len(plans)] = attrs.evolve(
                changed, status=PlanStatus.ACTIVE, window=Window(start, start.add(hours=4))
            )
            uow.plans.update(plans[moved % len(plans)])
        uow.commit()
    engine = Engine(store=store, clock=FixedClock(T0))
    low = None if since is None else T0.add(days=since)
    high = None if since is None else T0.add(days=since + span)
    expected = sorted(
        (
            p
            for p in plans
            if (department is None or p.department == department)
            and (status is None or p.status is status)
            and (low is None or low <= p.window.start)
            and (high is None or p.window.start < high)
        ),
        key=lambda p: (p.window.start, p.id),
    )
    read: list[Plan] = []
    while True:
        page = engine.list_plans(
            department=department, status=status, since=low, until=high, limit=size, offset=len(read), by=SYSTEM
        )
        read += page
        if len(page) < size:
            break
    assert read == expected
