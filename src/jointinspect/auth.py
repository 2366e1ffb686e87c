"""Who may do what: principals and the authorization matrix.

The embedding platform authenticates people (passwords, OIDC, a government SSO) and
maps each request to a `Principal`: *who* acts, with the ids that bind them (a
department code, an inspector id, a credit code). The engine then decides what that
principal may do to which record with `authorize`, from the matrix `MATRIX` — data,
so that the table in docs/authorization.md is generated from it and cannot drift.

`authorize` is pure: the caller passes the record's binding facts as an `AuthContext`
(the plan's department, the inspection's enterprise and lead department, the approvals so
far with who gave them...). A municipality adds its own checks with an
`jointinspect.ports.Authorizer`; deny wins.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

import attrs

from jointinspect.errors import Forbidden, ValidationError
from jointinspect.policy.schema import AuthorizationPolicy, Policy


class PrincipalKind(enum.StrEnum):
    """The kinds of principal; values are what a policy's ``authorization`` section names."""

    OFFICER = "officer"  # a department's officer (执法部门工作人员)
    INSPECTOR = "inspector"  # an enforcement inspector (执法人员)
    ENTERPRISE = "enterprise"  # the enterprise inspected (企业)
    SUPERVISOR = "supervisor"  # the supervising justice bureau (司法行政部门)
    LEGAL_OFFICE = "legal_office"  # a department's legal section (法制科)
    SYSTEM = "system"  # the platform itself: schedulers, imports, maintenance


def _ident(field: str, value: object) -> str:
    if not isinstance(value, str) or not value or not value.isprintable() or len(value) > 200:
        raise ValidationError(
            "input.invalid",
            reason=f"principal {field} must be printable text of 1-200 characters",
            reason_zh=f"执行主体的 {field} 须为 1 至 200 个可打印字符",
        )
    return value


