"""The rectification state machine: legal moves follow TRANSITIONS, anything else raises
IllegalTransition and changes nothing (pure, and through the Engine)."""

from __future__ import annotations

import itertools

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import IllegalTransition, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import CreditClass
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import Policy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.rules.rectification import TERMINAL, TRANSITIONS, RectificationAction, apply
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
S = RectificationState
A = RectificationAction
DEADLINE = T0.add(days=15)


def fresh(state: RectificationState = S.OPEN) -> Rectification:
    return Rectification("rect-1", "res-1", "E1", "SCJG", "SCJG-01", DEADLINE, state, T0)


def kwargs_for(action: RectificationAction, at: pendulum.DateTime) -> dict[str, object]:
    """Well-formed arguments for each action (so only the state decides legality)."""
    if action is A.SUBMIT:
        return {"evidence": ("photo-1",)}
    if action is A.REJECT:
        return {"note": "still broken", "new_deadline": at.add(days=10)}
    if action is A.ACCEPT:
        return {"accepted_mode": "remote"}
    return {}


def legal(rect: Rectification, action: RectificationAction, at: pendulum.DateTime) -> bool:
    if (rect.state, action) not in TRANSITIONS:
        return False
    return action is not A.MARK_OVERDUE or at > rect.deadline


steps = st.lists(st.tuples(st.sampled_from(list(A)), st.integers(0, 12 * 24)), max_size=15)


@given(steps)
def test_random_action_sequences_follow_the_table(seq: list[tuple[RectificationAction, int]]) -> None:
    rect, at = fresh(), T0
    for action, hours in seq:
        at = at.add(hours=hours)
        snapshot = rect
        if legal(rect, action, at):
            after = apply(rect, action, at=at, actor="x", **kwargs_for(action, at))  # type: ignore[arg-type]
            assert after.state is TRANSITIONS[(rect.state, action)]
            assert after.history == (*rect.history, after.history[-1])
            ev = after.history[-1]
            assert (ev.from_state, ev.to_state, ev.action, ev.at) == (rect.state, after.state, action.value, at)
            if action is A.REJECT:
                assert after.deadline == at.add(days=10)
            else:
                assert after.deadline == rect.deadline
            assert rect == snapshot  # the input is never changed
            rect = after
        else:
            with pytest.raises(IllegalTransition) as err:
                apply(rect, action, at=at, actor="x", **kwargs_for(action, at))  # type: ignore[arg-type]
            assert err.value.code == "rectification.illegal_transition"
            assert rect == snapshot
    if rect.state in TERMINAL:
        assert all(TRANSITIONS.get((rect.state, a)) is None for a in A)


def test_terminal_states_have_no_way_out() -> None:
    for state in TERMINAL:
        for action in A:
            with pytest.raises(IllegalTransition):
                apply(fresh(state), action, at=T0.add(days=30), actor="x", **kwargs_for(action, T0.add(days=30)))  # type: ignore[arg-type]


def test_reject_needs_reason_and_future_deadline() -> None:
    submitted = apply(fresh(), A.SUBMIT, at=T0, actor="e", evidence=("p",))
    at = T0.add(days=1)
    with pytest.raises(ValidationError) as err:
        apply(submitted, A.REJECT, at=at, actor="d", note="  ", new_deadline=at.add(days=3))
    assert err.value.code == "input.invalid"
    for deadline in (None, at, at.subtract(days=1)):
        with pytest.raises(ValidationError) as err:
            apply(submitted, A.REJECT, at=at, actor="d", note="why", new_deadline=deadline)
        assert err.value.code == "rectification.deadline_past"
    with pytest.raises(ValidationError):
        apply(fresh(), A.SUBMIT, at=T0, actor="e", evidence=())


def test_overdue_only_after_the_deadline() -> None:
    with pytest.raises(IllegalTransition):
        apply(fresh(), A.MARK_OVERDUE, at=DEADLINE, actor="sys")
    late = apply(fresh(), A.MARK_OVERDUE, at=DEADLINE.add(microseconds=1), actor="sys")
    assert late.state is S.OVERDUE
    # Still fixable after the deadline, and refusable.
    assert apply(late, A.SUBMIT, at=DEADLINE.add(days=1), actor="e", evidence=("p",)).state is S.SUBMITTED
    assert apply(late, A.REFUSE, at=DEADLINE.add(days=1), actor="d").state is S.REFUSED


# ------------------------------------------------------------------ through the engine

CITY = build_city(enterprises=2, departments=2)
CITY = attrs.evolve(CITY, enterprises=tuple(attrs.evolve(e, credit_class=CreditClass.B) for e in CITY.enterprises))
ENT = CITY.enterprises[0].credit_code


def engine() -> tuple[Engine, FixedClock, CollectingNotifier]:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=Policy(),
        clock=clock,
        notifier=notes,
        keys=MemoryKeyStore.from_seed(b"rectification-tests-seed-32bytes"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    clock.set(T0)
    return eng, clock, notes


def snapshot(eng: Engine, notes: CollectingNotifier) -> tuple[object, ...]:
    with eng.store.unit_of_work() as uow:
        return (
            tuple(uow.rectifications.for_enterprise(ENT)),
            tuple(uow.audit.entries()),
            tuple(n.key for n in uow.outbox.pending(10_000)),
            uow.reference.get_enterprise(ENT),
            tuple(notes.received),
        )


def act(eng: Engine, action: RectificationAction, rect_id: str) -> object:
    now = eng.clock.now()
    if action is A.SUBMIT:
        return eng.submit_rectification(rect_id, ["photo-after"], by=principals.enterprise(ENT))
    if action is A.ACCEPT:
        return eng.accept_rectification(rect_id, mode="on_site", by=principals.officer("SCJG"))
    if action is A.REJECT:
        return eng.reject_rectification(rect_id, "not fixed", now.add(days=5), by=principals.officer("SCJG"))
    if action is A.REFUSE:
        return eng.refuse_rectification(rect_id, "enterprise refuses", by=principals.officer("SCJG"))
    return eng.sweep_overdue(by=principals.SYSTEM)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(list(A)), st.integers(0, 10 * 24)), max_size=10))
