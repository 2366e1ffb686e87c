"""The memory store's record repositories: reference data, plans, inspections, visits,
results, rectifications and feedback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pendulum

from jointinspect.errors import IntegrityError
from jointinspect.memory import listing
from jointinspect.memory._tables import (
    _Base,
    _page,
    _require_existing,
    _require_new,
)
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import Inspection, InspectionStatus, Plan
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import (
    Department,
    Enterprise,
    Inspector,
    Scenario,
    SupervisionItem,
)
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit


class _Reference(_Base):
    def put_enterprise(self, enterprise: Enterprise) -> None:
        old = self._t.enterprises.rows.get(enterprise.credit_code)
        self._t.enterprises.put(self._j, enterprise.credit_code, enterprise)
        listing.index_enterprise(self._t, self._j, old, enterprise)

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        return self._t.enterprises.rows.get(credit_code)

    def get_enterprises(self, credit_codes: Sequence[str]) -> dict[str, Enterprise]:
        rows = self._t.enterprises.rows
        return {code: rows[code] for code in credit_codes if code in rows}

    def enterprise_codes(self) -> list[str]:
        """Every registered enterprise's credit code, sorted (see `jointinspect.ledger_rebuild`)."""
        return sorted(self._t.enterprises.rows)

    def put_department(self, department: Department) -> None:
        self._t.departments.put(self._j, department.code, department)

    def get_department(self, code: str) -> Department | None:
        return self._t.departments.rows.get(code)

    def put_inspector(self, inspector: Inspector) -> None:
        self._t.inspectors.put(self._j, inspector.id, inspector)

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        return self._t.inspectors.rows.get(inspector_id)

    def put_item(self, item: SupervisionItem) -> None:
        self._t.items.put(self._j, item.code, item)

    def get_item(self, code: str) -> SupervisionItem | None:
        return self._t.items.rows.get(code)

    def put_scenario(self, scenario: Scenario) -> None:
        self._t.scenarios.put(self._j, scenario.code, scenario)

    def get_scenario(self, code: str) -> Scenario | None:
        return self._t.scenarios.rows.get(code)


class _Plans(_Base):
    def add(self, plan: Plan) -> None:
        _require_new(self._t.plans, plan.id, "plan")
        key = plan.idempotency
        if key is not None and key in self._t.plans_by_idempotency.rows:
            raise IntegrityError(reason=f"plan idempotency key {key!r} is taken")
        self._t.plans.put(self._j, plan.id, plan)
        self._t.plans_by_enterprise.add(self._j, plan.enterprise, plan.id)
        if key is not None:
            self._t.plans_by_idempotency.put(self._j, key, plan.id)
        self._index(plan)
        listing.index_plan(self._t, self._j, None, plan)

    def update(self, plan: Plan) -> None:
        _require_existing(self._t.plans, plan.id, "plan")
        old = self._t.plans.rows[plan.id]
        self._t.plans.put(self._j, plan.id, plan)
        listing.index_plan(self._t, self._j, old, plan)
        if (old.enterprise, old.window.end, old.inspection_id) != (
            plan.enterprise,
            plan.window.end,
            plan.inspection_id,
        ):
            self._t.plans_by_reach.remove(self._j, old.enterprise, old.window.end, old.id)
            if old.inspection_id is not None:
                self._t.plans_by_inspection.remove(self._j, old.inspection_id, old.id)
            self._index(plan)

    def _index(self, plan: Plan) -> None:
        self._t.plans_by_reach.add(self._j, plan.enterprise, plan.window.end, plan.id)
        if plan.inspection_id is not None:
            self._t.plans_by_inspection.add(self._j, plan.inspection_id, plan.id)

    def get(self, plan_id: str) -> Plan | None:
        return self._t.plans.rows.get(plan_id)

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Plan]:
        rows = self._t.plans.rows
        found = sorted(
            (rows[i] for i in self._t.plans_by_enterprise.ids.get(enterprise, {})),
            key=lambda p: (p.filed_at, p.id),
        )
        return _page(found, limit, offset)

    def for_inspections(self, inspection_ids: Sequence[str]) -> list[Plan]:
        rows, index = self._t.plans.rows, self._t.plans_by_inspection.ids
        ids = {i for inspection in set(inspection_ids) for i in index.get(inspection, {})}
        return sorted((rows[i] for i in ids), key=lambda p: (p.filed_at, p.id))

    def by_idempotency_key(self, department: str, key: str) -> Plan | None:
        plan_id = self._t.plans_by_idempotency.rows.get(f"{department}/{key}")
        return None if plan_id is None else self._t.plans.rows.get(plan_id)

    def by_idempotency_keys(self, department: str, keys: Sequence[str]) -> dict[str, Plan]:
        found = {key: self.by_idempotency_key(department, key) for key in keys}
        return {key: plan for key, plan in found.items() if plan is not None}


