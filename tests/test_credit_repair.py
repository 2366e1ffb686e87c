"""Credit repair (issue 12, Anhui): the policy minimum per field, the rectification
condition, automatic repair of admonitions, application and decision for the others, the
credit view, notifications and audit entries."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, IllegalTransition, NotFoundError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.penalty import Penalty, PenaltyKind, PenaltyState
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.policy import preset
from jointinspect.policy.schema import load_policy
from jointinspect.policy.seeds import CreditRepairPolicy
from jointinspect.relay import CollectingNotifier
from jointinspect.rules.penalties import check_repairable, repairable_from
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SYSTEM, enterprise, officer

T0 = pendulum.datetime(2026, 1, 15, 2, tz="UTC")
CITY = build_city(enterprises=3, departments=2)
ENT, OTHER = CITY.enterprises[0].credit_code, CITY.enterprises[1].credit_code


def _engine(**overrides: object) -> tuple[Engine, FixedClock, CollectingNotifier]:
    clock, notes = FixedClock(T0), CollectingNotifier()
    engine = Engine(store=MemoryStore(), policy=preset("anhui", **overrides), clock=clock, notifier=notes)
    populate(engine, CITY)
    return engine, clock, notes


def _audit(engine: Engine) -> list[str]:
    with engine.store.unit_of_work() as uow:
        return [e.record.action for e in uow.audit.entries()]


def test_admonitions_are_repaired_automatically_once_repairable() -> None:
    engine, clock, notes = _engine()
    general = engine.issue_penalty(ENT, "SCJG", "admonition", "general", by=officer("SCJG"))
    drugs = engine.issue_penalty(ENT, "SCJG", "admonition", "drugs", by=officer("SCJG"))
    fine = engine.issue_penalty(ENT, "SCJG", "fine", "general", 50_000, by=officer("SCJG"))
    assert {p.id for p in engine.credit_view(ENT, by=enterprise(ENT)).public} == {general.id, drugs.id, fine.id}
    clock.set(T0.add(months=6).subtract(seconds=1))
    assert engine.sweep_credit_repair(by=SYSTEM) == 0
    clock.set(T0.add(months=6))
    assert engine.sweep_credit_repair(by=SYSTEM) == 1
    assert engine.sweep_credit_repair(by=SYSTEM) == 0  # idempotent
    view = engine.credit_view(ENT, by=SYSTEM)
    assert [p.id for p in view.repaired] == [general.id]
    assert {p.id for p in view.public} == {drugs.id, fine.id}  # drugs: a year; a fine: on application
    repaired = notes.of_kind("credit_repair.repaired")
    assert {(n.subject, n.role.value) for n in repaired} == {(general.id, "enterprise"), (general.id, "department")}
    assert "credit_repair.repaired" in _audit(engine)
    clock.set(T0.add(years=1))
    assert engine.sweep_credit_repair(by=SYSTEM) == 1
    assert {p.id for p in engine.credit_view(ENT, by=SYSTEM).public} == {fine.id}


def test_other_penalties_are_repaired_on_application_and_decision() -> None:
    engine, clock, notes = _engine()
    fine = engine.issue_penalty(ENT, "SCJG", "fine", "food", 80_000, by=officer("SCJG"))
    clock.set(T0.add(months=6))
    with pytest.raises(IllegalTransition) as early:
        engine.apply_credit_repair(fine.id, "paid and fixed", by=enterprise(ENT))
    assert early.value.code == "credit_repair.too_early"  # food: a year
    clock.set(T0.add(years=1))
    applied = engine.apply_credit_repair(fine.id, "paid and fixed", by=enterprise(ENT))
    assert applied.state is PenaltyState.REPAIR_APPLIED
    assert notes.of_kind("credit_repair.applied")[0].recipient == "SCJG"
    with pytest.raises(IllegalTransition) as twice:
        engine.apply_credit_repair(fine.id, "again", by=enterprise(ENT))
    assert twice.value.code == "credit_repair.not_public"
    with pytest.raises(ValidationError):
        engine.decide_credit_repair(fine.id, False, "", by=officer("SCJG"))  # a rejection needs a reason
    rejected = engine.decide_credit_repair(fine.id, False, "fine unpaid", by=officer("SCJG"))
    assert rejected.state is PenaltyState.PUBLIC and rejected.note == "fine unpaid"
    assert notes.of_kind("credit_repair.rejected")[0].recipient == ENT
    with pytest.raises(IllegalTransition) as nothing:
        engine.decide_credit_repair(fine.id, True, by=officer("SCJG"))
    assert nothing.value.code == "credit_repair.not_applied"
    engine.apply_credit_repair(fine.id, "receipt attached", by=enterprise(ENT))
    repaired = engine.decide_credit_repair(fine.id, True, by=officer("SCJG"))
    assert repaired.state is PenaltyState.REPAIRED and repaired.repaired_at == T0.add(years=1)
    assert engine.credit_view(ENT, by=SYSTEM).clean
    assert [a for a in _audit(engine) if a.startswith("credit_repair.")] == [
        "credit_repair.applied",
        "credit_repair.rejected",
        "credit_repair.applied",
        "credit_repair.repaired",
    ]


def test_an_admonition_needs_no_application_and_others_may_not_apply() -> None:
    engine, clock, _ = _engine()
    admonition = engine.issue_penalty(ENT, "SCJG", "admonition", "general", by=officer("SCJG"))
    clock.set(T0.add(years=1))
    with pytest.raises(IllegalTransition) as auto:
        engine.apply_credit_repair(admonition.id, "please", by=enterprise(ENT))
    assert auto.value.code == "credit_repair.automatic"
    fine = engine.issue_penalty(ENT, "SCJG", "fine", "general", 1, by=officer("SCJG"), publicity_start=T0)
    with pytest.raises(Forbidden):
        engine.apply_credit_repair(fine.id, "x", by=enterprise(OTHER))
    with pytest.raises(Forbidden):
        engine.credit_view(ENT, by=enterprise(OTHER))
    engine.apply_credit_repair(fine.id, "x", by=enterprise(ENT))
    with pytest.raises(Forbidden):
        engine.decide_credit_repair(fine.id, True, by=officer("YJGL"))
    with pytest.raises(NotFoundError):
        engine.apply_credit_repair("missing", "x", by=enterprise(ENT))


def _rect(state: RectificationState) -> Rectification:
    return Rectification("r1", "res1", ENT, "SCJG", "SCJG-01", T0.add(days=15), state, T0)


def _penalty(kind: PenaltyKind, field: str, rectification: str | None = None) -> Penalty:
    return Penalty("p1", ENT, "SCJG", kind, field, 0, T0, T0, rectification_id=rectification)


def test_repair_waits_for_the_rectification_to_be_accepted() -> None:
    policy = CreditRepairPolicy()
    later = T0.add(years=2)
    penalty = _penalty(PenaltyKind.FINE, "general", "r1")
    for state in (RectificationState.OPEN, RectificationState.SUBMITTED, RectificationState.REFUSED):
        with pytest.raises(IllegalTransition) as open_:
            check_repairable(penalty, _rect(state), policy, "Asia/Shanghai", later)
        assert open_.value.code == "credit_repair.rectification_open"
    check_repairable(penalty, _rect(RectificationState.ACCEPTED), policy, "Asia/Shanghai", later)


@settings(max_examples=100, deadline=None)
@given(
    min_months=st.integers(0, 24),
    long_months=st.integers(0, 36),
    field=st.sampled_from(["food", "drugs", "special_equipment", "general", "fire"]),
    offset_days=st.integers(0, 1200),
)
def test_never_repairable_before_the_minimum_of_its_field(
    min_months: int, long_months: int, field: str, offset_days: int
) -> None:
    policy = CreditRepairPolicy(min_months=min_months, long_months=long_months)
    penalty = _penalty(PenaltyKind.ADMONITION, field)
    months = long_months if field in ("food", "drugs", "special_equipment") else min_months
    now = T0.add(days=offset_days)
    eligible = T0.in_timezone("Asia/Shanghai").add(months=months)
    assert repairable_from(penalty, policy, "Asia/Shanghai") == eligible
    if now < eligible:
        with pytest.raises(IllegalTransition):
            check_repairable(penalty, None, policy, "Asia/Shanghai", now)
    else:
        check_repairable(penalty, None, policy, "Asia/Shanghai", now)


def test_credit_repair_policy_is_validated() -> None:
    for bad in ({"min_months": -1}, {"long_months": 121}, {"automatic_kinds": ["warning"]}, {"long_fields": "food"}):
        with pytest.raises(ValidationError):
            load_policy({"credit_repair": bad})
    policy = load_policy({"credit_repair": {"automatic_kinds": ["admonition", "fine"]}})
    assert policy.credit_repair.automatic_kinds == {PenaltyKind.ADMONITION, PenaltyKind.FINE}
