"""The inefficient-inspection watch (Chengdu) (issue 12, capability 6): three consecutive
no-finding inspections of one enterprise in a year block the inspector from a fourth
until a supervisor records an explanation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.errors import IllegalTransition, InspectionWatchBlocked, PolicyError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Role
from jointinspect.model.result import Outcome
from jointinspect.policy import load_policy, preset
from jointinspect.testing._world import T0, World, make_world
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, inspector, officer

I01 = inspector("SCJG-I01")


def world(consecutive: int = 3, window_days: int = 365) -> World:
    return make_world(MemoryStore(), load_policy({"watch": {"consecutive": consecutive, "window_days": window_days}}))


def planned(w: World, day: int) -> str:
    """File a plan for ``day`` a week ahead; return its inspection id."""
    w.clock.set(T0.add(days=day - 8))
    out = w.file(day=day)
    assert out.inspection is not None
    return out.inspection.id


def gate_codes(w: World, iid: str) -> tuple[str, str]:
    """The inspection's code and the enterprise code, issued; the clock at the visit's start."""
    inspection = w.engine.inspection(iid, by=SYSTEM)
    code = w.engine.issue_inspection_code(iid, by=SYSTEM).token
    gate = w.engine.issue_enterprise_code(inspection.enterprise, by=SYSTEM).token
    w.clock.set(inspection.window.start.add(minutes=5))
    return code, gate


def enter(w: World, day: int) -> str:
    """SCJG-I01 checks in to a visit on ``day``; return its id."""
    w.clock.set(T0.add(days=day - 8))
    return w.visit(w.file(day=day))


def inspect(w: World, day: int, finding: bool = False) -> str:
    iid = enter(w, day)
    outcome = Outcome.FAIL if finding else Outcome.PASS
    w.engine.record_result(iid, "SCJG-02", outcome, "现场检查", by=I01)
    w.engine.check_out(iid, by=I01)
    return iid


def notified(w: World, kind: str) -> set[tuple[Role, str]]:
    with w.store.unit_of_work() as uow:
        return {(n.role, n.recipient) for n in uow.outbox.pending(10_000) if n.kind == kind}


def test_chengdu_blocks_a_fourth_no_finding_inspection_until_a_supervisor_explains() -> None:
    w = make_world(MemoryStore(), preset("chengdu"))
    for day in (0, 30, 60):
        inspect(w, day)
    assert notified(w, "watch.blocked") == {(Role.SUPERVISOR, "judicial"), (Role.DEPARTMENT, "SCJG")}
    # The fourth check-in is refused with its own code; nothing changed.
    code, gate = gate_codes(w, planned(w, 90))
    err = w.refused_with(
        InspectionWatchBlocked, lambda: w.engine.check_in(code, w.ent.site, gate, by=I01), "watch.explanation_required"
    )
    assert err.details == {"inspector": "SCJG-I01", "enterprise": w.ent.credit_code, "count": 3, "days": 365}
    assert "SCJG-I01" in err.message_zh and "3" in err.message_en
    # Only the supervisor may explain; then the inspector may inspect there again.
    ent = w.ent.credit_code
    w.refused(lambda: w.engine.explain_watch("SCJG-I01", ent, "专项复查", by=officer("SCJG")), "auth.forbidden")
    explained = w.engine.explain_watch("SCJG-I01", ent, "企业整体合规,三次检查均为例行", by=SUPERVISOR)
    assert explained.visits == () and explained.explained_by == SUPERVISOR.actor
    assert notified(w, "watch.explained") == {(Role.DEPARTMENT, "SCJG")}
    assert w.engine.check_in(code, w.ent.site, gate, by=I01).inspector_id == "SCJG-I01"


def test_another_inspector_and_another_enterprise_are_not_blocked() -> None:
    w = world(consecutive=1)
    inspect(w, 0)
    code, gate = gate_codes(w, planned(w, 30))
    with pytest.raises(InspectionWatchBlocked):
        w.engine.check_in(code, w.ent.site, gate, by=I01)
    assert w.engine.check_in(code, w.ent.site, gate, by=inspector("SCJG-I02")).inspector_id == "SCJG-I02"
    w.clock.set(T0.add(days=32))
    assert w.visit(w.file(enterprise=w.other.credit_code, day=40))


def test_a_finding_ends_the_run() -> None:
    w = world()
    inspect(w, 0)
    inspect(w, 30)
    inspect(w, 60, finding=True)
    inspect(w, 90)
    inspect(w, 120)
    run = w.engine.inspector_watch("SCJG-I01", w.ent.credit_code, by=officer("SCJG"))
    assert run is not None and len(run.visits) == 2
    assert enter(w, 150)


def test_only_inspections_within_the_window_count() -> None:
    w = world(consecutive=3, window_days=50)
    for day in (0, 30, 60):
        inspect(w, day)  # at day 60 the visit of day 0 is out of the window
    assert enter(w, 90)
    assert notified(w, "watch.blocked") == set()


def test_explaining_an_unblocked_inspector_is_refused() -> None:
    w = world()
    inspect(w, 0)
    w.refused_with(
        IllegalTransition,
        lambda: w.engine.explain_watch("SCJG-I01", w.ent.credit_code, "无", by=SUPERVISOR),
        "watch.not_blocked",
    )


def test_the_watch_is_off_by_default() -> None:
    w = make_world(MemoryStore())
    for day in (0, 30, 60, 90):
        inspect(w, day)
    assert w.engine.inspector_watch("SCJG-I01", w.ent.credit_code, by=SUPERVISOR) is None


def test_bad_thresholds_are_refused_naming_the_field() -> None:
    for bad in ({"consecutive": -1}, {"consecutive": True}, {"window_days": 0}):
        with pytest.raises(PolicyError) as err:
            load_policy({"watch": bad})
        assert "watch." in err.value.message_en and "watch." in err.value.message_zh


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=3), st.lists(st.booleans(), min_size=1, max_size=6))
def test_blocked_exactly_after_the_threshold_of_no_finding_inspections(threshold: int, findings: list[bool]) -> None:
    """A model of the rule: the run grows by each no-finding inspection and ends at a
    finding or an explanation; a check-in is refused exactly when the run reached the threshold."""
    w = world(consecutive=threshold)
    run = 0
    for n, finding in enumerate(findings):
        day = 30 * n
        if run >= threshold:
            with pytest.raises(InspectionWatchBlocked):
                enter(w, day)
            w.engine.explain_watch("SCJG-I01", w.ent.credit_code, "说明", by=SUPERVISOR)
            run = 0
            day += 10
        iid = enter(w, day)
        outcome = Outcome.FAIL if finding else Outcome.PASS
        w.engine.record_result(iid, "SCJG-02", outcome, "现场检查", by=I01)
        w.engine.check_out(iid, by=I01)
        run = 0 if finding else run + 1
        streak = w.engine.inspector_watch("SCJG-I01", w.ent.credit_code, by=SUPERVISOR)
        assert (len(streak.visits) if streak else 0) == run
