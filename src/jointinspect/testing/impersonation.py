"""The impersonation attempts of issue 9, each now refused (part of
`jointinspect.testing.AuthorizationContract`; the subclass provides the ``store`` fixture).

Every refusal is checked to change nothing: records, reservations, outbox and audit trail.
"""

from __future__ import annotations

import threading

import attrs

from jointinspect.codes.token import encode, inspection_claims, new_token_id
from jointinspect.errors import CheckInRejected, IllegalTransition, TokenError
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionStatus, PlanStatus
from jointinspect.model.reference import GeoPoint
from jointinspect.model.result import Outcome
from jointinspect.policy.schema import AuthorizationPolicy, Policy, WhitelistPolicy
from jointinspect.ports import Store
from jointinspect.testing._world import World, make_world
from jointinspect.testing.principals import SYSTEM, approver, enterprise, inspector, officer

__all__ = ["ImpersonationCases"]

_LAIZHOU = Policy(whitelist=WhitelistPolicy(approvers=(Role.SUPERVISOR, Role.LEGAL_OFFICE)))


def _rect(w: World, submitted: bool = False) -> str:
    rect = w.failed_visit()[1].rectification
    assert rect is not None
    if submitted:
        w.engine.submit_rectification(rect.id, ["photo://after"], by=enterprise(w.ent.credit_code))
    return rect.id


def _completed(w: World) -> str:
    iid = w.visit(w.file())
    w.engine.check_out(iid, by=inspector("SCJG-I01"))
    return iid


