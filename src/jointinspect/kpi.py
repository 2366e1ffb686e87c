"""Supervision KPIs (督办指标): what the supervising office reads off a period of records.

`compute` is pure: it takes the records of a period (`CityRecords`, read by
`Engine.supervision_report` through the store's ports, or assembled by a caller from its own
queries) and counts. Counts are integers; rates and means are exact `Decimal` values rounded
half-up to four (rates) or two (means, medians) places, so two stores give the same report.

What each figure means is stated on its field. Two figures the seed platforms publish are
not here because the store holds no record of them: a refused filing (an over-frequency
*block*, a late plan) changes nothing by design, so a platform counts those refusals
itself from the `FrequencyBlocked` / `FilingRejected` errors it sees; and the results shared
at filing are returned to the filing department (`FilingOutcome.shared`), not stored.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import statistics
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs
import pendulum

from jointinspect.audit import AuditEntry
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import TRIGGERED_KINDS, Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.visit import Visit
from jointinspect.policy.schema import Policy
from jointinspect.rules.filing import earliest_start
from jointinspect.timeutil import local_date

__all__ = ["AUDITED_ACTIONS", "FREQUENCY_WARNING", "CityRecords", "DepartmentMonth", "KpiReport", "compute"]

_RATE = Decimal("0.0001")
_MEAN = Decimal("0.01")
#: Inspections that stand for a visit that happens or happened.
_LIVE = frozenset({InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS, InspectionStatus.COMPLETED})
_CLOSED = frozenset({RectificationState.ACCEPTED})

#: The audit action of a frequency warning (counted by `compute`).
FREQUENCY_WARNING = "frequency.warning"
#: The audit actions `compute` counts: a caller reads only these entries.
AUDITED_ACTIONS = (FREQUENCY_WARNING,)


@attrs.frozen
class CityRecords:
    """The records a report reads: everything stored, or a period's worth (``compute``
    keeps only what falls in its period)."""

    plans: Sequence[Plan] = ()
    inspections: Sequence[Inspection] = ()
    visits: Sequence[Visit] = ()
    rectifications: Sequence[Rectification] = ()
    evaluations: Sequence[Evaluation] = ()
    complaints: Sequence[Complaint] = ()
    audit: Sequence[AuditEntry] = ()


@attrs.frozen
class DepartmentMonth:
    """One department's plans filed in one month (in the policy zone).

    Attributes:
        department: the filing department's code.
        month: ``YYYY-MM`` of the filing instant in the policy zone.
        plans_filed: plans filed (every status).
        planned: plans of a planned kind (routine, random, special), which need advance notice.
        on_time: planned plans whose window starts on or after the policy's earliest start
            for their filing day (`jointinspect.rules.filing.earliest_start`).
        reported: triggered plans (complaint, report, emergency ...), reported rather than
            planned ahead.
        emergencies: plans of kind ``emergency``.
        approved: whitelisted plans approved by the supervising office(s).
        rejected: whitelisted plans rejected.
        pending: whitelisted plans still waiting for approval.
        in_joint_visits: plans served by a visit of two or more departments.
    """

    department: str
    month: str
    plans_filed: int = 0
    planned: int = 0
    on_time: int = 0
    reported: int = 0
    emergencies: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    in_joint_visits: int = 0


@attrs.frozen
class KpiReport:
    """The supervision KPIs of one period ``[start, end)``.

    Attributes:
        start: the period's first instant (UTC).
        end: the instant after the period (UTC).
        by_department: plan figures per department and month, sorted by both.
        plans_filed: plans filed in the period.
        advance_notice_compliance: ``on_time / planned`` over the period (``None`` without planned plans).
        emergencies_reported: plans of kind ``emergency`` filed in the period.
        whitelist_approved: whitelisted plans approved; ``whitelist_rejected``,
            ``whitelist_pending`` likewise.
        joint_visit_rate: plans served by a joint visit / plans served by a visit.
        visits: live visits (planned, in progress or completed) whose window starts in the period.
        joint_visits: those of two or more departments.
        repeat_visits_avoided: plans served by those visits minus the visits (each merge
            spares the enterprise one visit).
        visits_per_enterprise: ``{visits: enterprises}`` over enterprises visited in the period.
        check_ins: check-ins in the period; ``scanned_check_ins``: of which the
            inspector scanned the enterprise code (亮码/扫码入企).
        enterprise_code_scan_rate: ``scanned_check_ins / check_ins``.
        median_visit_minutes: median duration of the check-ins that checked out.
        frequency_warnings: over-frequency warnings raised in the period (audit ``frequency.warning``).
        rectifications_opened: rectifications opened in the period; ``rectifications_closed``
            of those, accepted; ``rectifications_overdue`` of those, overdue now;
            ``guidance_given`` of those, first violations met with guidance instead of a
            penalty (首违不罚: the fix is still required).
        median_days_to_close: median days from opening to acceptance of the closed ones.
        ratings: ratings given in the period; ``mean_rating`` their mean score (0-100).
        complaints_by_reason: ``{reason: complaints}`` filed in the period.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    by_department: tuple[DepartmentMonth, ...]
    plans_filed: int
    advance_notice_compliance: Decimal | None
    emergencies_reported: int
    whitelist_approved: int
    whitelist_rejected: int
    whitelist_pending: int
    joint_visit_rate: Decimal | None
    visits: int
    joint_visits: int
    repeat_visits_avoided: int
    visits_per_enterprise: dict[int, int]
    check_ins: int
    scanned_check_ins: int
    enterprise_code_scan_rate: Decimal | None
    median_visit_minutes: Decimal | None
    frequency_warnings: int
    rectifications_opened: int
    rectifications_closed: int
    rectifications_overdue: int
    guidance_given: int
    median_days_to_close: Decimal | None
    ratings: int
    mean_rating: Decimal | None
    complaints_by_reason: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view: instants as ISO 8601, decimals as strings."""
        plain: dict[str, Any] = _plain(attrs.asdict(self, recurse=True))
        return plain

    def to_json(self) -> str:
        """The report as one JSON document (UTF-8 text, keys in field order)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        """The per-department, per-month table as CSV (header row first)."""
        out = io.StringIO()
        names = [f.name for f in attrs.fields(DepartmentMonth)]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for row in self.by_department:
            writer.writerow([getattr(row, n) for n in names])
        return out.getvalue()


