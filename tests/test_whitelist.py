"""The whitelist: which plans are normal, need approval or are refused, and the approval
flow through the Engine (single and Laizhou's double approval)."""

from __future__ import annotations

import itertools

import attrs
import pendulum
import pytest

from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import ApprovalError, FilingRejected, Forbidden
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind, PlanStatus
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.policy import preset
from jointinspect.policy.schema import Policy, WhitelistMode, WhitelistPolicy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.rules.filing import WhitelistDecision, whitelist_decision
from jointinspect.testing import principals
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=4, departments=3)
R = InspectionKind.ROUTINE


def ent(credit: CreditClass, whitelisted: bool = False, n: int = 0) -> Enterprise:
    return attrs.evolve(CITY.enterprises[n], credit_class=credit, whitelisted=whitelisted)


# ------------------------------------------------------------------ the decision


def test_class_map() -> None:
    policy = WhitelistPolicy(classes={CreditClass.A: WhitelistMode.LIMITED, CreditClass.B: WhitelistMode.EXEMPT})
    assert whitelist_decision(ent(CreditClass.A), R, policy) is WhitelistDecision.NEEDS_APPROVAL
    assert whitelist_decision(ent(CreditClass.B), R, policy) is WhitelistDecision.REFUSED
    assert whitelist_decision(ent(CreditClass.C), R, policy) is WhitelistDecision.NORMAL


def test_explicit_flag() -> None:
    policy = WhitelistPolicy(classes={}, explicit=WhitelistMode.LIMITED)
    assert whitelist_decision(ent(CreditClass.D, True), R, policy) is WhitelistDecision.NEEDS_APPROVAL
    assert whitelist_decision(ent(CreditClass.D), R, policy) is WhitelistDecision.NORMAL
    exempt = WhitelistPolicy(explicit=WhitelistMode.EXEMPT)
    assert whitelist_decision(ent(CreditClass.C, True), R, exempt) is WhitelistDecision.REFUSED
    # The stricter of class and flag wins.
    assert whitelist_decision(ent(CreditClass.A, True), R, exempt) is WhitelistDecision.REFUSED
    normal = WhitelistPolicy(explicit=WhitelistMode.NORMAL)
    assert whitelist_decision(ent(CreditClass.A, True), R, normal) is WhitelistDecision.NEEDS_APPROVAL


@pytest.mark.parametrize("kind", [InspectionKind.COMPLAINT, InspectionKind.EMERGENCY, InspectionKind.REPORT])
def test_triggered_kinds_are_not_restricted(kind: InspectionKind) -> None:
    policy = WhitelistPolicy(explicit=WhitelistMode.EXEMPT)
    assert whitelist_decision(ent(CreditClass.A, True), kind, policy) is WhitelistDecision.NORMAL


# ------------------------------------------------------------------ through the engine


def engine(policy: Policy) -> tuple[Engine, CollectingNotifier]:
    counter = itertools.count()
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=policy,
        clock=FixedClock(T0.subtract(days=21)),
        notifier=notes,
        ids=lambda: f"id{next(counter):04d}",
    )
    city = attrs.evolve(CITY, enterprises=(ent(CreditClass.A), ent(CreditClass.B, n=1), ent(CreditClass.C, True, n=2)))
    populate(eng, city)
    return eng, notes


A_ENT = CITY.enterprises[0].credit_code
B_ENT = CITY.enterprises[1].credit_code
FLAGGED = CITY.enterprises[2].credit_code


def req(enterprise: str, dept: str = "SCJG", day: int = 0, kind: InspectionKind = R) -> PlanRequest:
    start = T0.add(days=day)
    return PlanRequest(
        enterprise,
        dept,
        start,
        start.add(hours=8),
        kind=kind,
        items=[f"{dept}-01"],
        inspectors=[f"{dept}-I01", f"{dept}-I02"],
    )


def test_limited_plan_waits_for_the_supervisor() -> None:
    eng, notes = engine(Policy())
    out = eng.file_plan(req(A_ENT), by=principals.officer("SCJG"))
    assert out.status is PlanStatus.PENDING_APPROVAL and out.inspection is None
    assert eng.inspections_of(A_ENT, by=principals.SYSTEM) == []
    assert [n.role for n in notes.of_kind("approval.requested")] == [Role.SUPERVISOR]
    # The explicitly whitelisted enterprise waits too; a B-class one does not.
    assert eng.file_plan(req(FLAGGED), by=principals.officer("SCJG")).inspection is None
    assert eng.file_plan(req(B_ENT), by=principals.officer("SCJG")).inspection is not None
    done = eng.approve_plan(
        out.plan.id, Role.SUPERVISOR, reason="licence renewal", by=principals.approver(Role.SUPERVISOR)
    )
    assert done.status is PlanStatus.ACTIVE and done.inspection is not None
    assert eng.plan(out.plan.id, by=principals.SYSTEM).inspection_id == done.inspection.id
    assert [i.plan_ids for i in eng.inspections_of(A_ENT, by=principals.SYSTEM)] == [(out.plan.id,)]
    assert notes.of_kind("plan.approved")
    with pytest.raises(ApprovalError) as err:
        eng.approve_plan(out.plan.id, Role.SUPERVISOR, by=principals.approver(Role.SUPERVISOR, user="deputy"))
    assert err.value.code == "approval.not_pending"


