"""Reference data: enterprises, departments, inspectors, supervision items, scenarios.

Registering is the ``add_*`` rows of the authorization matrix; a change of a field that
other rules rely on (an enterprise's whitelist status, site or key supervision, an
inspector's department) is also authorized by that field's own row.
"""

from __future__ import annotations

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.operations._unit import Context, boundary, operation, permit, require_department, require_item
from jointinspect.operations.conflicts import flag_scenario


def add_enterprise(context: Context, enterprise: Enterprise, by: Principal) -> Enterprise:
    """Register or update an enterprise."""
    by = boundary("add_enterprise", by)
    enterprise = v.instance_of(enterprise, "enterprise", Enterprise)
    with operation(context, by) as effects:
        facts = AuthContext(enterprise=enterprise.credit_code)
        permit(context, "add_enterprise", by, facts, enterprise.credit_code)
        stored = effects.uow.reference.get_enterprise(enterprise.credit_code)
        # A new enterprise starts off the whitelist and out of key supervision.
        whitelisted = stored.whitelisted if stored is not None else False
        key_supervision = stored.key_supervision if stored is not None else False
        if enterprise.whitelisted != whitelisted:
            permit(context, "set_whitelist", by, facts, enterprise.credit_code)
        if stored is not None and enterprise.site != stored.site:
            permit(context, "move_site", by, facts, enterprise.credit_code)
        if enterprise.key_supervision != key_supervision:
            permit(context, "mark_key_supervision", by, facts, enterprise.credit_code)
        effects.uow.reference.put_enterprise(enterprise)
        effects.audit(
            "enterprise.put",
            enterprise.credit_code,
            credit_class=enterprise.credit_class,
            whitelisted=enterprise.whitelisted,
        )
    return enterprise


def add_department(context: Context, department: Department, by: Principal) -> Department:
    """Register or update a department."""
    by = boundary("add_department", by)
    department = v.instance_of(department, "department", Department)
    with operation(context, by) as effects:
        permit(context, "add_department", by, AuthContext(department=department.code), department.code)
        effects.uow.reference.put_department(department)
        effects.audit("department.put", department.code)
    return department


def add_inspector(context: Context, inspector: Inspector, by: Principal) -> Inspector:
    """Register or update an inspector; the department must exist."""
    by = boundary("add_inspector", by)
    inspector = v.instance_of(inspector, "inspector", Inspector)
    with operation(context, by) as effects:
        facts = AuthContext(department=inspector.department, inspector=inspector.id)
        permit(context, "add_inspector", by, facts, inspector.id)
        require_department(effects.uow, inspector.department)
        stored = effects.uow.reference.get_inspector(inspector.id)
        if stored is not None and stored.department != inspector.department:
            permit(context, "move_inspector_department", by, facts, inspector.id)
        effects.uow.reference.put_inspector(inspector)
        effects.audit("inspector.put", inspector.id, certificate=inspector.certificate_no)
    return inspector


def add_item(context: Context, item: SupervisionItem, by: Principal) -> SupervisionItem:
    """Register or update a supervision item; its department must exist."""
    by = boundary("add_item", by)
    item = v.instance_of(item, "item", SupervisionItem)
    with operation(context, by) as effects:
        permit(context, "add_item", by, AuthContext(department=item.department), item.code)
        require_department(effects.uow, item.department)
        effects.uow.reference.put_item(item)
        effects.audit("item.put", item.code, department=item.department)
    return item


def add_scenario(context: Context, scenario: Scenario, by: Principal) -> Scenario:
    """Register or update a scenario; every item must exist."""
    by = boundary("add_scenario", by)
    scenario = v.instance_of(scenario, "scenario", Scenario)
    with operation(context, by) as effects:
        permit(context, "add_scenario", by, AuthContext(), scenario.code)
        for code in scenario.items:
            require_item(effects.uow, code)
        effects.uow.reference.put_scenario(scenario)
        effects.audit("scenario.put", scenario.code, items=",".join(scenario.items))
        flag_scenario(context, effects, scenario)
    return scenario