def test_engine_follows_the_table_and_rejections_change_nothing(
    seq: list[tuple[RectificationAction, int]],
) -> None:
    eng, clock, notes = engine()
    rect = Rectification("rect-1", "res-1", ENT, "SCJG", "SCJG-01", T0.add(days=15), S.OPEN, T0)
    with eng.store.unit_of_work() as uow:
        uow.rectifications.add(rect)
        uow.commit()
    for action, hours in seq:
        clock.advance(hours=hours)
        current = eng.rectifications_of(ENT, by=principals.SYSTEM)[0]
        if action is A.MARK_OVERDUE:
            marked = eng.sweep_overdue(by=principals.SYSTEM)
            due = current.state is S.OPEN and current.deadline < clock.now()
            assert [r.id for r in marked] == (["rect-1"] if due else [])
            if due:
                assert eng.rectifications_of(ENT, by=principals.SYSTEM)[0].state is S.OVERDUE
                assert notes.of_kind("rectification.overdue")
            continue
        if legal(current, action, clock.now()):
            after = act(eng, action, "rect-1")
            assert isinstance(after, Rectification)
            assert after.state is TRANSITIONS[(current.state, action)]
            assert eng.rectifications_of(ENT, by=principals.SYSTEM) == [after]
            if action is A.REFUSE:
                assert eng.enterprise(ENT, by=principals.SYSTEM).key_supervision
                assert notes.of_kind("enterprise.key_supervision")
        else:
            before = snapshot(eng, notes)
            with pytest.raises(IllegalTransition):
                act(eng, action, "rect-1")
            assert snapshot(eng, notes) == before
    assert eng.verify_audit(by=principals.SYSTEM) > 0
    assert eng.enterprise(ENT, by=principals.SYSTEM).key_supervision == (
        eng.rectifications_of(ENT, by=principals.SYSTEM)[0].state is S.REFUSED
    )


def _visit_and_fail(eng: Engine, clock: FixedClock, item: str, day: int, times: int = 1) -> list[bool]:
    clock.set(T0.add(days=day - 21))
    start = T0.add(days=day)
    out = eng.file_plan(
        PlanRequest(
            ENT,
            "SCJG",
            start,
            start.add(hours=8),
            kind=InspectionKind.ROUTINE,
            items=[item],
            inspectors=["SCJG-I01", "SCJG-I02"],
        ),
        by=principals.officer("SCJG"),
    )
    assert out.inspection is not None
    code = eng.issue_inspection_code(out.inspection.id, by=principals.SYSTEM)
    gate = eng.issue_enterprise_code(ENT, by=principals.SYSTEM)
    clock.set(start.add(minutes=10))
    site = eng.enterprise(ENT, by=principals.SYSTEM).site
    eng.check_in(code.token, site, gate.token, by=principals.inspector("SCJG-I01"))
    found = []
    for _ in range(times):
        rec = eng.record_result(
            out.inspection.id, item, Outcome.FAIL, "expired licence", by=principals.inspector("SCJG-I01")
        )
        assert rec.rectification is not None and rec.rectification.guidance == rec.result.guidance
        found.append(rec.result.guidance)
    eng.check_out(out.inspection.id, by=principals.inspector("SCJG-I01"))
    return found


def test_first_violation_guidance_through_the_engine() -> None:
    eng, clock, notes = engine()
    # SCJG-01 is eligible for guidance (首违不罚), SCJG-02 is not.
    assert _visit_and_fail(eng, clock, "SCJG-01", 0) == [True]
    assert notes.of_kind("rectification.opened")[0].data()["guidance"] == "True"
    assert _visit_and_fail(eng, clock, "SCJG-01", 30) == [False]  # second violation
    assert _visit_and_fail(eng, clock, "SCJG-02", 60) == [False]  # not eligible
    # A second result for the same item in the same visit is refused (result.duplicate): it
    # would open a second rectification; a change is an audited correct_result.
    with pytest.raises(IllegalTransition) as err:
        _visit_and_fail(eng, clock, "SCJG-03", 90, times=2)
    assert err.value.code == "result.duplicate"
    assert sum(r.item == "SCJG-03" for r in eng.rectifications_of(ENT, by=principals.SYSTEM)) == 1


def test_refusal_makes_the_enterprise_a_key_supervision_target() -> None:
    eng, clock, notes = engine()
    _visit_and_fail(eng, clock, "SCJG-02", 0)
    (rect,) = eng.rectifications_of(ENT, by=principals.SYSTEM)
    assert not eng.enterprise(ENT, by=principals.SYSTEM).key_supervision
    eng.refuse_rectification(rect.id, "will not fix", by=principals.officer("SCJG"))
    assert eng.enterprise(ENT, by=principals.SYSTEM).key_supervision
    (note,) = notes.of_kind("enterprise.key_supervision")
    assert note.subject == ENT and note.data()["rectification"] == rect.id