class ImpersonationCases:
    """The 27 impersonation cases; each test name says who tried what."""

    # --------------------------------------------------------------- rectification

    def test_department_b_cannot_accept_department_a_rectification(self, store: Store) -> None:
        w = make_world(store)
        rid = _rect(w, submitted=True)
        w.refused(lambda: w.engine.accept_rectification(rid, by=officer("YJGL")), "auth.wrong_department")

    def test_department_b_cannot_reject_department_a_rectification(self, store: Store) -> None:
        w = make_world(store)
        rid = _rect(w, submitted=True)
        deadline = w.clock.now().add(days=30)
        w.refused(
            lambda: w.engine.reject_rectification(rid, "no", deadline, by=officer("YJGL")), "auth.wrong_department"
        )

    def test_an_enterprise_cannot_accept_its_own_rectification(self, store: Store) -> None:
        w = make_world(store)
        rid = _rect(w, submitted=True)
        w.refused(lambda: w.engine.accept_rectification(rid, by=enterprise(w.ent.credit_code)), "auth.forbidden")

    def test_an_enterprise_cannot_record_a_refusal_for_the_department(self, store: Store) -> None:
        w = make_world(store)
        rid = _rect(w)
        w.refused(lambda: w.engine.refuse_rectification(rid, by=enterprise(w.ent.credit_code)), "auth.forbidden")

    def test_another_enterprise_cannot_submit_the_rectification(self, store: Store) -> None:
        w = make_world(store)
        rid = _rect(w)
        w.refused(
            lambda: w.engine.submit_rectification(rid, ["x"], by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )

    def test_another_enterprise_cannot_acknowledge_the_result(self, store: Store) -> None:
        w = make_world(store)
        rid = w.failed_visit()[1].result.id
        w.refused(lambda: w.engine.acknowledge_result(rid, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")

    # -------------------------------------------------------------------- feedback

    def test_no_one_but_the_enterprise_visited_rates_the_visit(self, store: Store) -> None:
        w = make_world(store)
        iid = _completed(w)
        w.refused(lambda: w.engine.rate(iid, 0, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        w.refused(lambda: w.engine.rate(iid, 0, by=officer("SCJG")), "auth.forbidden")
        # ...so the real enterprise is not locked out with evaluation.duplicate.
        assert w.engine.rate(iid, 95, by=enterprise(w.ent.credit_code)).score == 95

    def test_no_one_but_the_enterprise_visited_complains(self, store: Store) -> None:
        w = make_world(store)
        iid = _completed(w)
        w.refused(
            lambda: w.engine.complain(iid, "misconduct", "x", by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        w.refused(lambda: w.engine.complain(iid, "misconduct", "x", by=officer("YJGL")), "auth.forbidden")

    # -------------------------------------------------------------------- approval

    def test_the_filing_department_cannot_approve_its_own_whitelisted_plan(self, store: Store) -> None:
        w = make_world(store)
        out = w.file(enterprise=w.limited.credit_code)
        own = officer("SCJG")
        own = attrs.evolve(own, roles=frozenset({"supervisor"}))  # claims the bureau's role
        w.refused(lambda: w.engine.approve_plan(out.plan.id, Role.SUPERVISOR, by=own), "auth.own_plan")

    def test_one_caller_cannot_supply_both_approval_roles(self, store: Store) -> None:
        w = make_world(store, _LAIZHOU)
        out = w.file(enterprise=w.limited.credit_code)
        both = attrs.evolve(approver("supervisor"), roles=frozenset({"supervisor", "legal_office"}))
        w.engine.approve_plan(out.plan.id, Role.SUPERVISOR, by=both)
        w.refused(lambda: w.engine.approve_plan(out.plan.id, Role.LEGAL_OFFICE, by=both), "auth.same_approver")
        # Two distinct principals complete it.
        done = w.engine.approve_plan(out.plan.id, by=approver("legal_office"))
        assert done.plan.status is PlanStatus.ACTIVE and len(set(done.plan.approved_by)) == 2

    def test_an_approver_cannot_claim_a_role_it_does_not_hold(self, store: Store) -> None:
        w = make_world(store, _LAIZHOU)
        out = w.file(enterprise=w.limited.credit_code)
        legal = approver("legal_office", "YJGL")
        w.refused(lambda: w.engine.approve_plan(out.plan.id, Role.SUPERVISOR, by=legal), "auth.not_approver")

    # ------------------------------------------------------------ check-in and out

    def test_no_one_checks_another_inspector_in(self, store: Store) -> None:
        w = make_world(store)
        out = w.file()
        assert out.inspection is not None
        code = w.engine.issue_inspection_code(out.inspection.id, by=SYSTEM).token
        gate = w.engine.issue_enterprise_code(w.ent.credit_code, by=SYSTEM).token
        w.clock.set(out.inspection.window.start.add(minutes=5))
        # The inspector checked in is always the principal: an officer cannot act for one.
        w.refused(lambda: w.engine.check_in(code, w.ent.site, gate, by=officer("SCJG")), "auth.forbidden")
        w.refused(lambda: w.engine.check_in(code, w.ent.site, gate, by=inspector("YJGL-I01")), "auth.not_assigned")

    def test_no_one_checks_another_inspector_out(self, store: Store) -> None:
        w = make_world(store)
        iid = w.visit(w.file())
        w.refused(lambda: w.engine.check_out(iid, by=officer("SCJG")), "auth.forbidden")
        w.refused(lambda: w.engine.check_out(iid, by=inspector("SCJG-I03")), "auth.not_assigned")
        # A colleague on the inspection checks out only themself (and is not checked in).
        w.refused_with(
            CheckInRejected, lambda: w.engine.check_out(iid, by=inspector("SCJG-I02")), "checkin.not_checked_in"
        )

    def test_one_inspector_cannot_be_at_two_enterprises_at_once(self, store: Store) -> None:
        w = make_world(store)
        here, there = w.file(), w.file(enterprise=w.other.credit_code)
        w.visit(here)
        assert there.inspection is not None
        code = w.engine.issue_inspection_code(there.inspection.id, by=SYSTEM).token
        gate = w.engine.issue_enterprise_code(w.other.credit_code, by=SYSTEM).token
        w.refused_with(
            CheckInRejected,
            lambda: w.engine.check_in(code, w.other.site, gate, by=inspector("SCJG-I01")),
            "checkin.already_elsewhere",
        )

    def test_racing_check_ins_at_two_enterprises_let_one_in(self, store: Store) -> None:
        # The rule holds under concurrency too: the store's open slot is atomic.
        w = make_world(store)
        here, there = w.file(), w.file(enterprise=w.other.credit_code)
        gates = []
        for out in (here, there):
            assert out.inspection is not None
            code = w.engine.issue_inspection_code(out.inspection.id, by=SYSTEM).token
            ent = out.inspection.enterprise
            gates.append(
                (code, w.engine.enterprise(ent, by=SYSTEM).site, w.engine.issue_enterprise_code(ent, by=SYSTEM).token)
            )
        assert here.inspection is not None
        w.clock.set(here.inspection.window.start.add(minutes=5))
        barrier = threading.Barrier(2)
        admitted: list[str] = []
        refused: list[str] = []

        def gate(code: str, site: GeoPoint, enterprise_code: str) -> None:
            barrier.wait()
            try:
                admitted.append(w.engine.check_in(code, site, enterprise_code, by=inspector("SCJG-I01")).id)
            except CheckInRejected as exc:
                refused.append(exc.code)

        threads = [threading.Thread(target=gate, args=args) for args in gates]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(admitted) == 1
        assert len(refused) == 1 and refused[0] in {"checkin.already_elsewhere", "checkin.concurrent"}

    def test_an_inspection_code_naming_another_enterprise_is_refused(self, store: Store) -> None:
        w = make_world(store)
        out = w.file()
        assert out.inspection is not None and w.engine.keys is not None
        insp = out.inspection
        key_id, private = w.engine.keys.signing_key()
        forged = encode(
            inspection_claims(
                key_id=key_id,
                token_id=new_token_id(),
                issued_at=w.clock.now(),
                expires_at=insp.window.end,
                inspection_id=insp.id,
                enterprise=w.other.credit_code,  # signed, but for the wrong enterprise
                window=insp.window,
            ),
            private,
        )
        gate = w.engine.issue_enterprise_code(w.other.credit_code, by=SYSTEM).token
        w.clock.set(insp.window.start.add(minutes=5))
        w.refused_with(
            TokenError,
            lambda: w.engine.check_in(forged, w.other.site, gate, by=inspector("SCJG-I01")),
            "token.enterprise_mismatch",
        )

    # ----------------------------------------------------------------------- codes

    def test_no_inspection_code_for_another_department_inspection(self, store: Store) -> None:
        w = make_world(store)
        out = w.file()
        assert out.inspection is not None
        iid = out.inspection.id
        w.refused(lambda: w.engine.issue_inspection_code(iid, by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.issue_inspection_code(iid, by=inspector("SCJG-I01")), "auth.forbidden")

    def test_enterprise_codes_only_by_the_platform_or_the_bureau(self, store: Store) -> None:
        w = make_world(store)
        code = w.ent.credit_code
        w.refused(lambda: w.engine.issue_enterprise_code(code, by=officer("SCJG")), "auth.forbidden")
        w.refused(lambda: w.engine.issue_enterprise_code(code, by=enterprise(code)), "auth.forbidden")

    # ---------------------------------------------------------------------- filing

    def test_no_plan_filed_in_another_department_name(self, store: Store) -> None:
        w = make_world(store)
        w.refused(lambda: w.engine.file_plan(w.request("SCJG"), by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.file_plan(w.request("SCJG"), by=inspector("SCJG-I01")), "auth.forbidden")

    # -------------------------------------------------------------- reference data

    def _wide(self, store: Store) -> World:
        # Officers may register reference data, so only the changed field's row refuses.
        return make_world(store, Policy(authorization=AuthorizationPolicy(reference=frozenset({"system", "officer"}))))

    def test_no_whitelisting_without_the_role(self, store: Store) -> None:
        w = self._wide(store)
        listed = attrs.evolve(w.ent, whitelisted=True)
        err = w.refused(lambda: w.engine.add_enterprise(listed, by=officer("SCJG")), "auth.forbidden")
        assert err.details["operation"] == "set_whitelist"

    def test_no_site_move_without_the_role_so_no_remote_check_in(self, store: Store) -> None:
        w = self._wide(store)
        out = w.file()
        assert out.inspection is not None
        office = GeoPoint(w.ent.site.lat + 0.03, w.ent.site.lon)  # the department's office, 3 km away
        moved = attrs.evolve(w.ent, site=office)
        err = w.refused(lambda: w.engine.add_enterprise(moved, by=officer("SCJG")), "auth.forbidden")
        assert err.details["operation"] == "move_site"
        code = w.engine.issue_inspection_code(out.inspection.id, by=SYSTEM).token
        gate = w.engine.issue_enterprise_code(w.ent.credit_code, by=SYSTEM).token
        w.clock.set(out.inspection.window.start.add(minutes=5))
        w.refused_with(
            CheckInRejected,
            lambda: w.engine.check_in(code, office, gate, by=inspector("SCJG-I01")),
            "checkin.outside_geofence",
        )

    def test_no_inspector_moved_to_another_department_without_the_role(self, store: Store) -> None:
        w = self._wide(store)
        moved = attrs.evolve(w.city.inspectors_of("SCJG")[0], department="YJGL")
        err = w.refused(lambda: w.engine.add_inspector(moved, by=officer("YJGL")), "auth.forbidden")
        assert err.details["operation"] == "move_inspector_department"

    def test_no_key_supervision_mark_without_the_role(self, store: Store) -> None:
        w = self._wide(store)
        marked = attrs.evolve(w.ent, key_supervision=True)
        err = w.refused(lambda: w.engine.add_enterprise(marked, by=officer("SCJG")), "auth.forbidden")
        assert err.details["operation"] == "mark_key_supervision"

    # --------------------------------------------------------------------- results

    def test_no_result_after_the_inspection_is_completed(self, store: Store) -> None:
        w = make_world(store)
        iid = _completed(w)
        assert w.engine.inspection(iid, by=SYSTEM).status is InspectionStatus.COMPLETED
        w.refused(lambda: w.fail(iid, "SCJG-02"), "auth.not_checked_in")

    def test_a_duplicate_fail_result_opens_no_second_rectification(self, store: Store) -> None:
        w = make_world(store)
        iid, first = w.failed_visit()
        w.refused_with(IllegalTransition, lambda: w.fail(iid), "result.duplicate")
        # The audited correction changes the result and opens no second rectification.
        fixed = w.engine.correct_result(first.result.id, Outcome.FAIL, "also no fire permit", by=inspector("SCJG-I01"))
        assert fixed.rectification is None
        assert len(w.engine.rectifications_of(w.ent.credit_code, by=SYSTEM)) == 1

    def test_no_result_for_another_department_item(self, store: Store) -> None:
        w = make_world(store)
        joint = w.file()
        w.file("YJGL", day=0)  # merges: one joint visit of SCJG and YJGL (same window)
        assert joint.inspection is not None
        iid = w.visit(joint, "SCJG-I01")
        code = w.engine.issue_inspection_code(iid, by=SYSTEM).token
        gate = w.engine.issue_enterprise_code(w.ent.credit_code, by=SYSTEM).token
        w.engine.check_in(code, w.ent.site, gate, by=inspector("YJGL-I01"))
        w.refused(lambda: w.fail(iid, "SCJG-01", who="YJGL-I01"), "auth.wrong_department")

    def test_no_correction_by_another_department(self, store: Store) -> None:
        w = make_world(store)
        rid = w.failed_visit()[1].result.id
        w.refused(lambda: w.engine.correct_result(rid, Outcome.PASS, by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.correct_result(rid, Outcome.PASS, by=inspector("SCJG-I02")), "auth.not_checked_in")

    # --------------------------------------------------------------------- queries

    def test_an_enterprise_cannot_read_another_enterprise_records(self, store: Store) -> None:
        w = make_world(store)
        iid = w.failed_visit()[0]
        snoop = enterprise(w.other.credit_code)
        w.refused(lambda: w.engine.inspection(iid, by=snoop), "auth.wrong_enterprise")
        w.refused(lambda: w.engine.rectifications_of(w.ent.credit_code, by=snoop), "auth.wrong_enterprise")
        w.refused(lambda: w.engine.shared_records(w.ent.credit_code, ["SCJG-01"], by=snoop), "auth.wrong_enterprise")
