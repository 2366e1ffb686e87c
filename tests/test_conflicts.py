"""Conflicting standards (X city's open problem) (issue 12, capability 8): environment wants
windows closed against volatile gases, emergency management wants them open against
explosions. A visit bringing both items is flagged before it takes place, to both
departments and the supervisor, and the resolution records which standard prevailed."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import IllegalTransition, PolicyError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionStatus
from jointinspect.model.reference import Department, Scenario, SupervisionItem
from jointinspect.policy import load_policy, preset
from jointinspect.policy.oversight import ConflictPolicy, StandardConflict
from jointinspect.testing._world import T0, World, make_world
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, enterprise, officer


def x_city() -> World:
    return make_world(MemoryStore(), preset("x_city"))


def joint(w: World, *departments: str) -> str:
    inspection = None
    for department in departments:
        inspection = w.file(department).inspection
    assert inspection is not None and inspection.joint
    return inspection.id


def flagged(w: World) -> list[tuple[Role, str, str]]:
    with w.store.unit_of_work() as uow:
        return sorted(
            (n.role, n.recipient, n.subject) for n in uow.outbox.pending(10_000) if n.kind == "conflict.flagged"
        )


def test_a_joint_visit_with_conflicting_items_is_flagged_before_the_visit() -> None:
    w = x_city()
    iid = joint(w, "STHJ", "YJGL")
    assert w.engine.inspection(iid, by=SYSTEM).status is InspectionStatus.PLANNED  # before the visit
    (flag,) = w.engine.conflicts_of(iid, by=enterprise(w.ent.credit_code))
    assert (flag.items, flag.departments, flag.enterprise) == (
        ("STHJ-01", "YJGL-01"),
        ("STHJ", "YJGL"),
        w.ent.credit_code,
    )
    assert "开窗防爆" in flag.topic and not flag.resolved
    assert flagged(w) == sorted(
        [(Role.DEPARTMENT, "STHJ", flag.id), (Role.DEPARTMENT, "YJGL", flag.id), (Role.SUPERVISOR, "judicial", flag.id)]
    )
    # The enterprise sees it too, on the code view.
    token = w.engine.issue_inspection_code(iid, by=SYSTEM).token
    assert w.engine.describe_code(token, by=enterprise(w.ent.credit_code)).conflicts == (flag,)


def test_the_resolution_records_which_standard_prevailed() -> None:
    w = x_city()
    iid = joint(w, "STHJ", "YJGL")
    (flag,) = w.engine.conflicts_of(iid, by=SYSTEM)
    w.refused_with(
        ValidationError,
        lambda: w.engine.resolve_conflict(flag.id, "SCJG-01", "无关事项", by=SUPERVISOR),
        "conflict.not_a_party",
    )
    resolved = w.engine.resolve_conflict(flag.id, "YJGL-01", "防爆安全优先,废气经收集处理", by=SUPERVISOR)
    assert (resolved.prevailing, resolved.resolved_by, resolved.resolved_at) == (
        "YJGL-01",
        SUPERVISOR.actor,
        w.clock.now(),
    )
    assert w.engine.conflicts_of(iid, by=officer("STHJ")) == [resolved]
    w.refused_with(
        IllegalTransition,
        lambda: w.engine.resolve_conflict(flag.id, "STHJ-01", "改判", by=SUPERVISOR),
        "conflict.already_resolved",
    )
    with w.store.unit_of_work() as uow:
        told = {(n.role, n.recipient) for n in uow.outbox.pending(10_000) if n.kind == "conflict.resolved"}
        actions = [e.record.action for e in uow.audit.entries()]
    assert told == {(Role.DEPARTMENT, "STHJ"), (Role.DEPARTMENT, "YJGL")}
    assert actions.count("conflict.flagged") == 1 and actions.count("conflict.resolved") == 1


def test_a_flag_is_raised_once_per_visit_and_only_for_declared_pairs() -> None:
    w = x_city()
    iid = joint(w, "SCJG", "YJGL")  # no declared conflict between these
    assert w.engine.conflicts_of(iid, by=SYSTEM) == []
    again = w.file("STHJ").inspection  # joins the same visit: now STHJ-01 meets YJGL-01
    assert again is not None and again.id == iid
    assert len(w.engine.conflicts_of(iid, by=SYSTEM)) == 1
    assert len(flagged(w)) == 3


def test_no_policy_no_flag() -> None:
    w = make_world(MemoryStore())
    iid = joint(w, "STHJ", "YJGL")
    assert w.engine.conflicts_of(iid, by=SYSTEM) == [] and flagged(w) == []


def test_bad_declarations_are_refused_naming_the_field() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy({"conflicts": {"declared": [{"item": "STHJ-01", "conflicts_with": "STHJ-01"}]}})
    assert "conflicts.declared" in err.value.message_en and "conflicts.declared" in err.value.message_zh
    with pytest.raises(PolicyError) as err:
        load_policy({"conflicts": {"declared": [{"item": "STHJ 01", "conflicts_with": "YJGL-01"}]}})
    assert "conflicts.declared.item" in err.value.message_en


CODES = ["A-1", "A-2", "B-1", "C-1"]
pairs = st.lists(st.sampled_from(CODES), min_size=2, max_size=2, unique=True)


@given(st.lists(pairs, max_size=6), st.sets(st.sampled_from(CODES)))
def test_among_finds_each_declared_pair_present_once(declared: list[list[str]], items: set[str]) -> None:
    policy = ConflictPolicy(tuple(StandardConflict(a, b) for a, b in declared))
    found = [c.pair for c in policy.among(items)]
    expected = sorted({tuple(sorted(p)) for p in declared if set(p) <= items})
    assert found == expected


def test_a_scenario_bundling_conflicting_items_is_flagged_when_registered() -> None:
    w = x_city()
    w.engine.add_scenario(Scenario("VOC", "涉挥发性有机物企业一件事", ("STHJ-01", "YJGL-01", "SCJG-01")), by=SYSTEM)
    w.engine.add_scenario(Scenario("SHOP", "开办商店一件事", ("SCJG-01", "YJGL-01")), by=SYSTEM)
    with w.store.unit_of_work() as uow:
        told = {
            (n.role, n.recipient, n.subject) for n in uow.outbox.pending(10_000) if n.kind == "conflict.in_scenario"
        }
    assert told == {
        (Role.DEPARTMENT, "STHJ", "VOC"),
        (Role.DEPARTMENT, "YJGL", "VOC"),
        (Role.SUPERVISOR, "judicial", "VOC"),
    }


def test_replan_flags_a_visit_it_brings_together() -> None:
    # As in test_joint_visits: incremental filing makes SCJG+YJGL, STHJ and XFJY three visits;
    # replan regroups them into SCJG+STHJ and YJGL+XFJY — SCJG-01 meets STHJ-01.
    declared = {"declared": [{"item": "SCJG-01", "conflicts_with": "STHJ-01", "topic": "示例冲突"}]}
    w = make_world(MemoryStore(), load_policy({"frequency": [], "conflicts": declared}))
    w.engine.add_department(Department("XFJY", "消防救援支队"), by=SYSTEM)
    w.engine.add_item(SupervisionItem("XFJY-01", "消防·证照公示", "XFJY", "fire"), by=SYSTEM)
    fire = attrs.evolve(w.city.inspectors_of("STHJ")[0], id="XFJY-I01", department="XFJY", fields={"fire"})
    w.engine.add_inspector(fire, by=SYSTEM)
    w.engine.add_inspector(attrs.evolve(fire, id="XFJY-I02", certificate_no="37999998"), by=SYSTEM)
    base = T0.start_of("day").add(days=2)

    def file(dept: str, start_h: int, end_h: int) -> None:
        request = attrs.evolve(
            w.request(dept), start=base.add(hours=start_h), end=base.add(hours=end_h), items=(f"{dept}-01",)
        )
        w.engine.file_plan(request, by=officer(dept))

    file("SCJG", 0, 10)
    file("YJGL", 8, 13)
    file("STHJ", 0, 3)
    file("XFJY", 11, 14)
    assert flagged(w) == []
    out = w.engine.replan(w.ent.credit_code, by=SYSTEM)
    flags = [f for iid in out.visits for f in w.engine.conflicts_of(iid, by=SYSTEM)]
    assert [f.items for f in flags] == [("SCJG-01", "STHJ-01")]
    assert len(flagged(w)) == 3
