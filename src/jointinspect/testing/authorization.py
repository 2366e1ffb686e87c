"""The authorization contract: every row of the matrix, and the impersonations of issue 9,
performed through the `Engine` on a store.

Subclass `AuthorizationContract` and implement `make_store` (as for
`jointinspect.testing.StoreContract`). Each matrix row is performed once by a principal it
refuses — `Forbidden`, and the store's records, outbox and audit trail unchanged — and
once by a principal it allows. The impersonation cases are the attempts issue 9 found
allowed; each is now refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator

import attrs
import pytest

from jointinspect.auth import Principal
from jointinspect.engine import Engine
from jointinspect.model.licence import Licence
from jointinspect.model.plan import InspectionStatus, PlanStatus
from jointinspect.model.rectification import RectificationState
from jointinspect.model.reference import CreditClass, Department, GeoPoint, Scenario, SupervisionItem
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import AuthorizationPolicy, Policy, load_policy
from jointinspect.ports import Store
from jointinspect.requests import ResultOutcome
from jointinspect.sample import build_city
from jointinspect.testing._world import ROWS, T0, DenyOperation, World, make_world, snapshot
from jointinspect.testing.authorization_fieldwork import FieldworkRows
from jointinspect.testing.impersonation import ImpersonationCases
from jointinspect.testing.listing_rows import ListingRows
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, approver, enterprise, inspector, officer

__all__ = ["AuthorizationContract", "World", "snapshot"]


class AuthorizationContract(ImpersonationCases, FieldworkRows, ListingRows):
    """Base class; subclasses implement `make_store` (a fresh, empty store)."""

    def make_store(self) -> Store:
        """Return a fresh, empty store (override)."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store per test, closed afterwards."""
        s = self.make_store()
        try:
            yield s
        finally:
            s.close()

    def world(self, store: Store, policy: Policy | None = None) -> World:
        """An engine over ``store`` with a small city registered, three weeks before T0."""
        return make_world(store, policy)

    # ------------------------------------------------------------- the matrix rows

    def test_every_row_has_a_case(self) -> None:
        assert [op for op in ROWS if not hasattr(self, f"_row_{op}")] == []

    @pytest.mark.parametrize("operation", ROWS)
    def test_matrix_row(self, store: Store, operation: str) -> None:
        """The row refuses one principal (nothing changes) and allows another."""
        getattr(self, f"_row_{operation}")(store)

    def _reference(self, store: Store, add: Callable[[Engine, Principal], object]) -> None:
        w = self.world(store)
        w.refused(lambda: add(w.engine, officer("SCJG")), "auth.forbidden")
        add(w.engine, SYSTEM)

    def _row_add_enterprise(self, store: Store) -> None:
        new = attrs.evolve(build_city(enterprises=9).enterprises[8], credit_class=CreditClass.B)
        self._reference(store, lambda e, p: e.add_enterprise(new, by=p))

    def _row_add_department(self, store: Store) -> None:
        self._reference(store, lambda e, p: e.add_department(Department("NEW", "新部门"), by=p))

    def _row_add_inspector(self, store: Store) -> None:
        new = attrs.evolve(build_city(departments=3).inspectors[0], id="SCJG-I99", certificate_no="37999999")
        self._reference(store, lambda e, p: e.add_inspector(new, by=p))

    def _row_add_item(self, store: Store) -> None:
        item = SupervisionItem("SCJG-99", "新事项", "SCJG", "market")
        self._reference(store, lambda e, p: e.add_item(item, by=p))

    def _row_add_scenario(self, store: Store) -> None:
        scenario = Scenario("S1", "开办餐馆一件事", ("SCJG-01", "YJGL-01"))
        self._reference(store, lambda e, p: e.add_scenario(scenario, by=p))

    def _field(self, store: Store, operation: str, change: Callable[[World], Callable[[Principal], object]]) -> None:
        # Officers may register reference data here, so that only the field's own row refuses.
        wide = AuthorizationPolicy(reference=frozenset({"system", "supervisor", "officer"}))
        w = self.world(store, Policy(authorization=wide))
        apply = change(w)
        err = w.refused(lambda: apply(officer("SCJG")), "auth.forbidden")
        assert err.details["operation"] == operation
        apply(SYSTEM)

    def _row_set_whitelist(self, store: Store) -> None:
        self._field(
            store,
            "set_whitelist",
            lambda w: lambda p: w.engine.add_enterprise(attrs.evolve(w.ent, whitelisted=True), by=p),
        )

    def _row_move_site(self, store: Store) -> None:
        def change(w: World) -> Callable[[Principal], object]:
            moved = attrs.evolve(w.ent, site=GeoPoint(w.ent.site.lat + 0.03, w.ent.site.lon))
            return lambda p: w.engine.add_enterprise(moved, by=p)

        self._field(store, "move_site", change)

    def _row_mark_key_supervision(self, store: Store) -> None:
        self._field(
            store,
            "mark_key_supervision",
            lambda w: lambda p: w.engine.add_enterprise(attrs.evolve(w.ent, key_supervision=True), by=p),
        )

    def _row_move_inspector_department(self, store: Store) -> None:
        def change(w: World) -> Callable[[Principal], object]:
            moved = attrs.evolve(w.city.inspectors_of("SCJG")[0], department="YJGL")
            return lambda p: w.engine.add_inspector(moved, by=p)

        self._field(store, "move_inspector_department", change)

    def _row_file_plan(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.file_plan(w.request("SCJG"), by=officer("YJGL")), "auth.wrong_department")
        assert w.file("SCJG").inspection is not None

    def _row_file_plans(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.file_plans([w.request("SCJG")], by=enterprise(w.ent.credit_code)), "auth.forbidden")
        # An officer may file in bulk; each request is authorized as file_plan.
        out = w.engine.file_plans([w.request("YJGL"), w.request("SCJG")], by=officer("SCJG"))
        assert out[0].error is not None and out[0].error.code == "auth.wrong_department"
        assert out[1].outcome is not None and out[1].outcome.inspection is not None

    def _row_approve_plan(self, store: Store) -> None:
        w = self.world(store)
        out = w.file(enterprise=w.limited.credit_code)
        assert out.plan.status is PlanStatus.PENDING_APPROVAL
        own = Principal.officer("SCJG", roles=["supervisor"])
        w.refused(lambda: w.engine.approve_plan(out.plan.id, "supervisor", by=own), "auth.own_plan")
        done = w.engine.approve_plan(out.plan.id, by=approver("supervisor"))  # the role it holds
        assert done.plan.status is PlanStatus.ACTIVE and done.plan.approved_by == (approver("supervisor").actor,)

    def _row_reconcile_reservations(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.reconcile_reservations(w.ent.credit_code, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.reconcile_reservations(w.ent.credit_code, by=SYSTEM) == 0

    def _row_rebuild_reservations(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.rebuild_reservations(w.ent.credit_code, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.rebuild_reservations(w.ent.credit_code, by=SYSTEM) == 0

    def _row_replan(self, store: Store) -> None:
        w = self.world(store)
        out = w.file()
        assert out.inspection is not None
        w.refused(lambda: w.engine.replan(w.ent.credit_code, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.replan(w.ent.credit_code, by=SYSTEM).superseded == ()

    def _row_issue_inspection_code(self, store: Store) -> None:
        w = self.world(store)
        out = w.file()
        assert out.inspection is not None
        iid = out.inspection.id
        w.refused(lambda: w.engine.issue_inspection_code(iid, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.issue_inspection_code(iid, by=officer("SCJG")).subject == iid

    def _row_issue_enterprise_code(self, store: Store) -> None:
        w = self.world(store)
        code = w.ent.credit_code
        w.refused(lambda: w.engine.issue_enterprise_code(code, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.issue_enterprise_code(code, by=SYSTEM).subject == code

    def _row_describe_code(self, store: Store) -> None:
        # Every principal may read what a code says; a municipality's authorizer may refuse.
        w = self.world(store)
        out = w.file()
        assert out.inspection is not None
        token = w.engine.issue_inspection_code(out.inspection.id, by=SYSTEM).token
        assert w.engine.describe_code(token, by=enterprise(w.ent.credit_code)).inspection_id == out.inspection.id
        w.engine.authorizers = [DenyOperation("describe_code")]
        w.refused(lambda: w.engine.describe_code(token, by=enterprise(w.ent.credit_code)), "auth.forbidden")

    def _row_check_in(self, store: Store) -> None:
        w = self.world(store)
        out = w.file()
        assert out.inspection is not None
        code = w.engine.issue_inspection_code(out.inspection.id, by=SYSTEM).token
        gate = w.engine.issue_enterprise_code(w.ent.credit_code, by=SYSTEM).token
        w.clock.set(out.inspection.window.start.add(minutes=5))
        site = w.ent.site
        w.refused(lambda: w.engine.check_in(code, site, gate, by=inspector("SCJG-I03")), "auth.not_assigned")
        w.refused(lambda: w.engine.check_in(code, site, gate, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.check_in(code, site, gate, by=inspector("SCJG-I01")).inspector_id == "SCJG-I01"

    def _row_check_out(self, store: Store) -> None:
        w = self.world(store)
        iid = w.visit(w.file())
        w.refused(lambda: w.engine.check_out(iid, by=inspector("YJGL-I01")), "auth.not_assigned")
        assert w.engine.check_out(iid, by=inspector("SCJG-I01")).checked_out_at is not None

    def _row_record_result(self, store: Store) -> None:
        w = self.world(store)
        iid = w.visit(w.file())
        w.refused(lambda: w.fail(iid, who="SCJG-I02"), "auth.not_checked_in")  # assigned, not checked in
        assert w.fail(iid).rectification is not None

    def _row_correct_result(self, store: Store) -> None:
        w = self.world(store)
        _, failed = w.failed_visit()
        rid = failed.result.id
        w.refused(lambda: w.engine.correct_result(rid, Outcome.PASS, by=officer("YJGL")), "auth.wrong_department")
        fixed = w.engine.correct_result(rid, Outcome.PASS, "licence found", by=inspector("SCJG-I01"))
        assert fixed.result.outcome is Outcome.PASS and fixed.rectification is None

    def _row_acknowledge_result(self, store: Store) -> None:
        w = self.world(store)
        rid = w.failed_visit()[1].result.id
        w.refused(lambda: w.engine.acknowledge_result(rid, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        signed = w.engine.acknowledge_result(rid, by=enterprise(w.ent.credit_code))
        assert signed.acknowledged_by == enterprise(w.ent.credit_code).actor

    def _rectification(self, w: World, submitted: bool = False) -> str:
        rect = w.failed_visit()[1].rectification
        assert rect is not None
        if submitted:
            w.engine.submit_rectification(rect.id, ["photo://after"], by=enterprise(w.ent.credit_code))
        return rect.id

    def _row_submit_rectification(self, store: Store) -> None:
        w = self.world(store)
        rid = self._rectification(w)

        def submit(p: Principal) -> object:
            return w.engine.submit_rectification(rid, ["photo://after"], by=p)

        w.refused(lambda: submit(enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        submit(enterprise(w.ent.credit_code))

    def _row_accept_rectification(self, store: Store) -> None:
        w = self.world(store)
        rid = self._rectification(w, submitted=True)
        w.refused(lambda: w.engine.accept_rectification(rid, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.accept_rectification(rid, by=officer("SCJG")).state is RectificationState.ACCEPTED

    def _row_reject_rectification(self, store: Store) -> None:
        w = self.world(store)
        rid = self._rectification(w, submitted=True)
        deadline = T0.add(days=60)
        w.refused(
            lambda: w.engine.reject_rectification(rid, "blurred", deadline, by=officer("YJGL")),
            "auth.wrong_department",
        )
        rejected = w.engine.reject_rectification(rid, "blurred", deadline, by=officer("SCJG"))
        assert rejected.state is RectificationState.OPEN

    def _row_refuse_rectification(self, store: Store) -> None:
        w = self.world(store)
        rid = self._rectification(w)
        w.refused(lambda: w.engine.refuse_rectification(rid, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.refuse_rectification(rid, by=officer("SCJG")).state is RectificationState.REFUSED

    def _completed(self, w: World) -> str:
        iid = w.visit(w.file())
        w.engine.check_out(iid, by=inspector("SCJG-I01"))
        assert w.engine.inspection(iid, by=SYSTEM).status is InspectionStatus.COMPLETED
        return iid

    def _row_rate(self, store: Store) -> None:
        w = self.world(store)
        iid = self._completed(w)
        w.refused(lambda: w.engine.rate(iid, 10, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        assert w.engine.rate(iid, 90, by=enterprise(w.ent.credit_code)).score == 90

    def _row_complain(self, store: Store) -> None:
        w = self.world(store)
        iid = self._completed(w)
        w.refused(
            lambda: w.engine.complain(iid, "misconduct", "x", by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        assert w.engine.complain(iid, "misconduct", "未出示执法证", by=enterprise(w.ent.credit_code)).enterprise == (
            w.ent.credit_code
        )

    def _maintenance(self, store: Store, call: Callable[[Engine, Principal], object]) -> None:
        w = self.world(store)
        w.file()
        w.refused(lambda: call(w.engine, inspector("SCJG-I01")), "auth.forbidden")
        call(w.engine, SYSTEM)

    def _row_sweep_overdue(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.sweep_overdue(by=p))

    def _row_deliver_notifications(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.deliver_notifications(by=p))

    def _row_verify_audit(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.verify_audit(by=p))

    def _row_anchor_audit(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.anchor_audit(by=p))

    def _row_supervision_report(self, store: Store) -> None:
        # The city's figures are the supervising office's (and the platform's), no one else's.
        w = self.world(store)
        w.file()
        start, end = T0.subtract(days=30), T0.add(days=30)
        for refused in (officer("SCJG"), inspector("SCJG-I01"), enterprise(w.ent.credit_code)):
            w.refused(functools.partial(w.engine.supervision_report, start, end, by=refused), "auth.forbidden")
        assert w.engine.supervision_report(start, end, by=SUPERVISOR).plans_filed == 1
        assert w.engine.supervision_report(start, end, by=SYSTEM).plans_filed == 1

    def _row_prune(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.prune(by=p))

    def _query(self, store: Store, call: Callable[[World, Principal], object]) -> None:
        # Enterprises see only their own records; the inspected one may read them.
        w = self.world(store)
        w.failed_visit()
        w.refused(lambda: call(w, enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        assert call(w, enterprise(w.ent.credit_code))
        assert call(w, officer("YJGL"))

    def _row_inspection(self, store: Store) -> None:
        self._query(
            store, lambda w, p: w.engine.inspection(w.engine.inspections_of(w.ent.credit_code, by=SYSTEM)[0].id, by=p)
        )

    def _row_plan(self, store: Store) -> None:
        def read(w: World, p: Principal) -> object:
            plan_id = w.engine.inspections_of(w.ent.credit_code, by=SYSTEM)[0].plan_ids[0]
            return w.engine.plan(plan_id, by=p)

        self._query(store, read)

    def _row_inspections_of(self, store: Store) -> None:
        self._query(store, lambda w, p: w.engine.inspections_of(w.ent.credit_code, by=p))

    def _row_rectifications_of(self, store: Store) -> None:
        self._query(store, lambda w, p: w.engine.rectifications_of(w.ent.credit_code, by=p))

    def _row_enterprise(self, store: Store) -> None:
        self._query(store, lambda w, p: w.engine.enterprise(w.ent.credit_code, by=p))

    def _row_shared_records(self, store: Store) -> None:
        self._query(store, lambda w, p: w.engine.shared_records(w.ent.credit_code, ["SCJG-01"], by=p))

    # ------------------------------------- issue 12: guidance, watch, conflicting standards

    def _row_record_violation(self, store: Store) -> None:
        w = self.world(store, load_policy({"guidance": {"items": [{"item": "SCJG-02", "circumstance": "late"}]}}))
        iid = w.visit(w.file())

        def violate(who: str) -> ResultOutcome:
            return w.engine.record_violation(iid, "SCJG-02", "late", "filed late", by=inspector(who))

        w.refused(lambda: violate("SCJG-I02"), "auth.not_checked_in")  # assigned, not checked in
        assert violate("SCJG-I01").result.guidance

    def _row_record_loop_step(self, store: Store) -> None:
        w = self.world(store)
        rid = w.failed_visit()[1].result.id
        w.refused(lambda: w.engine.record_loop_step(rid, "assistance", by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.record_loop_step(rid, "assistance", "讲解标准", by=officer("SCJG")).result_id == rid

    def _row_enforcement_loop(self, store: Store) -> None:
        w = self.world(store)
        w.failed_visit()  # SCJG-01 is a first-violation item of the example city: guidance
        w.refused(
            lambda: w.engine.enforcement_loop(w.ent.credit_code, by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        assert w.engine.enforcement_loop(w.ent.credit_code, by=enterprise(w.ent.credit_code))

    def _blocked(self, store: Store) -> World:
        """A world whose SCJG-I01 left one inspection of ``ent`` without a finding (threshold 1)."""
        w = self.world(store, load_policy({"watch": {"consecutive": 1}}))
        iid = w.visit(w.file())
        w.engine.check_out(iid, by=inspector("SCJG-I01"))
        return w

    def _row_explain_watch(self, store: Store) -> None:
        w = self._blocked(store)
        code = w.ent.credit_code
        w.refused(lambda: w.engine.explain_watch("SCJG-I01", code, "复查", by=officer("SCJG")), "auth.forbidden")
        assert w.engine.explain_watch("SCJG-I01", code, "企业合规良好", by=SUPERVISOR).visits == ()

    def _row_inspector_watch(self, store: Store) -> None:
        w = self._blocked(store)
        code = w.ent.credit_code
        w.refused(lambda: w.engine.inspector_watch("SCJG-I01", code, by=officer("YJGL")), "auth.wrong_department")
        found = w.engine.inspector_watch("SCJG-I01", code, by=officer("SCJG"))
        assert found is not None and len(found.visits) == 1

    def _joint_conflict(self, store: Store) -> tuple[World, str]:
        """A joint visit of SCJG and YJGL whose items SCJG-01 and YJGL-01 conflict."""
        conflicts = {"declared": [{"item": "SCJG-01", "conflicts_with": "YJGL-01", "topic": "开窗 / 关窗"}]}
        w = self.world(store, load_policy({"conflicts": conflicts}))
        w.file("SCJG")
        out = w.file("YJGL")
        assert out.inspection is not None and out.inspection.joint
        return w, out.inspection.id

    def _row_resolve_conflict(self, store: Store) -> None:
        w, iid = self._joint_conflict(store)
        (flag,) = w.engine.conflicts_of(iid, by=SYSTEM)
        lead = w.engine.inspection(iid, by=SYSTEM).lead_department
        other = next(d for d in flag.departments if d != lead)

        def resolve(p: Principal) -> object:
            return w.engine.resolve_conflict(flag.id, "YJGL-01", "防爆优先", by=p)

        w.refused(lambda: resolve(officer(other)), "auth.wrong_department")
        w.refused(lambda: resolve(enterprise(w.ent.credit_code)), "auth.forbidden")
        assert w.engine.resolve_conflict(flag.id, "YJGL-01", "防爆优先", by=officer(lead)).prevailing == "YJGL-01"

    def _row_conflicts_of(self, store: Store) -> None:
        w, iid = self._joint_conflict(store)
        w.refused(lambda: w.engine.conflicts_of(iid, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        assert w.engine.conflicts_of(iid, by=enterprise(w.ent.credit_code))

    # ------------------------------------- licences, penalties, legal review (issue 12)

    def _row_add_licence(self, store: Store) -> None:
        w = self.world(store)
        licence = Licence("food_business", "JY-1", w.ent.credit_code, "SCJG", dt.date(2026, 12, 31))
        w.refused(lambda: w.engine.add_licence(licence, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.add_licence(licence, by=SYSTEM) == licence

    def _row_sweep_licences(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.sweep_licences(by=p))

    def _row_sweep_legal_reviews(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.sweep_legal_reviews(by=p))

    def _row_sweep_credit_repair(self, store: Store) -> None:
        self._maintenance(store, lambda e, p: e.sweep_credit_repair(by=p))

    def _row_issue_penalty(self, store: Store) -> None:
        w = self.world(store)

        def issue(p: Principal) -> object:
            return w.engine.issue_penalty(w.ent.credit_code, "SCJG", "fine", "food", 500_000, by=p)

        w.refused(lambda: issue(officer("YJGL")), "auth.wrong_department")
        assert issue(officer("SCJG")).department == "SCJG"  # type: ignore[attr-defined]

    def _review(self, w: World) -> str:
        return w.engine.request_legal_review(
            w.ent.credit_code, "SCJG", "fine", "food", 26_000_000, "facts and grounds", by=officer("SCJG")
        ).id

    def _row_request_legal_review(self, store: Store) -> None:
        w = self.world(store)

        def request(p: Principal) -> object:
            return w.engine.request_legal_review(w.ent.credit_code, "SCJG", "fine", "food", 1, "facts", by=p)

        w.refused(lambda: request(officer("YJGL")), "auth.wrong_department")
        request(officer("SCJG"))

    def _row_decide_legal_review(self, store: Store) -> None:
        w = self.world(store)
        rid = self._review(w)
        w.refused(lambda: w.engine.decide_legal_review(rid, True, by=approver("legal_office", "YJGL")))
        w.refused(lambda: w.engine.decide_legal_review(rid, True, by=officer("SCJG")), "auth.forbidden")
        assert w.engine.decide_legal_review(rid, True, by=approver("legal_office", "SCJG")).state == "approved"

    def _repairable(self, w: World) -> str:
        start = w.clock.now().subtract(months=13)
        return w.engine.issue_penalty(
            w.ent.credit_code, "SCJG", "fine", "food", 500_000, by=officer("SCJG"), publicity_start=start
        ).id

    def _row_apply_credit_repair(self, store: Store) -> None:
        w = self.world(store)
        pid = self._repairable(w)
        w.refused(
            lambda: w.engine.apply_credit_repair(pid, "fixed", by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        assert w.engine.apply_credit_repair(pid, "fixed", by=enterprise(w.ent.credit_code)).state == "repair_applied"

    def _row_decide_credit_repair(self, store: Store) -> None:
        w = self.world(store)
        pid = self._repairable(w)
        w.engine.apply_credit_repair(pid, "fixed", by=enterprise(w.ent.credit_code))
        w.refused(lambda: w.engine.decide_credit_repair(pid, True, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.decide_credit_repair(pid, True, by=officer("SCJG")).state == "repaired"

    def _row_credit_view(self, store: Store) -> None:
        w = self.world(store)
        self._repairable(w)
        view = w.engine.credit_view
        w.refused(lambda: view(w.ent.credit_code, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        assert view(w.ent.credit_code, by=enterprise(w.ent.credit_code)).public
        assert view(w.ent.credit_code, by=officer("YJGL")).public

    # ---------------------------------------------------- refusals are logged

    def test_a_refusal_is_logged_with_the_principal(self, store: Store, caplog: pytest.LogCaptureFixture) -> None:
        w = self.world(store)
        with caplog.at_level(logging.WARNING, logger="jointinspect.auth"):
            w.refused(lambda: w.engine.file_plan(w.request("SCJG"), by=officer("YJGL", user="li")))
        (record,) = [r for r in caplog.records if r.name == "jointinspect.auth"]
        assert record.levelno == logging.WARNING
        assert (record.actor, record.operation, record.record) == ("officer:YJGL/li", "file_plan", w.ent.credit_code)  # type: ignore[attr-defined]

    def test_a_custom_authorizer_runs_after_the_matrix_and_deny_wins(self, store: Store) -> None:
        w = self.world(store)
        deny = DenyOperation("file_plan")
        w.engine.authorizers = [deny]
        # The matrix allows this officer; the municipality's check refuses: deny wins.
        w.refused(lambda: w.file("SCJG"), "auth.forbidden")
        # A matrix refusal is final: the authorizer is not even asked.
        seen = deny.seen
        w.refused(lambda: w.engine.file_plan(w.request("SCJG"), by=officer("YJGL")), "auth.wrong_department")
        assert deny.seen == seen
        w.engine.authorizers = [DenyOperation("rate")]
        assert w.file("SCJG").inspection is not None  # other operations go ahead
