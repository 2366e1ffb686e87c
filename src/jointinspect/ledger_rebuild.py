"""Rebuild a separate frequency ledger from the store's committed inspections.

After a failover of a separate ledger (Redis), the promoted replica may lack reservations
the old primary had acknowledged without a replica's acknowledgement, or hold as
*pending* reservations whose confirmation it never received (they would expire). The
store's committed inspections are the record: every live one (not superseded) with a
reservation id must be counted. :func:`rebuild_reservations` puts back each missing one as
confirmed and confirms each pending one; it never removes anything (releasing what the
store does not know is `Engine.reconcile_reservations`' job) and is idempotent.

A missing reservation is put back with ``check_and_reserve`` and no checks: it records the
visit whatever the ledger holds (the visit was already allowed when it was filed), and a
reservation id already present is left as it is. The rebuilt reservation is the
inspection's: lead department, every department, inspectors, kind and window start (what
its filing or its last merge reserved).

Only ports are used: this module runs against any store and ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import pendulum

from jointinspect.errors import ValidationError
from jointinspect.model.plan import Inspection, InspectionStatus
from jointinspect.ports import FrequencyLedger, Store, UnitOfWork
from jointinspect.rules.frequency import Reservation, ReservationState


@runtime_checkable
class EnterpriseDirectory(Protocol):
    """Optional capability of a reference repository: list every registered enterprise
    (needed to rebuild the whole ledger rather than one enterprise's part)."""

    def enterprise_codes(self) -> list[str]:
        """Credit codes of every registered enterprise, sorted."""
        ...


def reservation_of(inspection: Inspection) -> Reservation:
    """The confirmed reservation that counts ``inspection`` (see the module)."""
    assert inspection.reservation_id is not None
    return Reservation(
        id=inspection.reservation_id,
        enterprise=inspection.enterprise,
        department=inspection.lead_department,
        inspectors=inspection.inspectors,
        kind=inspection.kind,
        at=inspection.window.start,
        state=ReservationState.CONFIRMED,
        departments=inspection.departments,
    )


def enterprises_of(store: Store) -> list[str]:
    """Every enterprise the store knows, when its reference repository can list them."""
    with store.unit_of_work() as uow:
        return listed_enterprises(uow)


def listed_enterprises(uow: UnitOfWork) -> list[str]:
    """Every enterprise ``uow``'s reference repository lists (`EnterpriseDirectory`).

    Raises:
        ValidationError: ``input.invalid`` when the repository cannot list them (then a
            city-wide job, a ledger rebuild or a report, is not possible on this store).
    """
    reference = uow.reference
    if not isinstance(reference, EnterpriseDirectory):
        raise ValidationError(
            "input.invalid",
            reason="this store cannot list its enterprises: city-wide jobs run one enterprise at a time",
            reason_zh="此存储无法列出企业,全市范围的作业只能逐个企业进行",
        )
    return reference.enterprise_codes()


def rebuild_enterprise(store: Store, ledger: FrequencyLedger, enterprise: str, now: pendulum.DateTime) -> int:
    """Put back one enterprise's missing reservations and confirm its pending ones;
    return how many were changed."""
    with store.unit_of_work() as uow:
        live = [
            i
            for i in uow.inspections.for_enterprise(enterprise)
            if i.status is not InspectionStatus.SUPERSEDED and i.reservation_id is not None
        ]
    if not live:
        return 0
    held = {r.id: r for r in ledger.reservations(enterprise)}
    changed = 0
    for inspection in live:
        present = held.get(inspection.reservation_id or "")
        if present is None:
            stored = ledger.check_and_reserve(reservation_of(inspection), (), now).reservation
            changed += 1
            if stored is not None and stored.state is ReservationState.PENDING:
                ledger.confirm(stored.id, enterprise)  # a pending copy appeared meanwhile
        elif present.state is ReservationState.PENDING:
            ledger.confirm(present.id, enterprise)
            changed += 1
    return changed


def rebuild_reservations(
    store: Store, ledger: FrequencyLedger, enterprises: Iterable[str], now: pendulum.DateTime
) -> int:
    """Rebuild the ledger's part of each of ``enterprises``; return the reservations changed."""
    return sum(rebuild_enterprise(store, ledger, enterprise, now) for enterprise in enterprises)
