"""Read-only queries: each opens a unit of work, reads, and commits nothing.

Each is authorized by its own matrix row: enterprises see only their own records.
"""

from __future__ import annotations

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import Enterprise
from jointinspect.operations._unit import (
    Context,
    boundary,
    permit,
    require_enterprise,
    require_inspection,
    require_plan,
)


def inspection(context: Context, inspection_id: str, by: Principal) -> Inspection:
    """One inspection."""
    by = boundary("inspection", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    with context.store.unit_of_work() as uow:
        found = require_inspection(uow, inspection_id)
        facts = AuthContext(enterprise=found.enterprise, lead_department=found.lead_department)
        permit(context, "inspection", by, facts, inspection_id)
        return found


def plan(context: Context, plan_id: str, by: Principal) -> Plan:
    """One plan."""
    by = boundary("plan", by)
    plan_id = v.identifier(plan_id, "plan_id")
    with context.store.unit_of_work() as uow:
        found = require_plan(uow, plan_id)
        permit(context, "plan", by, AuthContext(department=found.department, enterprise=found.enterprise), plan_id)
        return found


def _page(limit: int | None, offset: int) -> tuple[int | None, int]:
    """A validated page: ``limit`` 1..10,000 or ``None`` (everything), ``offset`` >= 0."""
    if limit is not None:
        limit = v.integer(limit, "limit", minimum=1, maximum=10_000)
    return limit, v.integer(offset, "offset", minimum=0, maximum=2**31)


def inspections_of(
    context: Context, enterprise: str, by: Principal, limit: int | None = None, offset: int = 0
) -> list[Inspection]:
    """Every inspection of one enterprise, oldest first."""
    by = boundary("inspections_of", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    limit, offset = _page(limit, offset)
    permit(context, "inspections_of", by, AuthContext(enterprise=enterprise), enterprise)
    with context.store.unit_of_work() as uow:
        return uow.inspections.for_enterprise(enterprise, limit, offset)


def rectifications_of(
    context: Context, enterprise: str, by: Principal, limit: int | None = None, offset: int = 0
) -> list[Rectification]:
    """Every rectification of one enterprise, oldest first."""
    by = boundary("rectifications_of", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    limit, offset = _page(limit, offset)
    permit(context, "rectifications_of", by, AuthContext(enterprise=enterprise), enterprise)
    with context.store.unit_of_work() as uow:
        return uow.rectifications.for_enterprise(enterprise, limit, offset)


def enterprise(context: Context, credit_code: str, by: Principal) -> Enterprise:
    """One enterprise."""
    by = boundary("enterprise", by)
    credit_code = v.credit_code(credit_code, "credit_code")
    permit(context, "enterprise", by, AuthContext(enterprise=credit_code), credit_code)
    with context.store.unit_of_work() as uow:
        return require_enterprise(uow, credit_code)
