"""The supervising office's report: read a period's records in one unit of work and count
them with `jointinspect.kpi.compute`.

A report reads the period's records (`jointinspect.ports.PeriodRepository`: each kind one
ordered query on the instant it is counted at, so its cost is the period, not the history
or the number of enterprises), in one unit of work so that its figures agree with each
other; it writes nothing.
"""

from __future__ import annotations

import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import ValidationError
from jointinspect.kpi import AUDITED_ACTIONS, CityRecords, KpiReport, compute
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
    period = uow.period
    plans = period.plans_filed(start, end)
    inspections = period.inspections_starting(start, end)
    # plans filed in the period may be served by visits starting after it (joint or not)
    known = {i.id for i in inspections}
    served = [p.inspection_id for p in plans if p.inspection_id is not None and p.inspection_id not in known]
    inspections += period.inspections_by_id(served)
    return CityRecords(
        plans=plans,
        inspections=inspections,
        visits=period.visits_checked_in(start, end),
        rectifications=period.rectifications_opened(start, end),
        evaluations=period.evaluations_given(start, end),
        complaints=period.complaints_filed(start, end),
        audit=period.audit_actions(AUDITED_ACTIONS, start, end),
    )
