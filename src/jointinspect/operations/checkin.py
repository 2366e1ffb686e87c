"""Check-in and check-out (扫码入企): verify the codes and the inspector's presence, record
the visit, and complete the inspection when everyone has left."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.codes.token import CodeKind, verify
from jointinspect.errors import CheckInRejected, IntegrityError, TokenError
from jointinspect.model.notification import Role
from jointinspect.model.plan import Inspection, InspectionStatus
from jointinspect.model.reference import GeoPoint, Inspector
from jointinspect.model.visit import Visit
from jointinspect.operations import watch
from jointinspect.operations._unit import (
    Context,
    boundary,
    operation,
    permit,
    require_enterprise,
    require_inspection,
    require_inspector,
    require_item,
    signing_keys,
)
from jointinspect.ports import UnitOfWork
from jointinspect.rules import checkin as checkin_rules


def check_in(
    context: Context,
    inspection_code: str,
    position: GeoPoint,
    enterprise_code: str | None,
    by: Principal,
) -> Visit:
    """Check the inspector ``by`` in and consume the one-time code."""
    by = boundary("check_in", by)
    inspection_code = v.text(inspection_code, "inspection_code", required=True)
    position = v.instance_of(position, "position", GeoPoint)
    if enterprise_code is not None:
        enterprise_code = v.text(enterprise_code, "enterprise_code", required=True)
    keys, tolerance = signing_keys(context), context.policy.checkin.tolerance
    now = context.clock.now()
    claims = verify(inspection_code, keys, now, tolerance, expected_kind=CodeKind.INSPECTION)
    enterprise_claims = None
    if enterprise_code is not None:
        enterprise_claims = verify(enterprise_code, keys, now, tolerance, expected_kind=CodeKind.ENTERPRISE)
    scanned = checkin_rules.check_codes_match(claims, enterprise_claims, context.policy.checkin.require_enterprise_scan)
    inspector_id = by.inspector_id or "-"
    with operation(context, by) as effects:
        uow = effects.uow
        inspection = uow.inspections.get(claims.subject)
        if inspection is None:
            raise CheckInRejected("checkin.inspection_unknown", inspection=claims.subject)
        uow.lock_enterprise(inspection.enterprise)
        inspection = require_inspection(uow, claims.subject)  # re-read under the lock
        facts = AuthContext(
            enterprise=inspection.enterprise,
            inspector=inspector_id,
            inspectors=inspection.inspectors,
            lead_department=inspection.lead_department,
        )
        permit(context, "check_in", by, facts, inspection.id)
        watch.check_watch(context, uow, inspector_id, inspection.enterprise, effects.now)
        if claims.enterprise != inspection.enterprise:
            raise TokenError("token.enterprise_mismatch", actual=claims.enterprise, expected=inspection.enterprise)
        if inspection.status is InspectionStatus.PLANNED:
            checkin_rules.check_code_current(claims, inspection)
        inspector, distance = check_presence(context, uow, inspection, inspector_id, position, effects.now)
        if any(
            v.inspector_id == inspector_id and v.checked_out_at is None
            for v in uow.visits.for_inspection(inspection.id)
        ):
            raise CheckInRejected("checkin.already_checked_in", inspector=inspector_id, inspection=inspection.id)
        elsewhere = uow.visits.open_for_inspector(inspector_id)
        if elsewhere:  # one open check-in at a time, across every inspection
            raise CheckInRejected(
                "checkin.already_elsewhere", inspector=inspector_id, inspection=elsewhere[0].inspection_id
            )
        if context.policy.checkin.one_time_codes:
            guard_key = f"{claims.token_id}:{inspector_id}"
            if not context.store.replay_guard().consume(guard_key, claims.expires_at.add(days=1), effects.now):
                raise CheckInRejected("checkin.replayed", inspector=inspector_id)
        visit = Visit(
            id=context.ids(),
            inspection_id=inspection.id,
            inspector_id=inspector_id,
            enterprise=inspection.enterprise,
            checked_in_at=effects.now,
            position=position,
            distance_m=round(distance, 1),
            token_id=claims.token_id,
            scanned=scanned,
        )
        try:
            uow.visits.add(visit)
        except IntegrityError:
            # Another check-in of this inspector won the race (the store's unique open slot).
            raise CheckInRejected("checkin.concurrent", inspector=inspector_id) from None
        if inspection.status is InspectionStatus.PLANNED:
            uow.inspections.update(attrs.evolve(inspection, status=InspectionStatus.IN_PROGRESS))
        effects.audit(
            "visit.checked_in",
            inspection.id,
            inspector=inspector_id,
            visit=visit.id,
            distance_m=visit.distance_m,
            scanned=scanned,
        )
        if not scanned:
            effects.notify(
                "checkin.no_scan",
                Role.SUPERVISOR,
                "judicial",
                visit.id,
                inspection=inspection.id,
                inspector=inspector_id,
                enterprise=inspection.enterprise,
            )
        effects.notify(
            "checkin.entered",
            Role.ENTERPRISE,
            inspection.enterprise,
            visit.id,
            inspector=inspector.name,
            certificate=inspector.certificate_no,
            department=inspector.department,
        )
    return visit


def check_out(context: Context, inspection_id: str, by: Principal) -> Visit:
    """Check the inspector ``by`` out; the inspection completes when everyone has left."""
    by = boundary("check_out", by)
    inspection_id = v.identifier(inspection_id, "inspection_id")
    inspector_id = by.inspector_id or "-"
    with operation(context, by) as effects:
        uow = effects.uow
        uow.lock_enterprise(require_inspection(uow, inspection_id).enterprise)
        inspection = require_inspection(uow, inspection_id)  # re-read under the lock
        facts = AuthContext(
            enterprise=inspection.enterprise,
            inspector=inspector_id,
            inspectors=inspection.inspectors,
            lead_department=inspection.lead_department,
        )
        permit(context, "check_out", by, facts, inspection_id)
        visits = uow.visits.for_inspection(inspection_id)
        open_visit = next((v for v in visits if v.inspector_id == inspector_id and v.checked_out_at is None), None)
        if open_visit is None:
            raise CheckInRejected("checkin.not_checked_in", inspector=inspector_id, inspection=inspection_id)
        visit = attrs.evolve(open_visit, checked_out_at=effects.now)
        uow.visits.update(visit)
        watch.count_check_out(context, effects, inspection, inspector_id)
        duration = visit.duration
        assert duration is not None
        effects.audit(
            "visit.checked_out",
            inspection_id,
            inspector=inspector_id,
            visit=visit.id,
            minutes=int(duration.total_minutes()),
        )
        if all(v.checked_out_at is not None or v.id == visit.id for v in visits):
            uow.inspections.update(
                attrs.evolve(inspection, status=InspectionStatus.COMPLETED, completed_at=effects.now)
            )
            effects.audit("inspection.completed", inspection_id)
            effects.notify(
                "evaluation.requested",
                Role.ENTERPRISE,
                inspection.enterprise,
                inspection_id,
                minutes=int(duration.total_minutes()),
            )
    return visit


def check_presence(
    context: Context,
    uow: UnitOfWork,
    inspection: Inspection,
    inspector_id: str,
    position: GeoPoint,
    at: pendulum.DateTime,
) -> tuple[Inspector, float]:
    """The inspector, and their distance from the site, when they may be present at
    ``inspection`` at ``at`` (assignment, certificate, window, geofence); shared by the live
    and the offline check-in.

    Raises:
        CheckInRejected: the `jointinspect.rules.checkin.check_presence` reason.
    """
    inspector = require_inspector(uow, inspector_id)
    enterprise = require_enterprise(uow, inspection.enterprise)
    item_fields = {
        code: item.field
        for code in inspection.items
        if (item := require_item(uow, code)).checked_by(inspector.department)
    }
    distance = checkin_rules.check_presence(
        inspection=inspection,
        inspector=inspector,
        enterprise=enterprise,
        item_fields=item_fields,
        position=position,
        at=at,
        policy=context.policy.checkin,
        zone=context.policy.zone,
    )
    return inspector, distance