def test_complaint_at_a_whitelisted_enterprise_goes_ahead() -> None:
    eng, _ = engine(Policy())
    out = eng.file_plan(req(A_ENT, kind=InspectionKind.COMPLAINT), by=principals.officer("SCJG"))
    assert out.status is PlanStatus.ACTIVE and out.inspection is not None


def test_laizhou_needs_both_approvals_in_any_order() -> None:
    eng, notes = engine(preset("laizhou"))
    first = eng.file_plan(req(A_ENT), by=principals.officer("SCJG"))
    assert {n.role for n in notes.of_kind("approval.requested")} == {Role.LEGAL_OFFICE, Role.SUPERVISOR}
    half = eng.approve_plan(first.plan.id, "supervisor", by=principals.approver("supervisor"))
    assert half.status is PlanStatus.PENDING_APPROVAL and half.inspection is None
    assert eng.plan(first.plan.id, by=principals.SYSTEM).approvals == ("supervisor",)
    assert eng.inspections_of(A_ENT, by=principals.SYSTEM) == []
    with pytest.raises(ApprovalError) as err:
        eng.approve_plan(
            first.plan.id, Role.SUPERVISOR, by=principals.approver(Role.SUPERVISOR, user="deputy")
        )  # already approved in this role (by another principal)
    assert err.value.code == "approval.wrong_role"
    assert err.value.details["needed"] == "legal_office"
    done = eng.approve_plan(first.plan.id, Role.LEGAL_OFFICE, by=principals.approver(Role.LEGAL_OFFICE))
    assert done.status is PlanStatus.ACTIVE and done.inspection is not None
    # The other order works too.
    second = eng.file_plan(req(A_ENT, "YJGL", day=30), by=principals.officer("YJGL"))
    eng.approve_plan(second.plan.id, Role.LEGAL_OFFICE, by=principals.approver(Role.LEGAL_OFFICE))
    assert (
        eng.approve_plan(second.plan.id, Role.SUPERVISOR, by=principals.approver(Role.SUPERVISOR)).inspection
        is not None
    )


def test_wrong_role_changes_nothing() -> None:
    eng, notes = engine(Policy())
    out = eng.file_plan(req(A_ENT), by=principals.officer("SCJG"))
    before_audit, before_notes = eng.verify_audit(by=principals.SYSTEM), dict(notes.received)
    # a role the policy does not name is refused by the authorization matrix
    with pytest.raises(Forbidden) as err:
        eng.approve_plan(out.plan.id, Role.LEGAL_OFFICE, by=principals.approver(Role.LEGAL_OFFICE))
    assert err.value.code == "auth.not_approver"
    assert eng.plan(out.plan.id, by=principals.SYSTEM) == out.plan
    assert eng.verify_audit(by=principals.SYSTEM) == before_audit and notes.received == before_notes


def test_rejection() -> None:
    eng, notes = engine(preset("laizhou"))
    out = eng.file_plan(req(A_ENT), by=principals.officer("SCJG"))
    eng.approve_plan(out.plan.id, Role.SUPERVISOR, by=principals.approver(Role.SUPERVISOR))
    rejected = eng.approve_plan(
        out.plan.id, Role.LEGAL_OFFICE, approve=False, reason="no cause", by=principals.approver(Role.LEGAL_OFFICE)
    )
    assert rejected.status is PlanStatus.REJECTED and rejected.inspection is None
    assert eng.plan(out.plan.id, by=principals.SYSTEM).reason == "no cause"
    assert eng.inspections_of(A_ENT, by=principals.SYSTEM) == []
    assert notes.of_kind("plan.rejected")[0].data()["reason"] == "no cause"
    with pytest.raises(ApprovalError):
        eng.approve_plan(out.plan.id, Role.LEGAL_OFFICE, by=principals.approver(Role.LEGAL_OFFICE))


def test_exempt_enterprise_is_refused() -> None:
    policy = Policy(whitelist=WhitelistPolicy(classes={CreditClass.A: WhitelistMode.EXEMPT}))
    eng, notes = engine(policy)
    sent = dict(notes.received)
    with pytest.raises(FilingRejected) as err:
        eng.file_plan(req(A_ENT), by=principals.officer("SCJG"))
    assert err.value.code == "whitelist.exempt"
    assert err.value.details["enterprise"] == A_ENT
    with eng.store.unit_of_work() as uow:
        assert uow.plans.for_enterprise(A_ENT) == []
    assert notes.received == sent
