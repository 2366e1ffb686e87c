"""Read-only queries: each opens a unit of work, reads, and commits nothing."""

from __future__ import annotations

from jointinspect import audit as audit_chain
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import Enterprise
from jointinspect.operations._unit import Context, require_enterprise, require_inspection, require_plan


def inspection(context: Context, inspection_id: str) -> Inspection:
    """One inspection."""
    with context.store.unit_of_work() as uow:
        return require_inspection(uow, inspection_id)


def plan(context: Context, plan_id: str) -> Plan:
    """One plan."""
    with context.store.unit_of_work() as uow:
        return require_plan(uow, plan_id)


def inspections_of(context: Context, enterprise: str) -> list[Inspection]:
    """Every inspection of one enterprise, oldest first."""
    with context.store.unit_of_work() as uow:
        return uow.inspections.for_enterprise(enterprise)


def rectifications_of(context: Context, enterprise: str) -> list[Rectification]:
    """Every rectification of one enterprise, oldest first."""
    with context.store.unit_of_work() as uow:
        return uow.rectifications.for_enterprise(enterprise)


def enterprise(context: Context, credit_code: str) -> Enterprise:
    """One enterprise."""
    with context.store.unit_of_work() as uow:
        return require_enterprise(uow, credit_code)


def verify_audit(context: Context) -> int:
    """Verify the whole audit chain; return its length."""
    with context.store.unit_of_work() as uow:
        return audit_chain.verify(uow.audit.entries())
