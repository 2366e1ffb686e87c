"""Reference data: enterprises, departments, inspectors, supervision items, scenarios."""

from __future__ import annotations

from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.operations._unit import Context, operation, require_department, require_item


def add_enterprise(context: Context, enterprise: Enterprise, actor: str) -> Enterprise:
    """Register or update an enterprise."""
    with operation(context, actor) as effects:
        effects.uow.reference.put_enterprise(enterprise)
        effects.audit(
            "enterprise.put",
            enterprise.credit_code,
            credit_class=enterprise.credit_class,
            whitelisted=enterprise.whitelisted,
        )
    return enterprise


def add_department(context: Context, department: Department, actor: str) -> Department:
    """Register or update a department."""
    with operation(context, actor) as effects:
        effects.uow.reference.put_department(department)
        effects.audit("department.put", department.code)
    return department


def add_inspector(context: Context, inspector: Inspector, actor: str) -> Inspector:
    """Register or update an inspector; the department must exist."""
    with operation(context, actor) as effects:
        require_department(effects.uow, inspector.department)
        effects.uow.reference.put_inspector(inspector)
        effects.audit("inspector.put", inspector.id, certificate=inspector.certificate_no)
    return inspector


def add_item(context: Context, item: SupervisionItem, actor: str) -> SupervisionItem:
    """Register or update a supervision item; its department must exist."""
    with operation(context, actor) as effects:
        require_department(effects.uow, item.department)
        effects.uow.reference.put_item(item)
        effects.audit("item.put", item.code, department=item.department)
    return item


def add_scenario(context: Context, scenario: Scenario, actor: str) -> Scenario:
    """Register or update a scenario; every item must exist."""
    with operation(context, actor) as effects:
        for code in scenario.items:
            require_item(effects.uow, code)
        effects.uow.reference.put_scenario(scenario)
        effects.audit("scenario.put", scenario.code, items=",".join(scenario.items))
    return scenario
