"""The authorization matrix, pure level: every row allows one principal and refuses another.

(Phase 2 runs the same rows through the Engine on every store.)
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jointinspect
from jointinspect.auth import (
    MATRIX,
    RULES,
    AuthContext,
    Principal,
    PrincipalKind,
    Rule,
    authorize,
    check,
    matrix_markdown,
)
from jointinspect.errors import MESSAGES, Forbidden, ValidationError
from jointinspect.model.notification import Role
from jointinspect.policy.schema import PRINCIPAL_KINDS, AuthorizationPolicy, Policy, WhitelistPolicy, load_policy

DOCS = Path(__file__).resolve().parents[1] / "docs" / "authorization.md"
E1, E2 = "91370600MA3C4XYZ1A", "91370600MA3C4XYZ2B"
CTX = AuthContext(
    department="SCJG",
    enterprise=E1,
    inspector="SCJG-I01",
    inspectors=("SCJG-I01", "SCJG-I02"),
    lead_department="SCJG",
    responsible_department="SCJG",
    checked_in=True,
    role="supervisor",
    needed_roles=("supervisor",),
)
ALL = [
    Principal.officer("SCJG"),
    Principal.officer("WSJ"),
    Principal.inspector("SCJG-I01", department="SCJG"),
    Principal.inspector("SCJG-I02", department="SCJG"),
    Principal.inspector("WSJ-I01", department="WSJ"),
    Principal.enterprise(E1),
    Principal.enterprise(E2),
    Principal.supervisor(),
    Principal.legal_office("SCJG"),
    Principal.legal_office("WSJ"),
    Principal.system(),
]


def allowed(operation: str, principal: Principal, ctx: AuthContext = CTX, policy: Policy | None = None) -> bool:
    try:
        authorize(operation, principal, ctx, policy=policy)
    except Forbidden as exc:
        assert exc.code in MESSAGES and exc.code.startswith("auth.")
        assert exc.details == {"operation": operation, "principal": principal.actor}
        return False
    return True


#: operation -> (a principal the row allows, one it refuses, the refusal code)
EXPECTED: dict[str, tuple[Principal, Principal, str]] = {
    **{
        op: (Principal.system(), Principal.officer("SCJG"), "auth.forbidden")
        for op in (
            "add_enterprise",
            "add_department",
            "add_inspector",
            "add_item",
            "add_scenario",
            "set_whitelist",
            "move_site",
            "move_inspector_department",
            "mark_key_supervision",
            "sweep_overdue",
            "deliver_notifications",
            "reconcile_reservations",
            "replan",
            "rebuild_reservations",
            "prune",
            "verify_audit",
            "anchor_audit",
        )
    },
    "file_plan": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "supervision_report": (Principal.supervisor(), Principal.officer("SCJG"), "auth.forbidden"),
    "file_plans": (Principal.officer("WSJ"), Principal.enterprise(E1), "auth.forbidden"),
    "approve_plan": (Principal.supervisor(), Principal.officer("SCJG", roles=["supervisor"]), "auth.own_plan"),
    "issue_inspection_code": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "issue_enterprise_code": (Principal.system(), Principal.enterprise(E1), "auth.forbidden"),
    "check_in": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_themself",
    ),
    "check_out": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_themself",
    ),
    "record_result": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_checked_in",
    ),
    "correct_result": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.officer("WSJ"),
        "auth.wrong_department",
    ),
    **{
        op: (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise")
        for op in ("acknowledge_result", "submit_rectification", "rate", "complain")
    },
    **{
        op: (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department")
        for op in ("accept_rectification", "reject_rectification", "refuse_rectification")
    },
    **{
        op: (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise")
        for op in ("inspection", "plan", "inspections_of", "rectifications_of", "enterprise", "shared_records")
    },
    # issue 12
    "record_violation": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_checked_in",
    ),
    "record_loop_step": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "enforcement_loop": (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise"),
    "explain_watch": (Principal.supervisor(), Principal.officer("SCJG"), "auth.forbidden"),
    "inspector_watch": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "resolve_conflict": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "conflicts_of": (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise"),
    "draw_spot_check": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "refile_spot_check": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "declare_conflict": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_themself",
    ),
    "declare_quiet_slot": (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise"),
    "withdraw_quiet_slot": (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise"),
    "register_device_key": (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department"),
    "check_in_offline": (
        Principal.inspector("SCJG-I01", department="SCJG"),
        Principal.inspector("SCJG-I02", department="SCJG"),
        "auth.not_themself",
    ),
    # the operator listings (issue 11): the filters are the facts
    "list_enterprises": (Principal.officer("SCJG"), Principal.enterprise(E1), "auth.forbidden"),
    **{
        op: (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department")
        for op in ("list_plans", "pending_approvals", "list_rectifications")
    },
    **{
        op: (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise")
        for op in ("list_inspections", "results_of", "list_complaints", "list_evaluations")
    },
    **{
        op: (Principal.supervisor(), Principal.officer("SCJG"), "auth.forbidden")
        for op in ("pending_notifications", "audit_entries")
    },
    # licence prewarning, credit repair, legal review (issue 12)
    **{
        op: (Principal.system(), Principal.officer("SCJG"), "auth.forbidden")
        for op in ("add_licence", "sweep_licences", "sweep_legal_reviews", "sweep_credit_repair")
    },
    **{
        op: (Principal.officer("SCJG"), Principal.officer("WSJ"), "auth.wrong_department")
        for op in ("issue_penalty", "request_legal_review", "decide_credit_repair")
    },
    "decide_legal_review": (Principal.legal_office("SCJG"), Principal.legal_office("WSJ"), "auth.wrong_department"),
    **{
        op: (Principal.enterprise(E1), Principal.enterprise(E2), "auth.wrong_enterprise")
        for op in ("apply_credit_repair", "credit_view")
    },
}


def test_every_engine_operation_has_a_row() -> None:
    public = {n for n, _ in inspect.getmembers(jointinspect.Engine, inspect.isfunction) if not n.startswith("_")}
    assert public - set(RULES) == set()
    assert len(RULES) == len(MATRIX)  # no operation twice


@pytest.mark.parametrize("rule", [r for r in MATRIX if r.operation in EXPECTED], ids=lambda r: r.operation)
def test_each_row_allows_one_principal_and_refuses_another(rule: Rule) -> None:
    yes, no, code = EXPECTED[rule.operation]
    assert allowed(rule.operation, yes)
    with pytest.raises(Forbidden) as err:
        authorize(rule.operation, no, CTX)
    assert err.value.code == code
    assert no.actor in err.value.message_en and no.actor in err.value.message_zh
    assert rule.operation in err.value.message_en


def test_rows_without_an_expectation_are_the_open_ones() -> None:
    # describe_code only reads what the code says: every principal may.
    assert set(RULES) - set(EXPECTED) == {"describe_code"}
    assert all(allowed("describe_code", p) for p in ALL)


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(Forbidden) as err:
        authorize("drop_tables", Principal.system())
    assert err.value.code == "auth.unknown_operation"


def test_the_issue_impersonations_are_refused() -> None:
    other_dept = attrs.evolve(CTX, responsible_department="WSJ")
    # department B accepts or rejects department A's rectification
    assert not allowed("accept_rectification", Principal.officer("SCJG"), other_dept)
    assert not allowed("reject_rectification", Principal.officer("SCJG"), other_dept)
    # an enterprise accepts its own rectification
    assert not allowed("accept_rectification", Principal.enterprise(E1))
    # another enterprise submits, acknowledges, rates, complains
    for op in ("submit_rectification", "acknowledge_result", "rate", "complain"):
        assert not allowed(op, Principal.enterprise(E2))
        assert not allowed(op, Principal.officer("SCJG"))
    # anyone checks out another inspector / checks in an assigned inspector by id
    assert not allowed("check_out", Principal.inspector("SCJG-I02", department="SCJG"))
    assert not allowed("check_in", Principal.officer("SCJG"))
    # an unassigned inspector checks themself in
    stranger = Principal.inspector("SCJG-I09", department="SCJG")
    assert not allowed("check_in", stranger, attrs.evolve(CTX, inspector="SCJG-I09"))
    # codes issued by a department that does not lead
    assert not allowed("issue_inspection_code", Principal.officer("WSJ"))
    assert not allowed("issue_inspection_code", Principal.enterprise(E1))
    # a plan filed in another department's name
    assert not allowed("file_plan", Principal.officer("WSJ"))
    # whitelist, site, inspector department, key supervision by an officer or enterprise
    for op in ("set_whitelist", "move_site", "move_inspector_department", "mark_key_supervision"):
        assert not allowed(op, Principal.officer("SCJG"))
        assert not allowed(op, Principal.enterprise(E1))
    # results recorded without an open check-in, or for another department's item
    assert not allowed(
        "record_result", Principal.inspector("SCJG-I01", department="SCJG"), attrs.evolve(CTX, checked_in=False)
    )
    assert not allowed(
        "record_result", Principal.inspector("SCJG-I01", department="SCJG"), attrs.evolve(CTX, department="WSJ")
    )


def test_listings_bind_to_the_filters_and_to_the_departments_taking_part() -> None:
    joint = AuthContext(enterprise=E1, lead_department="SCJG", departments=("SCJG", "XFJY"))
    for who in (Principal.officer("XFJY"), Principal.legal_office("SCJG"), Principal.supervisor()):
        assert allowed("results_of", who, joint)
    assert not allowed("results_of", Principal.officer("WSJ"), joint)
    assert not allowed("results_of", Principal.inspector("WSJ-I01", department="WSJ"), joint)
    unfiltered = AuthContext()
    # supervisor and system read every record; a department's principal only its own
    for op in ("list_plans", "list_inspections", "list_rectifications", "list_complaints", "audit_entries"):
        assert allowed(op, Principal.supervisor(), unfiltered) and allowed(op, Principal.system(), unfiltered)
        assert not allowed(op, Principal.officer("SCJG"), unfiltered)
    # enterprises never list other enterprises, plans, the outbox or the audit trail
    for op in ("list_enterprises", "list_plans", "pending_approvals", "pending_notifications", "audit_entries"):
        assert not allowed(op, Principal.enterprise(E1))
    # complaints and ratings: the supervising office and the enterprise itself, no department
    for op in ("list_complaints", "list_evaluations"):
        assert not allowed(op, Principal.officer("SCJG")) and not allowed(op, Principal.legal_office("SCJG"))


LAIZHOU = Policy(whitelist=WhitelistPolicy(approvers=(Role.LEGAL_OFFICE, Role.SUPERVISOR)))


def test_approval_roles_need_the_role_and_distinct_principals() -> None:
    legal = Principal.legal_office("SCJG", user="li")
    ctx = attrs.evolve(CTX, role="legal_office", needed_roles=("legal_office", "supervisor"))
    assert allowed("approve_plan", legal, ctx, LAIZHOU)
    # the filing department's officer claiming the supervisor role
    assert not allowed("approve_plan", Principal.officer("SCJG", roles=["supervisor"]), CTX)
    # a principal without the role it claims
    assert not allowed("approve_plan", Principal.supervisor(roles=()), CTX)
    # a role the policy does not name
    assert not allowed("approve_plan", legal, ctx)
    # one caller supplying both roles: the second approval is refused
    both = Principal.supervisor(user="wang", roles=["supervisor", "legal_office"])
    first = attrs.evolve(ctx, approvals=())
    assert allowed("approve_plan", both, first, LAIZHOU)
    second = attrs.evolve(CTX, role="supervisor", approvals=(("legal_office", both.actor),))
    with pytest.raises(Forbidden) as err:
        authorize("approve_plan", both, second, policy=LAIZHOU)
    assert err.value.code == "auth.same_approver"
    # a distinct principal completes it
    assert allowed("approve_plan", Principal.supervisor(user="zhao"), second, LAIZHOU)


def test_policy_names_who_changes_reference_data() -> None:
    officer = Principal.officer("SCJG")
    assert not allowed("add_item", officer)
    widened = load_policy({"authorization": {"reference": ["system", "officer"]}})
    assert allowed("add_item", officer, policy=widened)
    assert not allowed("set_whitelist", officer, policy=widened)
    assert widened.to_dict()["authorization"]["reference"] == ["officer", "system"]
    with pytest.raises(ValidationError):
        load_policy({"authorization": {"reference": ["janitor"]}})


def test_principals_need_their_binding_ids() -> None:
    assert {k.value for k in PrincipalKind} == PRINCIPAL_KINDS
    with pytest.raises(ValidationError):
        Principal(PrincipalKind.INSPECTOR, inspector_id="I1")  # no department
    with pytest.raises(ValidationError):
        Principal(PrincipalKind.ENTERPRISE)
    with pytest.raises(ValidationError):
        Principal.officer("")
    with pytest.raises(ValidationError):
        Principal.officer("SCJG\n")
    assert Principal.inspector("SCJG-I01", department="SCJG").actor == "inspector:SCJG-I01"
    assert Principal.officer("SCJG", user="zhang").actor == "officer:SCJG/zhang"
    assert Principal.system().actor == "system"
    assert Principal.system("nightly").actor == "system/nightly"


principals = st.sampled_from(ALL)
contexts = st.builds(
    AuthContext,
    department=st.sampled_from(["SCJG", "WSJ", None]),
    enterprise=st.sampled_from([E1, E2, None]),
    inspector=st.sampled_from(["SCJG-I01", "SCJG-I02", "WSJ-I01", None]),
    lead_department=st.sampled_from(["SCJG", "WSJ", None]),
    responsible_department=st.sampled_from(["SCJG", "WSJ", None]),
    checked_in=st.booleans(),
)


@given(principals, contexts, st.sampled_from(sorted(RULES)))
def test_binding_rules_hold_for_any_principal_and_record(p: Principal, ctx: AuthContext, op: str) -> None:
    ok = allowed(op, p, ctx)
    if op in ("acknowledge_result", "submit_rectification", "rate", "complain"):
        assert ok == (p.kind is PrincipalKind.ENTERPRISE and p.credit_code == ctx.enterprise)
    if op in ("accept_rectification", "reject_rectification", "refuse_rectification"):
        assert ok == (p.kind is PrincipalKind.OFFICER and p.department == ctx.responsible_department)
    if op in ("check_in", "check_out", "check_in_offline"):
        assert ok == (p.kind is PrincipalKind.INSPECTOR and p.inspector_id == ctx.inspector)
    if op in ("declare_quiet_slot", "withdraw_quiet_slot"):
        assert ok == (p.kind is PrincipalKind.ENTERPRISE and p.credit_code == ctx.enterprise)
    if op == "draw_spot_check":
        assert ok == (p.kind is PrincipalKind.OFFICER and p.department == ctx.department)
    if op == "record_result":
        assert ok == (
            p.kind is PrincipalKind.INSPECTOR
            and ctx.checked_in
            and p.inspector_id == ctx.inspector
            and p.department == ctx.department
        )
    if op == "file_plan":
        assert ok == (p.kind is PrincipalKind.OFFICER and p.department == ctx.department)
    if p.kind is PrincipalKind.ENTERPRISE and ok:
        # an enterprise never acts on another enterprise's records
        assert op == "describe_code" or p.credit_code == ctx.enterprise


def test_the_documented_matrix_is_generated_from_the_data() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- matrix:start -->\n(.*?)<!-- matrix:end -->", text, re.S)
    assert found is not None, "docs/authorization.md lacks the matrix markers"
    assert found.group(1) == matrix_markdown(), "regenerate: python -m jointinspect.auth > table"
    assert matrix_markdown(defaults=AuthorizationPolicy(reference=frozenset({"officer"}))) != matrix_markdown()


def test_the_chinese_twin_carries_the_same_generated_matrix() -> None:
    text = DOCS.with_name("authorization.zh.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- matrix:start -->\n(.*?)<!-- matrix:end -->", text, re.S)
    assert found is not None, "docs/authorization.zh.md lacks the matrix markers"
    assert found.group(1) == matrix_markdown(zh=True), "regenerate: python -m jointinspect.auth --zh > table"
    # the Chinese table differs only in its headers and policy phrase, row for row
    zh_rows, en_rows = matrix_markdown(zh=True).splitlines(), matrix_markdown().splitlines()
    assert len(zh_rows) == len(en_rows) and zh_rows[0] != en_rows[0]
    assert [r.split(" | ")[0] for r in zh_rows[2:]] == [r.split(" | ")[0] for r in en_rows[2:]]


class OnlyTheCity:
    """A municipality's extra rule: nothing on enterprise E2 except by the platform."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None:
        self.calls.append(operation)
        if context.enterprise == E2 and principal.kind is not PrincipalKind.SYSTEM:
            raise Forbidden("auth.forbidden", operation=operation, principal=principal.actor)


def test_extra_authorizers_can_only_deny(caplog: pytest.LogCaptureFixture) -> None:
    extra = OnlyTheCity()
    officer = Principal.officer("SCJG")
    check("file_plan", officer, CTX, extra=[extra])  # matrix and authorizer both allow
    with pytest.raises(Forbidden):
        check("file_plan", officer, attrs.evolve(CTX, enterprise=E2), extra=[extra])  # authorizer denies
    with pytest.raises(Forbidden):
        check("file_plan", Principal.officer("WSJ"), CTX, extra=[extra])  # matrix denies first
    assert extra.calls == ["file_plan", "file_plan"]  # never consulted after the matrix refused
    assert any("officer:WSJ" in r.getMessage() and "auth.wrong_department" in r.getMessage() for r in caplog.records)
