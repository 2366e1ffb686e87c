"""Contract cases for writes after `jointinspect.ports.DeferrableChecks.defer_checks`
(issue 11): a store may then hold the writes of bulk filing (plans, inspections and
their departments, reservations) and send them together, but every read of the unit of
work, and every unit of work after its commit, sees exactly what writing them one by one
leaves; a refused write raises its `IntegrityError` at the latest by the commit, and
nothing of the unit of work is kept.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them; on a store without the capability they check the writes one
by one, which must read back the same.
"""

from __future__ import annotations

import attrs
import pytest

from jointinspect.errors import IntegrityError
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus
from jointinspect.ports import DeferrableChecks, PreloadingLedger, Store, UnitOfWork
from jointinspect.rules.frequency import Reservation
from jointinspect.sample import City
from jointinspect.testing.bounded import T0, _inspection, _plan


def _deferring(uow: UnitOfWork) -> UnitOfWork:
    """``uow``, asked to defer its checks when it can."""
    if isinstance(uow, DeferrableChecks):
        uow.defer_checks()
    return uow


def _reads(uow: UnitOfWork, ent: str, plans: list[Plan], visit: Inspection) -> tuple[object, ...]:
    """What filing reads of what the case wrote."""
    return (
        [uow.plans.get(p.id) for p in plans],
        uow.plans.for_inspections([visit.id]),
        uow.plans.by_idempotency_key("SCJG", "dw-key"),
        uow.inspections.get(visit.id),
        uow.inspections.open_for_enterprise(ent, T0),
        uow.listing.inspections("YJGL", ent, None, None, None, 10, 0),
        uow.listing.inspections("STHJ", ent, None, None, None, 10, 0),
        uow.ledger.reservations(ent),
    )


class DeferredWritesContract:
    """Cases for a unit of work that defers its checks (and perhaps holds its writes)."""

    def test_deferred_writes_read_back_as_written_one_by_one(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        old = _plan("dw-old", ent, 1, 2, None)
        stored = _inspection("dw-stored", ent, [attrs.evolve(old, inspection_id="dw-stored")], InspectionStatus.PLANNED)
        with store.unit_of_work() as uow:
            uow.plans.add(old)
            uow.inspections.add(stored)
            uow.ledger.check_and_reserve(_reservation("dw-stored", ent, 1), (), T0)
            uow.commit()
        with store.unit_of_work() as uow:
            _deferring(uow)
            if isinstance(uow.ledger, PreloadingLedger):
                uow.ledger.preload([ent])  # its checks then read nothing: no write is sent early
            # a plan added, then placed in a new visit, which is widened (its departments
            # rewritten) and its reservation moved: nothing read in between
            plan = attrs.evolve(_plan("dw-p1", ent, 3, 4, None), idempotency_key="dw-key")
            uow.plans.add(plan)
            visit = attrs.evolve(
                _inspection("dw-i1", ent, [plan], InspectionStatus.PLANNED), departments=["SCJG", "STHJ"]
            )
            uow.inspections.add(visit)
            uow.ledger.check_and_reserve(_reservation("dw-i1", ent, 3), (), T0)
            plan = attrs.evolve(plan, inspection_id=visit.id, status=PlanStatus.ACTIVE)
            uow.plans.update(plan)
            visit = attrs.evolve(visit, departments=["SCJG", "YJGL"])
            uow.inspections.update(visit)
            uow.ledger.amend(_reservation("dw-i1", ent, 4), (), T0)
            # a stored visit and plan updated, its reservation moved
            moved = attrs.evolve(stored, status=InspectionStatus.CANCELLED, departments=["SCJG", "STHJ"])
            uow.inspections.update(moved)
            uow.plans.update(attrs.evolve(old, inspection_id=moved.id, status=PlanStatus.WITHDRAWN))
            uow.ledger.amend(_reservation("dw-stored", ent, 2), (), T0)
            inside = _reads(uow, ent, [plan, old], visit)
            uow.commit()
        with store.unit_of_work() as uow:
            after = _reads(uow, ent, [plan, old], visit)
        expected = (
            [plan, attrs.evolve(old, inspection_id=moved.id, status=PlanStatus.WITHDRAWN)],
            [plan],
            plan,
            visit,
            [visit],
            [visit],
            [moved],
            [_reservation("dw-stored", ent, 2), _reservation("dw-i1", ent, 4)],
        )
        for got, want in zip(inside, expected, strict=True):
            assert got == want, (got, want)
        assert after == expected

    def test_deferred_refusals_raise_by_the_commit_and_keep_nothing(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        with store.unit_of_work() as uow:
            uow.plans.add(_plan("dw-taken", ent, 1, 2, None))
            uow.commit()
        with store.unit_of_work() as uow:
            _deferring(uow)
            uow.plans.add(_plan("dw-new", ent, 1, 2, None))
            uow.inspections.add(_inspection("dw-i", ent, [_plan("dw-new", ent, 1, 2, None)], InspectionStatus.PLANNED))
            with pytest.raises(IntegrityError) as refused:
                uow.plans.add(_plan("dw-taken", ent, 3, 4, None))  # refused now, or by the commit
                uow.commit()
            assert "'dw-taken' already exists" in str(refused.value.details)
        with store.unit_of_work() as uow:
            _deferring(uow)
            uow.plans.add(_plan("dw-new", ent, 1, 2, None))
            with pytest.raises(IntegrityError) as twice:
                uow.plans.add(_plan("dw-new", ent, 3, 4, None))  # twice in the unit of work
                uow.commit()
            assert "'dw-new' already exists" in str(twice.value.details)
        with store.unit_of_work() as uow:
            _deferring(uow)
            with pytest.raises(IntegrityError) as missing:
                uow.inspections.update(
                    _inspection("dw-none", ent, [_plan("x", ent, 1, 2, None)], InspectionStatus.PLANNED)
                )
                uow.plans.get("dw-taken")  # a read sends it at the latest
            assert "'dw-none' does not exist" in str(missing.value.details)
        with store.unit_of_work() as uow:
            assert uow.plans.get("dw-new") is None
            assert uow.inspections.get("dw-i") is None
            assert uow.plans.get("dw-taken") == _plan("dw-taken", ent, 1, 2, None)


def _reservation(rid: str, ent: str, day: int) -> Reservation:
    return Reservation(
        id=rid,
        enterprise=ent,
        department="SCJG",
        inspectors=("SCJG-I01", "SCJG-I02"),
        kind=InspectionKind.ROUTINE,
        at=T0.add(days=day),
    )
