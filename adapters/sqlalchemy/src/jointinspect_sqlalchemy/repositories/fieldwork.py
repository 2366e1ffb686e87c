"""What an inspection produces: visits, results, rectifications, evaluations and complaints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pendulum
from sqlalchemy import bindparam, select

from jointinspect.errors import IntegrityError
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.repositories._common import _page, _Repo


def _visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "inspection_id": visit.inspection_id,
        "checked_in_at": codec.micros(visit.checked_in_at),
        "body": codec.dumps(visit),
        "open_inspector": visit.inspector_id if visit.checked_out_at is None else None,
    }


class _Visits(_Repo):
    def add(self, visit: Visit) -> None:
        if self._uow.insert_new(s.visits, _visit_row(visit)):
            return
        if self._one(s.visits, visit.id, Visit) is not None:
            raise IntegrityError(
                "storage.integrity",
                reason=f"visit {visit.id!r} already exists",
                reason_zh=f"入企记录 {visit.id!r} 已存在",
            )
        raise IntegrityError(
            "storage.integrity",
            reason=f"inspector {visit.inspector_id!r} already has an open visit",
            reason_zh=f"执法人员 {visit.inspector_id!r} 已有未签退的入企记录",
        )

    def update(self, visit: Visit) -> None:
        self._update(s.visits, "id", _visit_row(visit), "visit")

    def for_inspection(self, inspection_id: str) -> list[Visit]:
        t = s.visits
        return self._bodies(
            select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.checked_in_at, t.c.id),
            Visit,
        )

    def open_for_inspector(self, inspector_id: str) -> list[Visit]:
        t = s.visits
        return self._bodies(
            select(t.c.body).where(t.c.open_inspector == inspector_id).order_by(t.c.checked_in_at, t.c.id), Visit
        )


def _result_row(result: ResultRecord) -> dict[str, Any]:
    return {
        "id": result.id,
        "enterprise": result.enterprise,
        "inspection_id": result.inspection_id,
        "item": result.item,
        "recorded_at": codec.micros(result.recorded_at),
        "body": codec.dumps(result),
        "outcome": result.outcome.value,
    }


class _Results(_Repo):
    def add(self, result: ResultRecord) -> None:
        self._add(s.results, _result_row(result), "result", result.id)

    def update(self, result: ResultRecord) -> None:
        self._update(s.results, "id", _result_row(result), "result")

    def get(self, result_id: str) -> ResultRecord | None:
        found: ResultRecord | None = self._one(s.results, result_id, ResultRecord)
        return found

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        wanted = sorted(set(items))
        if not wanted:
            return []
        t = s.results
        rows = read_among(
            self._uow,
            "results-for-enterprise",
            lambda among: (
                select(t.c.body)
                .where(
                    t.c.enterprise == bindparam("enterprise"),
                    among(t.c.item, "items"),
                    t.c.recorded_at >= bindparam("since"),
                )
                .order_by(t.c.recorded_at, t.c.id)
            ),
            {"items": wanted},
            {"enterprise": enterprise, "since": codec.micros(since)},
        )
        return [codec.loads(body, ResultRecord) for (body,) in rows]

    def for_inspection(self, inspection_id: str) -> list[ResultRecord]:
        t = s.results
        return self._bodies(
            select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.recorded_at, t.c.id),
            ResultRecord,
        )

    def for_enterprises(
        self, enterprises: Sequence[str], items: Sequence[str], since: pendulum.DateTime
    ) -> dict[str, list[ResultRecord]]:
        t = s.results
        out: dict[str, list[ResultRecord]] = {enterprise: [] for enterprise in enterprises}
        wanted = sorted(set(items))
        if not wanted:
            return out
        rows = read_among(
            self._uow,
            "results-for-enterprises",
            lambda among: (
                select(t.c.enterprise, t.c.body)
                .where(
                    among(t.c.enterprise, "enterprises"),
                    among(t.c.item, "items"),
                    t.c.recorded_at >= bindparam("since"),
                )
                .order_by(t.c.enterprise, t.c.recorded_at, t.c.id)
            ),
            {"enterprises": enterprises, "items": wanted},
            {"since": codec.micros(since)},
        )
        for enterprise, body in rows:
            out[enterprise].append(codec.loads(body, ResultRecord))
        return out

    def first_since(self, enterprise: str, item: str, since: pendulum.DateTime) -> ResultRecord | None:
        t = s.results
        found = self._bodies(
            select(t.c.body)
            .where(t.c.enterprise == enterprise, t.c.item == item, t.c.recorded_at >= codec.micros(since))
            .order_by(t.c.recorded_at, t.c.id)
            .limit(1),
            ResultRecord,
        )
        return found[0] if found else None

    def ever_failed(self, enterprise: str, item: str) -> bool:
        t = s.results
        probe = (
            select(t.c.id)
            .where(t.c.enterprise == enterprise, t.c.item == item, t.c.outcome == Outcome.FAIL.value)
            .limit(1)
        )
        return self._uow.execute(probe).first() is not None


#: a rectification still open: listed by `open_deadline` (issue 11)
_UNCLOSED = frozenset({RectificationState.OPEN, RectificationState.SUBMITTED, RectificationState.OVERDUE})


def _rectification_row(rect: Rectification) -> dict[str, Any]:
    return {
        "id": rect.id,
        "enterprise": rect.enterprise,
        "state": rect.state.value,
        "deadline": codec.micros(rect.deadline),
        "opened_at": codec.micros(rect.opened_at),
        "body": codec.dumps(rect),
        "department": rect.department,  # listings (issue 11)
        "open_deadline": codec.micros(rect.deadline) if rect.state in _UNCLOSED else None,
    }


class _Rectifications(_Repo):
    def add(self, rectification: Rectification) -> None:
        self._add(s.rectifications, _rectification_row(rectification), "rectification", rectification.id)

    def update(self, rectification: Rectification) -> None:
        self._update(s.rectifications, "id", _rectification_row(rectification), "rectification")

    def get(self, rectification_id: str) -> Rectification | None:
        found: Rectification | None = self._one(s.rectifications, rectification_id, Rectification)
        return found

    def due_before(self, instant: pendulum.DateTime) -> list[Rectification]:
        t = s.rectifications
        waiting = [RectificationState.OPEN.value, RectificationState.SUBMITTED.value]
        return self._bodies(
            select(t.c.body)
            .where(t.c.state.in_(waiting), t.c.deadline < codec.micros(instant))
            .order_by(t.c.deadline, t.c.id),
            Rectification,
        )

    def overdue(self, instant: pendulum.DateTime) -> list[Rectification]:
        t = s.rectifications
        return self._bodies(
            select(t.c.body)
            .where(t.c.state == RectificationState.OPEN.value, t.c.deadline < codec.micros(instant))
            .order_by(t.c.deadline, t.c.id),
            Rectification,
        )

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Rectification]:
        t = s.rectifications
        query = select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.opened_at, t.c.id)
        return self._bodies(_page(query, limit, offset), Rectification)


class _Feedback(_Repo):
    def add_evaluation(self, evaluation: Evaluation) -> None:
        row: dict[str, object] = {"inspection_id": evaluation.inspection_id, "body": codec.dumps(evaluation)}
        row |= {"enterprise": evaluation.enterprise, "at": codec.micros(evaluation.at)}  # listings (issue 11)
        self._add(s.evaluations, row, "evaluation", evaluation.inspection_id)

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        found: Evaluation | None = self._one(s.evaluations, inspection_id, Evaluation)
        return found

    def add_complaint(self, complaint: Complaint) -> None:
        row = {
            "id": complaint.id,
            "enterprise": complaint.enterprise,
            "at": codec.micros(complaint.at),
            "body": codec.dumps(complaint),
        }
        self._add(s.complaints, row, "complaint", complaint.id)

    def complaints(self, enterprise: str) -> list[Complaint]:
        t = s.complaints
        return self._bodies(select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.at, t.c.id), Complaint)