def compute(records: CityRecords, start: pendulum.DateTime, end: pendulum.DateTime, policy: Policy) -> KpiReport:
    """Count the KPIs of ``[start, end)`` from ``records`` under ``policy`` (its zone and
    advance-notice rule). Records outside the period are ignored, so a caller may pass more."""

    def within(at: pendulum.DateTime) -> bool:
        return start <= at < end

    plans = [p for p in records.plans if within(p.filed_at)]
    by_id = {i.id: i for i in records.inspections}
    rows = _department_months(plans, by_id, policy)
    visits = [i for i in records.inspections if i.status in _LIVE and within(i.window.start)]
    served = sum(len(i.plan_ids) for i in visits)
    joint = [i for i in visits if len(i.departments) > 1]
    per_enterprise = collections.Counter(collections.Counter(i.enterprise for i in visits).values())
    check_ins = [v for v in records.visits if within(v.checked_in_at)]
    scanned = sum(1 for v in check_ins if v.scanned)
    minutes = [
        Decimal((v.checked_out_at - v.checked_in_at).in_seconds()) / 60
        for v in check_ins
        if v.checked_out_at is not None
    ]
    opened = [r for r in records.rectifications if within(r.opened_at)]
    closed_days = [_days_to_close(r) for r in opened if r.state in _CLOSED]
    ratings = [e for e in records.evaluations if within(e.at)]
    complaints = collections.Counter(str(c.reason.value) for c in records.complaints if within(c.at))
    planned = sum(r.planned for r in rows)
    in_visits = sum(1 for p in plans if p.inspection_id is not None and p.status is PlanStatus.ACTIVE)
    return KpiReport(
        start=start,
        end=end,
        by_department=tuple(rows),
        plans_filed=len(plans),
        advance_notice_compliance=_rate(sum(r.on_time for r in rows), planned),
        emergencies_reported=sum(r.emergencies for r in rows),
        whitelist_approved=sum(r.approved for r in rows),
        whitelist_rejected=sum(r.rejected for r in rows),
        whitelist_pending=sum(r.pending for r in rows),
        joint_visit_rate=_rate(sum(r.in_joint_visits for r in rows), in_visits),
        visits=len(visits),
        joint_visits=len(joint),
        repeat_visits_avoided=served - len(visits),
        visits_per_enterprise=dict(sorted(per_enterprise.items())),
        check_ins=len(check_ins),
        scanned_check_ins=scanned,
        enterprise_code_scan_rate=_rate(scanned, len(check_ins)),
        median_visit_minutes=_median(minutes),
        frequency_warnings=sum(
            1 for e in records.audit if e.record.action == FREQUENCY_WARNING and within(e.record.at)
        ),
        rectifications_opened=len(opened),
        rectifications_closed=len(closed_days),
        rectifications_overdue=sum(1 for r in opened if r.state is RectificationState.OVERDUE),
        guidance_given=sum(1 for r in opened if r.guidance),
        median_days_to_close=_median(closed_days),
        ratings=len(ratings),
        mean_rating=_mean([Decimal(e.score) for e in ratings]),
        complaints_by_reason=dict(sorted(complaints.items())),
    )


def _department_months(
    plans: Iterable[Plan], inspections: dict[str, Inspection], policy: Policy
) -> list[DepartmentMonth]:
    counts: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for plan in plans:
        month = plan.filed_at.in_timezone(policy.zone).format("YYYY-MM")
        c = counts[(plan.department, month)]
        c["plans_filed"] += 1
        if plan.kind in TRIGGERED_KINDS:
            c["reported"] += 1
        else:
            c["planned"] += 1
            earliest = earliest_start(local_date(plan.filed_at, policy.zone), policy.filing)
            c["on_time"] += local_date(plan.window.start, policy.zone) >= earliest
        c["emergencies"] += plan.kind is InspectionKind.EMERGENCY
        c["approved"] += bool(plan.approved_by) and plan.status is PlanStatus.ACTIVE
        c["rejected"] += plan.status is PlanStatus.REJECTED
        c["pending"] += plan.status is PlanStatus.PENDING_APPROVAL
        inspection = inspections.get(plan.inspection_id or "")
        c["in_joint_visits"] += inspection is not None and len(inspection.departments) > 1
    return [DepartmentMonth(department, month, **dict(c)) for (department, month), c in sorted(counts.items())]


def _days_to_close(rectification: Rectification) -> Decimal:
    closed = next(e.at for e in reversed(rectification.history) if e.to_state in _CLOSED)
    return Decimal((closed - rectification.opened_at).in_seconds()) / 86_400


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(_RATE, ROUND_HALF_UP) if whole else None


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(_MEAN, ROUND_HALF_UP) if values else None


def _median(values: Sequence[Decimal]) -> Decimal | None:
    return Decimal(statistics.median(values)).quantize(_MEAN, ROUND_HALF_UP) if values else None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pendulum.DateTime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
