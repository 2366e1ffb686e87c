"""The operator's listings (issue 11): paginated, ordered, authorized reads.

Every listing validates its page (``limit`` 1..`MAX_LIMIT`, ``offset`` >= 0), its filters
(identifiers, credit codes, enum members) and its instant range (``since`` before
``until``) before any store, then authorizes the principal against the filters it reads
by (the facts of `jointinspect.auth.AuthContext`). A principal bound to a department or
an enterprise is scoped to it by default: an officer who names no department reads their
own department's records, an enterprise its own; naming another is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import pendulum

from jointinspect import validation as v
from jointinspect.audit import AuditEntry
from jointinspect.auth import AuthContext, Principal, PrincipalKind
from jointinspect.errors import ValidationError
from jointinspect.model._enums import member
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import ResultRecord
from jointinspect.operations._unit import Context, boundary, permit, require_inspection
from jointinspect.policy.schema import Policy, WhitelistMode

#: The default and the largest page.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_MAX_OFFSET = 2**31

Span = tuple[pendulum.DateTime | None, pendulum.DateTime | None]


def page(limit: object, offset: object) -> tuple[int, int]:
    """A validated page: ``limit`` 1..`MAX_LIMIT`, ``offset`` 0..2**31.

    Raises:
        ValidationError: ``input.not_integer`` or ``input.out_of_range``.
    """
    return (
        v.integer(limit, "limit", minimum=1, maximum=MAX_LIMIT),
        v.integer(offset, "offset", minimum=0, maximum=_MAX_OFFSET),
    )


def span(since: object, until: object) -> Span:
    """A validated half-open range ``[since, until)``; either side may be ``None``.

    Raises:
        ValidationError: ``input.not_instant``, or ``query.range_reversed`` when ``since``
            is not before ``until``.
    """
    low, high = v.optional_instant(since, "since"), v.optional_instant(until, "until")
    if low is not None and high is not None and not low < high:
        raise ValidationError("query.range_reversed", since=low.isoformat(), until=high.isoformat())
    return low, high


def _department(value: object) -> str | None:
    return None if value is None else v.identifier(value, "department")


def _enterprise(value: object) -> str | None:
    return None if value is None else v.credit_code(value, "enterprise")


def scope(by: Principal, department: str | None, enterprise: str | None) -> tuple[str | None, str | None]:
    """The filters a principal reads by: a department-bound principal (officer, legal
    office, inspector) defaults to its department, an enterprise to itself."""
    if department is None and by.kind in (PrincipalKind.OFFICER, PrincipalKind.LEGAL_OFFICE, PrincipalKind.INSPECTOR):
        department = by.department
    if enterprise is None and by.kind is PrincipalKind.ENTERPRISE:
        enterprise = by.credit_code
    return department, enterprise


def whitelist_mode(policy: Policy, credit_class: CreditClass, whitelisted: bool) -> WhitelistMode:
    """How ``policy`` treats an enterprise of this class and flag (as filing decides it)."""
    modes = [policy.whitelist.classes.get(credit_class, WhitelistMode.NORMAL)]
    if whitelisted:
        modes.append(policy.whitelist.explicit)
    for mode in (WhitelistMode.EXEMPT, WhitelistMode.LIMITED):
        if mode in modes:
            return mode
    return WhitelistMode.NORMAL


def list_enterprises(
    context: Context,
    by: Principal,
    credit_class: CreditClass | str | None,
    whitelisted: bool | None,
    whitelist: WhitelistMode | str | None,
    limit: int,
    offset: int,
) -> list[Enterprise]:
    """Enterprises by credit code, filtered by class, explicit flag and whitelist mode."""
    by = boundary("list_enterprises", by)
    cls = None if credit_class is None else member(CreditClass, "credit_class")(credit_class)
    flag = None if whitelisted is None else v.boolean(whitelisted, "whitelisted")
    mode = None if whitelist is None else member(WhitelistMode, "whitelist")(whitelist)
    limit, offset = page(limit, offset)
    permit(context, "list_enterprises", by, AuthContext())
    groups: Sequence[tuple[CreditClass, bool]] | None = None
    if (cls, flag, mode) != (None, None, None):
        groups = [
            (c, w)
            for c in CreditClass
            for w in (False, True)
            if (cls is None or c is cls)
            and (flag is None or w is flag)
            and (mode is None or whitelist_mode(context.policy, c, w) is mode)
        ]
    with context.store.unit_of_work() as uow:
        return uow.listing.enterprises(groups, limit, offset)


def list_plans(
    context: Context,
    by: Principal,
    department: str | None,
    status: PlanStatus | str | None,
    since: object,
    until: object,
    limit: int,
    offset: int,
    operation: str = "list_plans",
) -> list[Plan]:
    """Plans by ``(window.start, id)``, filtered by department, status and window start."""
    by = boundary(operation, by)
    department = _department(department)
    state = None if status is None else member(PlanStatus, "status")(status)
    low, high = span(since, until)
    limit, offset = page(limit, offset)
    department, _ = scope(by, department, None)
    permit(context, operation, by, AuthContext(department=department), department or "-")
    with context.store.unit_of_work() as uow:
        return uow.listing.plans(department, state, low, high, limit, offset)


def list_inspections(
    context: Context,
    by: Principal,
    department: str | None,
    enterprise: str | None,
    status: InspectionStatus | str | None,
    since: object,
    until: object,
    limit: int,
    offset: int,
) -> list[Inspection]:
    """Inspections (visits) by ``(window.start, id)``, filtered by department taking part,
    enterprise, status and window start."""
    by = boundary("list_inspections", by)
    department, enterprise = _department(department), _enterprise(enterprise)
    state = None if status is None else member(InspectionStatus, "status")(status)
    low, high = span(since, until)
    limit, offset = page(limit, offset)
    department, enterprise = scope(by, department, enterprise)
    facts = AuthContext(department=department, enterprise=enterprise)
    permit(context, "list_inspections", by, facts, enterprise or department or "-")
    with context.store.unit_of_work() as uow:
        return uow.listing.inspections(department, enterprise, state, low, high, limit, offset)


def results_of(context: Context, by: Principal, inspection_id: str, limit: int, offset: int) -> list[ResultRecord]:
    """The results of one inspection by ``(recorded_at, id)``."""
    by = boundary("results_of", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    limit, offset = page(limit, offset)
    with context.store.unit_of_work() as uow:
        found = require_inspection(uow, inspection_id)
        facts = AuthContext(
            enterprise=found.enterprise, lead_department=found.lead_department, departments=found.departments
        )
        permit(context, "results_of", by, facts, inspection_id)
        return uow.listing.results(inspection_id, limit, offset)


def list_rectifications(
    context: Context,
    by: Principal,
    department: str | None,
    enterprise: str | None,
    overdue: bool,
    limit: int,
    offset: int,
) -> list[Rectification]:
    """Rectifications still open, by ``(deadline, id)``; with ``overdue`` only those whose
    deadline has passed (swept or not)."""
    by = boundary("list_rectifications", by)
    department, enterprise = _department(department), _enterprise(enterprise)
    late = v.boolean(overdue, "overdue")
    limit, offset = page(limit, offset)
    department, enterprise = scope(by, department, enterprise)
    facts = AuthContext(department=department, enterprise=enterprise)
    permit(context, "list_rectifications", by, facts, enterprise or department or "-")
    due_before = context.clock.now() if late else None
    with context.store.unit_of_work() as uow:
        return uow.listing.unclosed_rectifications(department, enterprise, due_before, limit, offset)


def list_complaints(
    context: Context, by: Principal, enterprise: str | None, since: object, until: object, limit: int, offset: int
) -> list[Complaint]:
    """Complaints by ``(at, id)``, filtered by enterprise and period."""
    by = boundary("list_complaints", by)
    enterprise = _enterprise(enterprise)
    low, high = span(since, until)
    limit, offset = page(limit, offset)
    _, enterprise = scope(by, None, enterprise)
    permit(context, "list_complaints", by, AuthContext(enterprise=enterprise), enterprise or "-")
    with context.store.unit_of_work() as uow:
        return uow.listing.complaints(enterprise, low, high, limit, offset)


def list_evaluations(
    context: Context, by: Principal, enterprise: str | None, since: object, until: object, limit: int, offset: int
) -> list[Evaluation]:
    """Ratings by ``(at, inspection_id)``, filtered by enterprise and period."""
    by = boundary("list_evaluations", by)
    enterprise = _enterprise(enterprise)
    low, high = span(since, until)
    limit, offset = page(limit, offset)
    _, enterprise = scope(by, None, enterprise)
    permit(context, "list_evaluations", by, AuthContext(enterprise=enterprise), enterprise or "-")
    with context.store.unit_of_work() as uow:
        return uow.listing.evaluations(enterprise, low, high, limit, offset)


def pending_notifications(context: Context, by: Principal, limit: int, offset: int) -> list[Notification]:
    """Undelivered notifications in queue order."""
    by = boundary("pending_notifications", by)
    limit, offset = page(limit, offset)
    permit(context, "pending_notifications", by, AuthContext())
    with context.store.unit_of_work() as uow:
        return uow.listing.pending_notifications(limit, offset)


def audit_entries(
    context: Context, by: Principal, after_seq: int, through_seq: int | None, limit: int
) -> list[AuditEntry]:
    """Audit entries after ``after_seq`` (through ``through_seq``), in ``seq`` order."""
    by = boundary("audit_entries", by)
    low = v.integer(after_seq, "after_seq", minimum=0, maximum=2**62)
    high = None if through_seq is None else v.integer(through_seq, "through_seq", minimum=0, maximum=2**62)
    limit, _ = page(limit, 0)
    if high is not None and high <= low:
        raise ValidationError("query.range_reversed", since=str(low), until=str(high))
    permit(context, "audit_entries", by, AuthContext())
    with context.store.unit_of_work() as uow:
        return uow.listing.audit_entries(low, high, limit)
