"""First-violation and minor-violation lists (首违不罚 / 轻微免罚, Haigang) and the
guidance-penalty-assistance loop (指导-处罚-帮扶, X city) (issue 12, capability 5)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointinspect.errors import IllegalTransition, PolicyError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.guidance import ListKind, LoopStage
from jointinspect.model.reference import SupervisionItem
from jointinspect.model.result import Outcome
from jointinspect.policy import load_policy, preset
from jointinspect.policy.oversight import GuidancePolicy, ListedItem
from jointinspect.rules import guidance as rule
from jointinspect.testing._world import T0, World, make_world
from jointinspect.testing.principals import SUPERVISOR, enterprise, inspector, officer

CIRCUMSTANCE = "未按规定公示,及时改正"
I01 = inspector("SCJG-I01")


def haigang(**overrides: object) -> World:
    return make_world(MemoryStore(), preset("haigang", **overrides))


def violate(w: World, day: int, circumstance: str = CIRCUMSTANCE, item: str = "SCJG-02") -> tuple[str, bool]:
    """A visit on ``day`` finding ``item`` violated in ``circumstance``; (result id, guidance)."""
    w.clock.set(T0.add(days=day - 8))  # file a week ahead; the codes are issued near the visit
    iid = w.visit(w.file(day=day))
    out = w.engine.record_violation(iid, item, circumstance, "现场发现", ["photo://1"], by=I01)
    w.engine.check_out(iid, by=I01)
    assert out.rectification is not None and out.rectification.guidance == out.result.guidance
    return out.result.id, out.result.guidance


def kinds(w: World) -> list[str]:
    with w.store.unit_of_work() as uow:
        return [n.kind for n in uow.outbox.pending(10_000)]


def test_a_first_violation_is_guidance_without_penalty_and_a_second_is_not() -> None:
    w = haigang()
    first, guided = violate(w, 0)
    assert guided
    # No penalty after guidance: refused, nothing changed.
    w.refused_with(
        IllegalTransition,
        lambda: w.engine.record_loop_step(first, "penalty", "罚款", by=officer("SCJG")),
        "guidance.no_penalty",
    )
    second, guided_again = violate(w, 30)
    assert not guided_again
    w.clock.set(w.clock.now().add(days=3))  # the loop is ordered by time
    w.engine.record_loop_step(second, "penalty", "罚款二千元", by=officer("SCJG"))
    w.refused_with(
        IllegalTransition,
        lambda: w.engine.record_loop_step(second, "penalty", "再罚", by=officer("SCJG")),
        "guidance.penalty_recorded",
    )
    w.clock.set(w.clock.now().add(days=7))
    w.engine.record_loop_step(second, "assistance", "上门指导建立公示制度", by=officer("SCJG"))
    # The loop is visible in the records: guidance given, penalty, assistance offered.
    loop = w.engine.enforcement_loop(w.ent.credit_code, by=enterprise(w.ent.credit_code))
    assert [(s.stage, s.result_id) for s in loop] == [
        (LoopStage.GUIDANCE, first),
        (LoopStage.PENALTY, second),
        (LoopStage.ASSISTANCE, second),
    ]
    assert (loop[0].list_kind, loop[0].circumstance, loop[0].actor) == ("first_violation", CIRCUMSTANCE, I01.actor)
    assert {"guidance.given", "penalty.recorded", "assistance.offered"} <= set(kinds(w))
    with w.store.unit_of_work() as uow:
        actions = [e.record.action for e in uow.audit.entries()]
    assert {"loop.guidance", "loop.penalty", "loop.assistance"} <= set(actions)


def test_after_the_policy_period_a_violation_is_a_first_one_again() -> None:
    w = haigang()
    assert violate(w, 0)[1]
    assert not violate(w, 200)[1]  # within 12 months of the first
    assert violate(w, 200 + 400)[1]  # more than 12 months after the last one


def test_period_zero_means_ever() -> None:
    w = haigang(guidance={"period_months": 0, "items": [{"item": "SCJG-02"}]})
    assert violate(w, 0)[1]
    assert not violate(w, 600)[1]


def test_an_entry_covers_only_its_circumstance_and_the_minor_list_is_recorded() -> None:
    w = haigang()
    assert not violate(w, 0, circumstance="造成危害后果")[1]  # SCJG-02 is listed for one circumstance
    # SCJG-04 is on the minor list for any circumstance.
    w.clock.set(T0.add(days=22))
    iid = w.visit(w.engine.file_plan(attrs.evolve(w.request(day=30), items=("SCJG-04",)), by=officer("SCJG")))
    assert w.engine.record_violation(iid, "SCJG-04", "情节轻微", "台账不全", by=I01).result.guidance
    (step,) = w.engine.enforcement_loop(w.ent.credit_code, by=SUPERVISOR)
    assert (step.stage, step.list_kind, step.circumstance) == (LoopStage.GUIDANCE, ListKind.MINOR.value, "情节轻微")


def test_record_result_keeps_the_item_flag_and_the_master_switch() -> None:
    # The example city flags SCJG-01 for first-violation guidance: a list entry for any circumstance.
    w = make_world(MemoryStore())
    assert w.failed_visit()[1].result.guidance
    off = make_world(MemoryStore(), load_policy({"rectification": {"first_violation_guidance": False}}))
    assert not off.failed_visit()[1].result.guidance


def test_loop_steps_are_refused_for_passes_and_for_the_guidance_stage() -> None:
    w = haigang()
    iid = w.visit(w.file())
    passed = w.engine.record_result(iid, "SCJG-02", Outcome.PASS, "ok", by=I01).result.id
    w.refused_with(
        IllegalTransition,
        lambda: w.engine.record_loop_step(passed, "assistance", by=officer("SCJG")),
        "guidance.not_a_violation",
    )
    w.refused_with(
        ValidationError,
        lambda: w.engine.record_loop_step(passed, "guidance", by=officer("SCJG")),
        "guidance.stage_manual",
    )


def test_bad_list_entries_are_refused_naming_the_field() -> None:
    with pytest.raises(PolicyError, match=r"guidance\.period_months"):
        load_policy({"guidance": {"period_months": -1}})
    with pytest.raises(PolicyError, match=r"guidance\.items\[0\]\.kind"):
        load_policy({"guidance": {"items": [{"item": "SCJG-02", "kind": "lenient"}]}})
    with pytest.raises(PolicyError, match="twice"):
        load_policy({"guidance": {"items": [{"item": "SCJG-02"}, {"item": "SCJG-02"}]}})
    with pytest.raises(PolicyError) as err:
        load_policy({"guidance": {"items": [{"item": "bad code"}]}})
    assert "guidance.items.item" in err.value.message_en and "guidance.items.item" in err.value.message_zh


# ---------------------------------------------------------------- properties of the rule

ITEMS = ["A-1", "A-2", "B-1"]
CIRCUMSTANCES = ["", "x", "y"]
entries = st.lists(st.tuples(st.sampled_from(ITEMS), st.sampled_from(CIRCUMSTANCES)), unique=True, max_size=6)


@given(entries, st.sampled_from(ITEMS), st.sampled_from(CIRCUMSTANCES), st.booleans(), st.booleans())
def test_the_entry_naming_the_circumstance_wins_and_a_repeat_is_never_guidance(
    listed: list[tuple[str, str]], item: str, circumstance: str, flagged: bool, before: bool
) -> None:
    policy = load_policy({"guidance": {"items": [{"item": i, "circumstance": c} for i, c in listed]}})
    supervision = SupervisionItem(item, "事项", "A", "market", first_violation_guidance=flagged)
    found = rule.listed(policy, supervision, circumstance)
    if circumstance and (item, circumstance) in listed:
        assert found is not None and found.circumstance == circumstance
    elif (item, "") in listed:
        assert found is not None and found.circumstance == ""
    elif flagged:
        assert found == ListedItem(item)
    else:
        assert found is None
    decided = rule.guidance(policy, supervision, circumstance, Outcome.FAIL, before)
    assert decided == (None if before else found)
    assert rule.guidance(policy, supervision, circumstance, Outcome.PASS, False) is None
    assert GuidancePolicy().entry(item, circumstance) is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=9, max_value=250), min_size=1, max_size=4))
def test_guidance_iff_no_violation_within_the_period(gaps: list[int]) -> None:
    """Violations of one listed item at growing days: guidance exactly when there is none
    before, or the previous one is more than 12 months (the policy period) back."""
    w = haigang()
    day, last = 0, None
    for gap in [0, *gaps]:
        day += gap
        _, guided = violate(w, day)
        now = w.clock.now()  # when the violation was recorded
        assert guided == (last is None or last < now.subtract(months=12)), (gaps, day)
        last = now
