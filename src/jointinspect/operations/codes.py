"""Codes: sign inspection codes (检查码) and enterprise codes (企业码), and show what a
scanned inspection code stands for."""

from __future__ import annotations

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.codes.token import CodeKind, encode, enterprise_claims, inspection_claims, new_token_id, verify
from jointinspect.errors import CheckInRejected
from jointinspect.model.plan import InspectionStatus
from jointinspect.operations._unit import (
    Context,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
    require_inspection,
    require_inspector,
    require_item,
    signing_keys,
)
from jointinspect.requests import CodeView, InspectorView, IssuedCode


def issue_inspection_code(context: Context, inspection_id: str, by: Principal) -> IssuedCode:
    """Sign the inspection code of an open inspection, valid until its window ends."""
    by = boundary("issue_inspection_code", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    key_id, private = signing_keys(context).signing_key()
    with operation(context, by) as effects:
        inspection = require_inspection(effects.uow, inspection_id)
        facts = AuthContext(
            enterprise=inspection.enterprise,
            lead_department=inspection.lead_department,
            inspectors=inspection.inspectors,
        )
        permit(context, "issue_inspection_code", by, facts, inspection_id)
        if inspection.status is InspectionStatus.SUPERSEDED:
            raise CheckInRejected(
                "checkin.inspection_superseded", inspection=inspection.id, successor=inspection.successor
            )
        if inspection.status in (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED):
            raise CheckInRejected("checkin.inspection_closed", inspection=inspection.id, status=inspection.status.value)
        if inspection.window.end.replace(microsecond=0) <= effects.now.replace(microsecond=0):
            raise CheckInRejected("code.window_over", inspection=inspection.id, end=inspection.window.end.isoformat())
        claims = inspection_claims(
            key_id=key_id,
            token_id=new_token_id(),
            issued_at=effects.now,
            expires_at=inspection.window.end,
            inspection_id=inspection.id,
            enterprise=inspection.enterprise,
            window=inspection.window,
        )
        token = encode(claims, private)
        effects.audit("code.issued", inspection.id, token_id=claims.token_id, key_id=key_id)
    return IssuedCode(token, claims.token_id, inspection.id, claims.expires_at)


def issue_enterprise_code(context: Context, credit_code: str, by: Principal) -> IssuedCode:
    """Sign the standing enterprise code posted at the gate."""
    by = boundary("issue_enterprise_code", by)
    credit_code = v.credit_code(credit_code, "credit_code")
    key_id, private = signing_keys(context).signing_key()
    with operation(context, by) as effects:
        enterprise = require_enterprise(effects.uow, credit_code)
        permit(context, "issue_enterprise_code", by, AuthContext(enterprise=credit_code), credit_code)
        claims = enterprise_claims(
            key_id=key_id,
            token_id=new_token_id(),
            issued_at=effects.now,
            expires_at=effects.now.add(days=context.policy.checkin.enterprise_code_days),
            enterprise=enterprise.credit_code,
        )
        token = encode(claims, private)
        effects.audit("code.issued", enterprise.credit_code, token_id=claims.token_id, key_id=key_id)
    return IssuedCode(token, claims.token_id, enterprise.credit_code, claims.expires_at)


def describe_code(context: Context, token: str, by: Principal) -> CodeView:
    """Verify an inspection code and describe its inspection, in a read-only unit."""
    by = boundary("describe_code", by)
    token = v.text(token, "token", required=True)
    permit(context, "describe_code", by, AuthContext(), "-")
    claims = verify(
        token,
        signing_keys(context),
        context.clock.now(),
        context.policy.checkin.tolerance,
        expected_kind=CodeKind.INSPECTION,
    )
    with context.store.unit_of_work() as uow:
        inspection = require_inspection(uow, claims.subject)
        departments = tuple((code, require_department(uow, code).name) for code in inspection.departments)
        items = tuple((code, require_item(uow, code).name) for code in inspection.items)
        people = []
        for inspector_id in inspection.inspectors:
            person = require_inspector(uow, inspector_id)
            people.append(
                InspectorView(person.id, person.name, person.department, person.certificate_no, person.valid_until)
            )
        conflicts = tuple(uow.conflicts.for_inspection(inspection.id))
    return CodeView(
        inspection_id=inspection.id,
        enterprise=inspection.enterprise,
        status=inspection.status.value,
        lead_department=inspection.lead_department,
        departments=departments,
        items=items,
        inspectors=tuple(people),
        window=inspection.window,
        joint=inspection.joint,
        conflicts=conflicts,
    )
