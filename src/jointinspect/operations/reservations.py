"""Frequency-ledger reservations: which ledger an operation uses, releasing a merged
visit's reservation, and repairing a separate ledger after a crash."""

from __future__ import annotations

from jointinspect import ledger_rebuild
from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.model.plan import InspectionStatus
from jointinspect.operations._unit import Context, Effects, boundary, permit
from jointinspect.ports import FrequencyLedger, UnitOfWork
from jointinspect.rules.frequency import ReservationState


def ledger_for(context: Context, uow: UnitOfWork) -> FrequencyLedger:
    """The separate ledger when there is one, else the store's transactional one."""
    return context.ledger if context.ledger is not None else uow.ledger


def release_later(context: Context, effects: Effects, reservation_id: str, enterprise: str) -> None:
    """Release a merged visit's reservation: in the transaction, or after commit."""
    if context.ledger is None:
        effects.uow.ledger.release(reservation_id, enterprise)
    else:
        ledger = context.ledger
        effects.after_commit.append(lambda: ledger.release(reservation_id, enterprise))


def reconcile_reservations(context: Context, enterprise: str, by: Principal) -> int:
    """Confirm pending reservations whose inspection exists, release the others."""
    by = boundary("reconcile_reservations", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    permit(context, "reconcile_reservations", by, AuthContext(enterprise=enterprise), enterprise)
    if context.ledger is None:
        return 0
    changed = 0
    now = context.clock.now()
    with context.store.unit_of_work() as uow:
        known = {inspection.id: inspection for inspection in uow.inspections.for_enterprise(enterprise)}
    for reservation in context.ledger.reservations(enterprise):
        inspection = known.get(reservation.id)
        alive = inspection is not None and inspection.status is not InspectionStatus.SUPERSEDED
        in_flight = (
            reservation.state is ReservationState.PENDING
            and reservation.expires_at is not None
            and reservation.expires_at > now
        )
        if not alive and in_flight:
            continue  # its filing may still be committing; it expires by itself otherwise
        if reservation.state is ReservationState.PENDING and alive:
            context.ledger.confirm(reservation.id, enterprise)
            changed += 1
        elif not alive:
            context.ledger.release(reservation.id, enterprise)
            changed += 1
    return changed


def rebuild_reservations(context: Context, enterprise: str | None, by: Principal) -> int:
    """Rebuild a separate ledger from the store's live inspections (one enterprise or all)."""
    by = boundary("rebuild_reservations", by)
    if enterprise is not None:
        enterprise = v.credit_code(enterprise, "enterprise")
    permit(context, "rebuild_reservations", by, AuthContext(enterprise=enterprise), enterprise or "*")
    if context.ledger is None:
        return 0
    names = [enterprise] if enterprise is not None else ledger_rebuild.enterprises_of(context.store)
    return ledger_rebuild.rebuild_reservations(context.store, context.ledger, names, context.clock.now())