def _optional_ident(field: str) -> Callable[[object, attrs.Attribute[str | None], str | None], None]:
    def check(_: object, __: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            _ident(field, value)

    return check


def _roles(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    return frozenset(_ident("role", r) for r in value)


@attrs.frozen
class Principal:
    """Who performs an operation.

    Attributes:
        kind: what kind of party acts.
        department: the department an officer, inspector or legal office belongs to.
        inspector_id: an inspector's id.
        credit_code: an enterprise's unified social credit code.
        user: the person behind the principal (a login name), so that two officers of
            one office are two principals (approvals need distinct principals).
        roles: approval roles held (``policy.whitelist.approvers`` values); supervisors
            and legal offices hold their own role by default.
    """

    kind: PrincipalKind = attrs.field(converter=PrincipalKind)
    department: str | None = attrs.field(default=None, validator=_optional_ident("department"))
    inspector_id: str | None = attrs.field(default=None, validator=_optional_ident("inspector_id"))
    credit_code: str | None = attrs.field(default=None, validator=_optional_ident("credit_code"))
    user: str | None = attrs.field(default=None, validator=_optional_ident("user"))
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)

    def __attrs_post_init__(self) -> None:
        needs = {
            PrincipalKind.OFFICER: ("department",),
            PrincipalKind.LEGAL_OFFICE: ("department",),
            PrincipalKind.INSPECTOR: ("inspector_id", "department"),
            PrincipalKind.ENTERPRISE: ("credit_code",),
        }.get(self.kind, ())
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValidationError(
                "input.invalid",
                reason=f"a {self.kind.value} principal needs {', '.join(missing)}",
                reason_zh=f"{self.kind.value} 类执行主体须提供 {'、'.join(missing)}",
            )

    @classmethod
    def officer(cls, department: str, *, user: str | None = None, roles: Iterable[str] = ()) -> Principal:
        """An officer of ``department``."""
        return cls(PrincipalKind.OFFICER, department=department, user=user, roles=roles)

    @classmethod
    def inspector(cls, inspector_id: str, *, department: str) -> Principal:
        """The inspector ``inspector_id`` of ``department``."""
        return cls(PrincipalKind.INSPECTOR, department=department, inspector_id=inspector_id)

    @classmethod
    def enterprise(cls, credit_code: str, *, user: str | None = None) -> Principal:
        """The enterprise with ``credit_code`` (its legal representative or delegate)."""
        return cls(PrincipalKind.ENTERPRISE, credit_code=credit_code, user=user)

    @classmethod
    def supervisor(cls, *, user: str | None = None, roles: Iterable[str] = ("supervisor",)) -> Principal:
        """The supervising justice bureau (司法行政), holding the ``supervisor`` role."""
        return cls(PrincipalKind.SUPERVISOR, user=user, roles=roles)

    @classmethod
    def legal_office(
        cls, department: str, *, user: str | None = None, roles: Iterable[str] = ("legal_office",)
    ) -> Principal:
        """The legal section (法制科) of ``department``, holding the ``legal_office`` role."""
        return cls(PrincipalKind.LEGAL_OFFICE, department=department, user=user, roles=roles)

    @classmethod
    def system(cls, name: str | None = None) -> Principal:
        """The platform itself, optionally naming the job (a scheduler, an import)."""
        return cls(PrincipalKind.SYSTEM, user=name)

    @functools.cached_property
    def actor(self) -> str:
        """The principal as the audit trail names it, e.g. ``officer:SCJG/zhang`` (worked out
        once: bulk filing names it in every request's effects)."""
        ident = {
            PrincipalKind.OFFICER: self.department,
            PrincipalKind.LEGAL_OFFICE: self.department,
            PrincipalKind.INSPECTOR: self.inspector_id,
            PrincipalKind.ENTERPRISE: self.credit_code,
        }.get(self.kind)
        text = self.kind.value if ident is None else f"{self.kind.value}:{ident}"
        return text if self.user is None else f"{text}/{self.user}"


@attrs.frozen
class AuthContext:
    """The binding facts of the record an operation touches (only those it has).

    Attributes:
        department: the plan's department / the item's department / the inspector's.
        enterprise: the enterprise visited or concerned.
        inspector: the inspector acted upon (check-in, check-out, result).
        inspectors: the inspectors assigned to the inspection.
        lead_department: the inspection's lead department.
        responsible_department: the department responsible for a rectification's item.
        checked_in: whether ``inspector`` has an open check-in at the inspection.
        role: the approval role claimed (approve_plan).
        needed_roles: the approval roles still missing.
        approvals: the approvals so far as (role, actor) pairs.
        departments: the departments taking part in the inspection.
    """

    department: str | None = None
    enterprise: str | None = None
    inspector: str | None = None
    inspectors: tuple[str, ...] = ()
    lead_department: str | None = None
    responsible_department: str | None = None
    checked_in: bool = False
    role: str | None = None
    needed_roles: tuple[str, ...] = ()
    approvals: tuple[tuple[str, str], ...] = ()
    departments: tuple[str, ...] = ()


# --- bindings: the conditions a grant attaches ----------------------------------------------

Check = Callable[[Principal, AuthContext, Policy], str | None]


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and a == b


def _any(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None


def _own_department(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None if _same(p.department, c.department) else "auth.wrong_department"


def _lead_department(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None if _same(p.department, c.lead_department) else "auth.wrong_department"


def _responsible(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None if _same(p.department, c.responsible_department) else "auth.wrong_department"


def _themself(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    if not _same(p.inspector_id, c.inspector):
        return "auth.not_themself"
    return None if not c.inspectors or p.inspector_id in c.inspectors else "auth.not_assigned"


def _checked_in_own_item(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    if not c.checked_in or not _same(p.inspector_id, c.inspector):
        return "auth.not_checked_in"
    return None if _same(p.department, c.department) else "auth.wrong_department"


def _visited(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None if _same(p.credit_code, c.enterprise) else "auth.wrong_enterprise"


def _approver(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    if p.kind in (PrincipalKind.OFFICER, PrincipalKind.INSPECTOR) and _same(p.department, c.department):
        return "auth.own_plan"
    approvers = {r.value for r in policy.whitelist.approvers}
    if c.role is None or c.role not in approvers or c.role not in p.roles:
        return "auth.not_approver"
    if any(actor == p.actor for _, actor in c.approvals):
        return "auth.same_approver"
    return None


def _participant(p: Principal, c: AuthContext, policy: Policy) -> str | None:
    return None if p.department is not None and p.department in c.departments else "auth.wrong_department"


def _policy(field: str) -> Check:
    def check(p: Principal, c: AuthContext, policy: Policy) -> str | None:
        allowed: frozenset[str] = getattr(policy.authorization, field)
        return None if p.kind.value in allowed else "auth.forbidden"

    check.__name__ = f"policy_{field}"
    return check


@attrs.frozen
class Binding:
    """A named condition on a grant, with the sentence the docs print for it."""

    name: str
    text: str
    check: Check = attrs.field(eq=False, repr=False)


ANY = Binding("any", "-", _any)
OWN_DEPARTMENT = Binding("own_department", "of the record's department", _own_department)
LEAD = Binding("lead_department", "of the inspection's lead department", _lead_department)
RESPONSIBLE = Binding("responsible_department", "of the department responsible for the item", _responsible)
THEMSELF = Binding("themself", "the inspector themself, assigned to the inspection", _themself)
CHECKED_IN = Binding(
    "checked_in_own_item", "checked in to the inspection, for an item of their own department", _checked_in_own_item
)
VISITED = Binding("visited_enterprise", "the enterprise visited", _visited)
APPROVER = Binding(
    "approver",
    "holding the claimed role of policy.whitelist.approvers; never the filing department; "
    "each role by a distinct principal",
    _approver,
)

PARTICIPANT = Binding("participant", "of a department taking part in the inspection", _participant)


def policy_binding(field: str) -> Binding:
    """A grant to the principal kinds ``policy.authorization.<field>`` names."""
    return Binding(f"policy:{field}", f"a kind named in policy.authorization.{field}", _policy(field))


@attrs.frozen
class Grant:
    """One way to be allowed: a principal kind (``None``: any kind) and its binding."""

    kind: PrincipalKind | None
    binding: Binding = ANY

    def refusal(self, principal: Principal, context: AuthContext, policy: Policy) -> str | None:
        """``None`` when this grant allows ``principal``; else the refusal code."""
        if self.kind is not None and principal.kind is not self.kind:
            return "auth.forbidden"
        return self.binding.check(principal, context, policy)


@attrs.frozen
class Rule:
    """One row of the matrix: an operation and the grants that allow it."""

    operation: str
    grants: tuple[Grant, ...]
    note: str = ""


_K = PrincipalKind
_SYSTEM = Grant(_K.SYSTEM)


def _policy_row(operation: str, field: str, note: str = "") -> Rule:
    return Rule(operation, (Grant(None, policy_binding(field)),), note)


def _queries(operation: str) -> Rule:
    return Rule(
        operation,
        (
            Grant(_K.SUPERVISOR),
            _SYSTEM,
            Grant(_K.OFFICER),
            Grant(_K.LEGAL_OFFICE),
            Grant(_K.INSPECTOR),
            Grant(_K.ENTERPRISE, VISITED),
        ),
        "enterprises see only their own records",
    )


# The operator's listings (issue 11): the filters are the facts a grant binds.
_STAFF = (Grant(_K.SUPERVISOR), _SYSTEM, Grant(_K.OFFICER), Grant(_K.LEGAL_OFFICE), Grant(_K.INSPECTOR))
_DEPARTMENTS = (
    Grant(_K.SUPERVISOR),
    _SYSTEM,
    Grant(_K.OFFICER, OWN_DEPARTMENT),
    Grant(_K.LEGAL_OFFICE, OWN_DEPARTMENT),
    Grant(_K.INSPECTOR, OWN_DEPARTMENT),
)
_PARTICIPANTS = (
    Grant(_K.SUPERVISOR),
    _SYSTEM,
    Grant(_K.OFFICER, PARTICIPANT),
    Grant(_K.LEGAL_OFFICE, PARTICIPANT),
    Grant(_K.INSPECTOR, PARTICIPANT),
    Grant(_K.ENTERPRISE, VISITED),
)
_OVERSIGHT = (Grant(_K.SUPERVISOR), _SYSTEM, Grant(_K.ENTERPRISE, VISITED))

#: The authorization matrix: one row per Engine operation.
MATRIX: tuple[Rule, ...] = (
    _policy_row("add_enterprise", "reference"),
    _policy_row("add_department", "reference"),
    _policy_row("add_inspector", "reference"),
    _policy_row("add_item", "reference"),
    _policy_row("add_scenario", "reference"),
    _policy_row("set_whitelist", "whitelist", "putting an enterprise on or off the whitelist"),
    _policy_row("move_site", "sites", "changing an enterprise's registered site"),
    _policy_row("move_inspector_department", "inspector_department"),
    _policy_row("mark_key_supervision", "key_supervision"),
    Rule("file_plan", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "an officer files for their own department"),
    Rule("approve_plan", (Grant(None, APPROVER),), "two required roles need two distinct principals"),
    Rule("issue_inspection_code", (Grant(_K.OFFICER, LEAD), _SYSTEM)),
    Rule("issue_enterprise_code", (_SYSTEM, Grant(_K.SUPERVISOR))),
    Rule("check_in", (Grant(_K.INSPECTOR, THEMSELF),), "one open check-in at a time (engine)"),
    Rule("check_out", (Grant(_K.INSPECTOR, THEMSELF),)),
    Rule("record_result", (Grant(_K.INSPECTOR, CHECKED_IN),), "once per item unless an audited correction (engine)"),
    Rule(
        "correct_result",
        (Grant(_K.INSPECTOR, CHECKED_IN), Grant(_K.OFFICER, OWN_DEPARTMENT)),
        "audited as result.corrected; never opens a second rectification",
    ),
    Rule("acknowledge_result", (Grant(_K.ENTERPRISE, VISITED),)),
    Rule("submit_rectification", (Grant(_K.ENTERPRISE, VISITED),)),
    Rule("accept_rectification", (Grant(_K.OFFICER, RESPONSIBLE),)),
    Rule("reject_rectification", (Grant(_K.OFFICER, RESPONSIBLE),)),
    Rule("refuse_rectification", (Grant(_K.OFFICER, RESPONSIBLE),)),
    Rule("rate", (Grant(_K.ENTERPRISE, VISITED),)),
    Rule("complain", (Grant(_K.ENTERPRISE, VISITED),)),
    _policy_row("sweep_overdue", "maintenance"),
    _policy_row("deliver_notifications", "maintenance"),
    _policy_row("reconcile_reservations", "maintenance"),
    _policy_row("rebuild_reservations", "maintenance", "after a failover of a separate ledger"),
    _policy_row("replan", "maintenance", "re-plans an enterprise's open visits to the fewest (issue 8)"),
    _policy_row("prune", "maintenance", "expired replay keys, delivered outbox rows"),
    _policy_row("verify_audit", "maintenance"),
    _policy_row("anchor_audit", "maintenance", "signing the audit head for the anchor sink"),
    Rule("supervision_report", (Grant(_K.SUPERVISOR), _SYSTEM), "the city's KPIs, over every department"),
    Rule("describe_code", (Grant(None),), "reads only what the code itself says"),
    _queries("inspection"),
    _queries("plan"),
    _queries("inspections_of"),
    _queries("rectifications_of"),
    _queries("enterprise"),
    _queries("shared_records"),
    # issue 12: first-violation guidance, the inefficient-inspection watch, conflicting standards
    Rule("record_violation", (Grant(_K.INSPECTOR, CHECKED_IN),), "a listed first violation becomes guidance"),
    Rule("record_loop_step", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "penalty or assistance; no penalty after guidance"),
    _queries("enforcement_loop"),
    Rule("explain_watch", (Grant(_K.SUPERVISOR),), "unblocks an inspector after consecutive no-finding inspections"),
    Rule("inspector_watch", (Grant(_K.SUPERVISOR), _SYSTEM, Grant(_K.OFFICER, OWN_DEPARTMENT))),
    Rule("resolve_conflict", (Grant(_K.OFFICER, LEAD), Grant(_K.SUPERVISOR)), "records which standard prevailed"),
    _queries("conflicts_of"),
    Rule("draw_spot_check", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "双随机: the seed and draw are published"),
    Rule("refile_spot_check", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "each plan once, by its plan number"),
    Rule(
        "declare_conflict",
        (Grant(_K.INSPECTOR, THEMSELF), Grant(_K.OFFICER, OWN_DEPARTMENT)),
        "the inspector, or an officer of the inspector's department",
    ),
    Rule("declare_quiet_slot", (Grant(_K.ENTERPRISE, VISITED),), "within policy.quiet_slots"),
    Rule("withdraw_quiet_slot", (Grant(_K.ENTERPRISE, VISITED),)),
    Rule("register_device_key", (Grant(_K.OFFICER, OWN_DEPARTMENT), _SYSTEM), "of the inspector's department"),
    Rule("check_in_offline", (Grant(_K.INSPECTOR, THEMSELF),), "the record's own inspector, signed by their device"),
    Rule("list_enterprises", _STAFF, "enterprises do not list other enterprises"),
    Rule("list_plans", _DEPARTMENTS, "a department's principal reads its own by default; enterprises are not told"),
    Rule("pending_approvals", _DEPARTMENTS, "plans awaiting whitelist approval"),
    Rule("list_inspections", (*_DEPARTMENTS, Grant(_K.ENTERPRISE, VISITED)), "the filters are the facts bound"),
    Rule("results_of", _PARTICIPANTS, "the results of one inspection"),
    Rule("list_rectifications", (*_DEPARTMENTS[:4], Grant(_K.ENTERPRISE, VISITED)), "rectifications still open"),
    Rule("list_complaints", _OVERSIGHT, "complaints go to the supervising office"),
    Rule("list_evaluations", _OVERSIGHT, "a rating may be anonymous to the department"),
    Rule("pending_notifications", _OVERSIGHT[:2], "the outbox"),
    Rule("audit_entries", _OVERSIGHT[:2], "the audit trail"),
    Rule("file_plans", (Grant(_K.OFFICER),), "each request is then authorized as file_plan (own department)"),
    # Licence prewarning, credit repair and legal review (issue 12).
    _policy_row("add_licence", "reference", "a licence is reference data"),
    _policy_row("sweep_licences", "maintenance", "daily expiry prewarning"),
    Rule("issue_penalty", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "a major decision needs an approved legal review"),
    Rule("request_legal_review", (Grant(_K.OFFICER, OWN_DEPARTMENT),)),
    Rule("decide_legal_review", (Grant(_K.LEGAL_OFFICE, OWN_DEPARTMENT),), "the deciding department's legal office"),
    _policy_row("sweep_legal_reviews", "maintenance", "warns about overdue reviews"),
    Rule("apply_credit_repair", (Grant(_K.ENTERPRISE, VISITED),), "the penalised enterprise"),
    Rule("decide_credit_repair", (Grant(_K.OFFICER, OWN_DEPARTMENT),), "the deciding department"),
    _policy_row("sweep_credit_repair", "maintenance", "repairs admonitions automatically"),
    _queries("credit_view"),
)

RULES: dict[str, Rule] = {r.operation: r for r in MATRIX}


def authorize(
    operation: str,
    principal: Principal,
    context: AuthContext | None = None,
    *,
    policy: Policy | None = None,
) -> None:
    """Raise unless ``principal`` may perform ``operation`` on the record ``context`` describes.

    A rule allows when any of its grants does. The refusal names the principal and the
    operation; its code is the most specific reason among the grants whose kind matched
    (``auth.wrong_department``, ``auth.not_themself``, ``auth.own_plan``...), else
    ``auth.forbidden``.

    Raises:
        Forbidden: the principal may not; ``auth.unknown_operation`` for an operation
            without a row (deny by default).
    """
    rule = RULES.get(operation)
    if rule is None:
        raise Forbidden("auth.unknown_operation", operation=operation, principal=principal.actor)
    ctx = context if context is not None else AuthContext()
    pol = policy if policy is not None else Policy()
    reasons = [g.refusal(principal, ctx, pol) for g in rule.grants]
    if any(r is None for r in reasons):
        return
    specific = [r for r in reasons if r is not None and r != "auth.forbidden"]
    raise Forbidden(specific[0] if specific else "auth.forbidden", operation=operation, principal=principal.actor)


_log = logging.getLogger("jointinspect.auth")


class _Authorizer(Protocol):
    def authorize(self, operation: str, principal: Principal, context: AuthContext) -> None: ...


def check(
    operation: str,
    principal: Principal,
    context: AuthContext | None = None,
    *,
    policy: Policy | None = None,
    extra: Iterable[_Authorizer] = (),
) -> None:
    """What the engine calls: the matrix, then every extra authorizer (deny wins).

    A refusal is logged (logger ``jointinspect.auth``, level WARNING) with the principal,
    the operation and the code, then raised.

    Raises:
        Forbidden: from the matrix or from any authorizer.
    """
    ctx = context if context is not None else AuthContext()
    try:
        authorize(operation, principal, ctx, policy=policy)
        for authorizer in extra:
            authorizer.authorize(operation, principal, ctx)
    except Forbidden as exc:
        _log.warning("refused %s by %s: %s", operation, principal.actor, exc.code)
        raise


def _who(grant: Grant) -> str:
    kind = "any principal" if grant.kind is None else grant.kind.value
    return kind


def matrix_markdown(
    rules: Iterable[Rule] = MATRIX, defaults: AuthorizationPolicy | None = None, *, zh: bool = False
) -> str:
    """The matrix as the Markdown table docs/authorization.md embeds (a test compares them).

    With ``zh=True`` the headers and the policy phrase are Chinese, for the Chinese twin
    docs/authorization.zh.md; the cells (operations, kinds, bindings, notes) are data and stay
    as they are.
    """
    auth = defaults or AuthorizationPolicy()
    header = "| 操作 | 可执行者 | 约束条件 | 说明 |" if zh else "| Operation | Who may | What binds them | Note |"
    lines = [header, "|---|---|---|---|"]
    for rule in rules:
        who, binds = [], []
        for grant in rule.grants:
            if grant.binding.name.startswith("policy:"):
                field = grant.binding.name.split(":", 1)[1]
                kinds = ", ".join(sorted(getattr(auth, field)))
                if zh:
                    who.append(f"策略 `authorization.{field}`（默认：{kinds}）")
                else:
                    who.append(f"policy `authorization.{field}` (default: {kinds})")
            else:
                who.append(_who(grant))
            binds.append(grant.binding.text)
        lines.append(f"| `{rule.operation}` | {'; '.join(who)} | {'; '.join(binds)} | {rule.note or '-'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m jointinspect.auth [--zh]: the table for docs/authorization[.zh].md
    import sys

    print(matrix_markdown(zh="--zh" in sys.argv[1:]), end="")
