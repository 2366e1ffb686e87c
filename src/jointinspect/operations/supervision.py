"""The supervising office's report: read a period's records in one unit of work and count
them with `jointinspect.kpi.compute`.

A report is a batch read over the whole city (every enterprise the store lists), taken in
one unit of work so that its figures agree with each other; it writes nothing.
"""

from __future__ import annotations

import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import ValidationError
from jointinspect.kpi import CityRecords, KpiReport, compute
from jointinspect.ledger_rebuild import listed_enterprises
from jointinspect.operations._unit import Context, boundary, permit
from jointinspect.ports import UnitOfWork


def supervision_report(context: Context, start: object, end: object, by: Principal) -> KpiReport:
    """The KPIs of ``[start, end)`` over every enterprise (see `jointinspect.kpi`)."""
    by = boundary("supervision_report", by)
    first, after = v.instant(start, "start"), v.instant(end, "end")
    if after <= first:
        raise ValidationError(
            "input.invalid",
            reason=f"the period must end after it starts ({first.isoformat()} .. {after.isoformat()})",
            reason_zh=f"统计期间的结束须晚于开始({first.isoformat()} 至 {after.isoformat()})",
        )
    permit(context, "supervision_report", by, AuthContext(), "-")
    with context.store.unit_of_work() as uow:
        records = _records(uow, first, after)
    return compute(records, first, after, context.policy)


def _records(uow: UnitOfWork, start: pendulum.DateTime, end: pendulum.DateTime) -> CityRecords:
    plans, inspections, visits, rectifications, evaluations, complaints = [], [], [], [], [], []
    for enterprise in listed_enterprises(uow):
        plans += uow.plans.for_enterprise(enterprise)
        own = uow.inspections.for_enterprise(enterprise)
        inspections += own
        for inspection in own:
            visits += uow.visits.for_inspection(inspection.id)
            if (evaluation := uow.feedback.get_evaluation(inspection.id)) is not None:
                evaluations.append(evaluation)
        rectifications += uow.rectifications.for_enterprise(enterprise)
        complaints += uow.feedback.complaints(enterprise)
    audit = [e for e in uow.audit.iter_entries() if start <= e.record.at < end]
    return CityRecords(plans, inspections, visits, rectifications, evaluations, complaints, audit)
