"""Offline check-ins (Shenzhen): register an inspector's device key; fill in a check-in the
device recorded and signed during an emergency or outage.

A record is accepted within ``policy.offline_checkin.fill_in_days`` natural days of its
local date, with its original time and position, and flagged late: the visit keeps the
time the device recorded, every presence check (assignment, certificate, window, geofence)
is made at that time, and the supervising office is told it was filled in late. After the
limit it is refused with ``checkin.offline_expired``. The record is tamper-evident: it must
verify with the inspector's registered device key (`jointinspect.codes.offline`), and the
enterprise code scanned at the gate, if any, must verify as valid at the recorded time.
A record is filled in once (its digest is its id).
"""

from __future__ import annotations

import attrs

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.codes.offline import SignedOfflineRecord, load_public_key, verify_offline
from jointinspect.codes.token import CodeKind, verify
from jointinspect.errors import CheckInRejected, TokenError
from jointinspect.model.notification import Role
from jointinspect.model.offline import DeviceKey, OfflineCheckIn
from jointinspect.model.plan import Inspection, InspectionStatus
from jointinspect.model.visit import Visit
from jointinspect.operations._unit import (
    Context,
    Effects,
    boundary,
    operation,
    permit,
    require_inspection,
    require_inspector,
    signing_keys,
)
from jointinspect.operations.checkin import check_presence
from jointinspect.timeutil import local_date

__all__ = ["check_in_offline", "register_device_key"]


def register_device_key(context: Context, inspector_id: str, public_key: str, by: Principal) -> DeviceKey:
    """Register (or replace) the Ed25519 public key of an inspector's device (64 hex digits)."""
    by = boundary("register_device_key", by)
    inspector_id = v.identifier(inspector_id, "inspector_id")
    public_key = v.text(public_key, "public_key", required=True).lower()
    load_public_key(public_key)
    with operation(context, by) as effects:
        uow = effects.uow
        inspector = require_inspector(uow, inspector_id)
        permit(context, "register_device_key", by, AuthContext(department=inspector.department), inspector_id)
        key = DeviceKey(inspector_id, public_key, effects.now)
        uow.offline.put_device_key(key)
        effects.audit("device_key.registered", inspector_id, public_key=public_key)
    return key


def check_in_offline(context: Context, signed: SignedOfflineRecord, by: Principal) -> Visit:
    """Fill in an offline check-in: verify, check the limit and presence at the original time."""
    by = boundary("check_in_offline", by)
    signed = v.instance_of(signed, "record", SignedOfflineRecord)
    record, policy = signed.record, context.policy
    with operation(context, by) as effects:
        uow, now = effects.uow, effects.now
        uow.lock_enterprise(require_inspection(uow, record.inspection_id).enterprise)
        inspection = require_inspection(uow, record.inspection_id)  # re-read under the lock
        facts = AuthContext(
            enterprise=inspection.enterprise,
            inspector=record.inspector,
            inspectors=inspection.inspectors,
            lead_department=inspection.lead_department,
        )
        permit(context, "check_in_offline", by, facts, inspection.id)
        seen = uow.offline.get(signed.digest)
        if seen is not None:
            raise CheckInRejected("checkin.offline_duplicate", visit=seen.visit_id)
        device = uow.offline.get_device_key(record.inspector)
        if device is None:
            raise CheckInRejected("checkin.offline_no_key", inspector=record.inspector)
        if not verify_offline(signed, load_public_key(device.public_key)):
            raise CheckInRejected("checkin.offline_signature", inspector=record.inspector)
        limit = policy.offline_checkin.fill_in_days
        if limit == 0:
            raise CheckInRejected("checkin.offline_not_allowed")
        if record.at > now + policy.checkin.tolerance:
            raise CheckInRejected("checkin.offline_future", at=record.at.isoformat())
        filled, day = local_date(now, policy.zone), local_date(record.at, policy.zone)
        if (filled - day).days > limit:
            raise CheckInRejected(
                "checkin.offline_expired", at=record.at.isoformat(), filled=filled.isoformat(), days=limit
            )
        scanned = _scanned(context, signed, inspection.enterprise)
        inspector, distance = check_presence(context, uow, inspection, record.inspector, record.position, record.at)
        visits = uow.visits.for_inspection(inspection.id)
        if any(v.inspector_id == inspector.id and v.checked_out_at is None for v in visits):
            raise CheckInRejected("checkin.already_checked_in", inspector=inspector.id, inspection=inspection.id)
        visit = Visit(
            id=context.ids(),
            inspection_id=inspection.id,
            inspector_id=inspector.id,
            enterprise=inspection.enterprise,
            checked_in_at=record.at,
            position=record.position,
            distance_m=round(distance, 1),
            token_id=f"offline-{signed.digest[:32]}",
            scanned=scanned,
            checked_out_at=record.left_at,
        )
        uow.visits.add(visit)
        late = now - record.at > policy.checkin.tolerance
        uow.offline.add(
            OfflineCheckIn(
                id=signed.digest,
                visit_id=visit.id,
                inspection_id=inspection.id,
                inspector=inspector.id,
                at=record.at,
                position=record.position,
                filled_at=now,
                late=late,
                signature=signed.signature,
            )
        )
        effects.audit(
            "visit.checked_in_offline",
            inspection.id,
            inspector=inspector.id,
            visit=visit.id,
            at=record.at.isoformat(),
            distance_m=visit.distance_m,
            scanned=scanned,
            late=late,
            record=signed.digest,
        )
        effects.notify(
            "checkin.offline_late",
            Role.SUPERVISOR,
            "judicial",
            visit.id,
            inspection=inspection.id,
            inspector=inspector.id,
            enterprise=inspection.enterprise,
            at=record.at.isoformat(),
            late=late,
        )
        _advance(effects, inspection, visits, visit)
    return visit


def _scanned(context: Context, signed: SignedOfflineRecord, enterprise: str) -> bool:
    """Whether a valid enterprise code of ``enterprise`` was scanned at the recorded time."""
    record = signed.record
    if record.enterprise_code is None:
        if context.policy.checkin.require_enterprise_scan:
            raise CheckInRejected("checkin.scan_required")
        return False
    keys, tolerance = signing_keys(context), context.policy.checkin.tolerance
    claims = verify(record.enterprise_code, keys, record.at, tolerance, expected_kind=CodeKind.ENTERPRISE)
    if claims.enterprise != enterprise:
        raise TokenError("token.enterprise_mismatch", actual=claims.enterprise, expected=enterprise)
    return True


def _advance(effects: Effects, inspection: Inspection, visits: list[Visit], visit: Visit) -> None:
    """Move the inspection on: in progress, or completed when everyone has left."""
    uow = effects.uow
    if visit.checked_out_at is not None and all(v.checked_out_at is not None for v in visits):
        uow.inspections.update(
            attrs.evolve(inspection, status=InspectionStatus.COMPLETED, completed_at=visit.checked_out_at)
        )
        effects.audit("inspection.completed", inspection.id)
        minutes = int((visit.checked_out_at - visit.checked_in_at).total_minutes())
        effects.notify("evaluation.requested", Role.ENTERPRISE, inspection.enterprise, inspection.id, minutes=minutes)
    elif inspection.status is InspectionStatus.PLANNED:
        uow.inspections.update(attrs.evolve(inspection, status=InspectionStatus.IN_PROGRESS))