class _Inspections(_Base):
    def add(self, inspection: Inspection) -> None:
        _require_new(self._t.inspections, inspection.id, "inspection")
        self._t.inspections.put(self._j, inspection.id, inspection)
        self._t.inspections_by_enterprise.add(self._j, inspection.enterprise, inspection.id)
        listing.index_inspection(self._t, self._j, None, inspection)

    def update(self, inspection: Inspection) -> None:
        _require_existing(self._t.inspections, inspection.id, "inspection")
        listing.index_inspection(self._t, self._j, self._t.inspections.rows[inspection.id], inspection)
        self._t.inspections.put(self._j, inspection.id, inspection)

    def get(self, inspection_id: str) -> Inspection | None:
        return self._t.inspections.rows.get(inspection_id)

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Inspection]:
        rows = self._t.inspections.rows
        found = sorted(
            (rows[i] for i in self._t.inspections_by_enterprise.ids.get(enterprise, {})),
            key=lambda x: (x.created_at, x.id),
        )
        return _page(found, limit, offset)

    def open_for_enterprise(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection]:
        plans, rows = self._t.plans.rows, self._t.inspections.rows
        found: dict[str, Inspection] = {}
        for plan_id in self._t.plans_by_reach.at_or_after(enterprise, reaching):
            inspection_id = plans[plan_id].inspection_id
            if inspection_id is None or inspection_id in found:
                continue
            inspection = rows.get(inspection_id)
            if inspection is not None and inspection.status is InspectionStatus.PLANNED:
                found[inspection_id] = inspection
        return [found[i] for i in sorted(found)]

    def open_for_enterprises(self, reaching: Mapping[str, pendulum.DateTime]) -> dict[str, list[Inspection]]:
        return {enterprise: self.open_for_enterprise(enterprise, bound) for enterprise, bound in reaching.items()}


class _Visits(_Base):
    def add(self, visit: Visit) -> None:
        _require_new(self._t.visits, visit.id, "visit")
        if visit.checked_out_at is None and self.open_for_inspector(visit.inspector_id):
            raise IntegrityError(
                "storage.integrity",
                reason=f"inspector {visit.inspector_id!r} already has an open visit",
                reason_zh=f"执法人员 {visit.inspector_id!r} 已有未签退的入企记录",
            )
        self._t.visits.put(self._j, visit.id, visit)
        self._t.visits_by_inspection.add(self._j, visit.inspection_id, visit.id)
        self._t.visits_by_inspector.add(self._j, visit.inspector_id, visit.id)

    def update(self, visit: Visit) -> None:
        _require_existing(self._t.visits, visit.id, "visit")
        self._t.visits.put(self._j, visit.id, visit)

    def for_inspection(self, inspection_id: str) -> list[Visit]:
        rows = self._t.visits.rows
        return sorted(
            (rows[i] for i in self._t.visits_by_inspection.ids.get(inspection_id, {})),
            key=lambda v: (v.checked_in_at, v.id),
        )

    def open_for_inspector(self, inspector_id: str) -> list[Visit]:
        rows = self._t.visits.rows
        return sorted(
            (v for i in self._t.visits_by_inspector.ids.get(inspector_id, {}) if (v := rows[i]).checked_out_at is None),
            key=lambda v: (v.checked_in_at, v.id),
        )


class _Results(_Base):
    def add(self, result: ResultRecord) -> None:
        _require_new(self._t.results, result.id, "result")
        self._t.results.put(self._j, result.id, result)
        self._t.results_by_enterprise.add(self._j, result.enterprise, result.id)
        self._t.results_by_inspection.add(self._j, result.inspection_id, result.id)
        self._index(result)

    def update(self, result: ResultRecord) -> None:
        _require_existing(self._t.results, result.id, "result")
        old = self._t.results.rows[result.id]
        self._t.results.put(self._j, result.id, result)
        if (old.enterprise, old.item, old.recorded_at, old.outcome) != (
            result.enterprise,
            result.item,
            result.recorded_at,
            result.outcome,
        ):
            self._t.results_by_item.remove(self._j, (old.enterprise, old.item), old.recorded_at, old.id)
            self._t.failures_by_item.remove(self._j, (old.enterprise, old.item), old.recorded_at, old.id)
            self._index(result)

    def _index(self, result: ResultRecord) -> None:
        key = (result.enterprise, result.item)
        self._t.results_by_item.add(self._j, key, result.recorded_at, result.id)
        if result.outcome is Outcome.FAIL:
            self._t.failures_by_item.add(self._j, key, result.recorded_at, result.id)

    def get(self, result_id: str) -> ResultRecord | None:
        return self._t.results.rows.get(result_id)

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        rows, index = self._t.results.rows, self._t.results_by_item
        found = (rows[i] for item in set(items) for i in index.at_or_after((enterprise, item), since))
        return sorted(found, key=lambda r: (r.recorded_at, r.id))

    def for_enterprises(
        self, enterprises: Sequence[str], items: Sequence[str], since: pendulum.DateTime
    ) -> dict[str, list[ResultRecord]]:
        return {enterprise: self.for_enterprise(enterprise, items, since) for enterprise in enterprises}

    def first_since(self, enterprise: str, item: str, since: pendulum.DateTime) -> ResultRecord | None:
        ids = self._t.results_by_item.at_or_after((enterprise, item), since)
        return self._t.results.rows[ids[0]] if ids else None

    def ever_failed(self, enterprise: str, item: str) -> bool:
        return bool(self._t.failures_by_item.rows.get((enterprise, item)))

    def for_inspection(self, inspection_id: str) -> list[ResultRecord]:
        rows = self._t.results.rows
        return sorted(
            (rows[i] for i in self._t.results_by_inspection.ids.get(inspection_id, {})),
            key=lambda r: (r.recorded_at, r.id),
        )


class _Rectifications(_Base):
    def add(self, rectification: Rectification) -> None:
        _require_new(self._t.rectifications, rectification.id, "rectification")
        self._t.rectifications.put(self._j, rectification.id, rectification)
        self._t.rectifications_by_enterprise.add(self._j, rectification.enterprise, rectification.id)
        listing.index_rectification(self._t, self._j, None, rectification)
        if rectification.state is RectificationState.OPEN:
            self._t.rectifications_open.add(self._j, None, rectification.deadline, rectification.id)

    def update(self, rectification: Rectification) -> None:
        _require_existing(self._t.rectifications, rectification.id, "rectification")
        old = self._t.rectifications.rows[rectification.id]
        self._t.rectifications.put(self._j, rectification.id, rectification)
        listing.index_rectification(self._t, self._j, old, rectification)
        self._t.rectifications_open.remove(self._j, None, old.deadline, old.id)
        if rectification.state is RectificationState.OPEN:
            self._t.rectifications_open.add(self._j, None, rectification.deadline, rectification.id)

    def get(self, rectification_id: str) -> Rectification | None:
        return self._t.rectifications.rows.get(rectification_id)

    def due_before(self, instant: pendulum.DateTime) -> list[Rectification]:
        waiting = (RectificationState.OPEN, RectificationState.SUBMITTED)
        return sorted(
            (r for r in self._t.rectifications.rows.values() if r.state in waiting and r.deadline < instant),
            key=lambda r: (r.deadline, r.id),
        )

    def overdue(self, instant: pendulum.DateTime) -> list[Rectification]:
        rows = self._t.rectifications.rows
        return [rows[i] for i in self._t.rectifications_open.before(None, instant)]

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Rectification]:
        rows = self._t.rectifications.rows
        found = sorted(
            (rows[i] for i in self._t.rectifications_by_enterprise.ids.get(enterprise, {})),
            key=lambda r: (r.opened_at, r.id),
        )
        return _page(found, limit, offset)


class _Feedback(_Base):
    def add_evaluation(self, evaluation: Evaluation) -> None:
        _require_new(self._t.evaluations, evaluation.inspection_id, "evaluation")
        self._t.evaluations.put(self._j, evaluation.inspection_id, evaluation)
        listing.index_evaluation(self._t, self._j, evaluation)

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        return self._t.evaluations.rows.get(inspection_id)

    def add_complaint(self, complaint: Complaint) -> None:
        _require_new(self._t.complaints, complaint.id, "complaint")
        self._t.complaints.put(self._j, complaint.id, complaint)
        self._t.complaints_by_enterprise.add(self._j, complaint.enterprise, complaint.id)
        listing.index_complaint(self._t, self._j, complaint)

    def complaints(self, enterprise: str) -> list[Complaint]:
        rows = self._t.complaints.rows
        return sorted(
            (rows[i] for i in self._t.complaints_by_enterprise.ids.get(enterprise, {})),
            key=lambda c: (c.at, c.id),
        )
