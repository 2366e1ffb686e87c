"""The operator listings (issue 11): one indexed, ordered ``SELECT`` per page.

Each query filters and orders by the columns of `jointinspect_sqlalchemy.schema_listing`,
so the database reads an index range: the page and its offset, not the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pendulum
from sqlalchemy import Select, and_, bindparam, delete, insert, or_, select

from jointinspect.audit import AuditEntry, parse_row
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import ResultRecord
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy._protocols import UnitOfWorkView
from jointinspect_sqlalchemy.held import pair_delete, pair_update, row_changes
from jointinspect_sqlalchemy.repositories._common import _page, _Repo
from jointinspect_sqlalchemy.schema_listing import inspection_departments

#: ``memo`` key: inspection id -> its ``ji_inspection_departments`` rows as this transaction
#: knows them (read with its body under the enterprise lock, or written), by department.
KNOWN = "inspection-departments"


def known_departments(uow: UnitOfWorkView) -> dict[str, dict[str, dict[str, Any]]]:
    """The department rows this transaction knows, by inspection id (see `KNOWN`)."""
    known: dict[str, dict[str, dict[str, Any]]] | None = uow.memo.get(KNOWN)
    if known is None:
        known = uow.memo[KNOWN] = {}
    return known


def department_rows(inspection: Inspection, start: int | None = None) -> dict[str, dict[str, Any]]:
    """The ``ji_inspection_departments`` rows of ``inspection``, by department (``start``:
    ``micros`` of its window start, when the caller has it)."""
    id_, enterprise, status = inspection.id, inspection.enterprise, inspection.status._value_
    if start is None:
        start = codec.micros(inspection.window.start)
    return {
        department: {
            "inspection_id": id_,
            "department": department,
            "enterprise": enterprise,
            "status": status,
            "window_start": start,
        }
        for department in inspection.departments
    }


def read_departments(uow: UnitOfWorkView, inspections: Sequence[Inspection]) -> None:
    """Note the department rows of ``inspections``, read under their enterprises' locks
    (a body and its rows are written together), so their next write sends only changes."""
    known = known_departments(uow)
    for inspection in inspections:
        if inspection.id not in known:
            known[inspection.id] = department_rows(inspection)


def write_inspection_departments(
    uow: UnitOfWorkView, inspection: Inspection, *, new: bool, start: int | None = None
) -> None:
    """Write the ``ji_inspection_departments`` rows of ``inspection`` (one per department):
    all of them when ``new``; else only what changed from the rows this transaction knows
    (inserted, updated, deleted), or all of them again when it knows none. ``start``:
    ``micros`` of its window start, when the caller has it."""
    t, store = inspection_departments, uow._store
    if start is None:
        start = codec.micros(inspection.window.start)
    known = known_departments(uow)
    base = None if new else known.get(inspection.id)
    by_department = department_rows(inspection, start)
    known[inspection.id] = by_department
    rows = list(by_department.values())
    held = uow.held
    if held is not None:
        if base is not None:
            held.patch(t, "inspection_id", "department", inspection.id, rows, base)
        elif not held.rewrite(t, "inspection_id", inspection.id, list(rows), new=new):
            uow.send_held()
            held.rewrite(t, "inspection_id", inspection.id, list(rows), new=new)
        return
    if base is not None:
        _write_changes(uow, inspection.id, base, by_department)
        return
    if not new:
        drop = store.statement(
            "inspection-departments-delete", lambda: delete(t).where(t.c.inspection_id == bindparam("inspection_id"))
        )
        uow.defer(drop, {"inspection_id": inspection.id})
    _insert(uow, rows)


def _insert(uow: UnitOfWorkView, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    add = uow._store.statement(
        "inspection-departments-insert", lambda: insert(inspection_departments), _DEPARTMENT_COLUMNS
    )
    if uow.family == "postgresql":
        # Nobody reads these rows back in the operation: they travel with its next
        # round trip (see SQLUnitOfWork.defer) instead of costing one of their own.
        for row in rows:
            uow.defer(add, row)
    else:
        uow.run_many(add, [add.args(row) for row in rows])


def _write_changes(
    uow: UnitOfWorkView, id_: str, base: dict[str, dict[str, Any]], rows: dict[str, dict[str, Any]]
) -> None:
    """Turn the rows ``base`` into ``rows`` (both by department) writing only the differences."""
    t = inspection_departments
    added, changed, gone = row_changes(base, list(rows.values()), "inspection_id", "department")
    for department in gone:
        uow.defer(pair_delete(uow, t, "inspection_id", "department"), {"match_key": id_, "match_member": department})
    for params in changed:
        uow.defer(pair_update(uow, t, "inspection_id", "department", tuple(params)), params)
    _insert(uow, added)


_DEPARTMENT_COLUMNS = ("inspection_id", "department", "enterprise", "status", "window_start")


def _between(
    query: Select[Any], column: Any, since: pendulum.DateTime | None, until: pendulum.DateTime | None
) -> Select[Any]:
    if since is not None:
        query = query.where(column >= codec.micros(since))
    if until is not None:
        query = query.where(column < codec.micros(until))
    return query


def _matching(query: Select[Any], *filters: tuple[Any, object | None]) -> Select[Any]:
    """``query`` narrowed to ``column == value`` for each filter whose value is given
    (``None`` means any)."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


class _Listing(_Repo):
    def enterprises(
        self, groups: Sequence[tuple[CreditClass, bool]] | None, limit: int, offset: int
    ) -> list[Enterprise]:
        t = s.enterprises
        query = select(t.c.body).order_by(t.c.credit_code)
        if groups is not None:
            wanted = sorted(set(groups))
            if not wanted:
                return []
            query = query.where(or_(*(and_(t.c.credit_class == c.value, t.c.whitelisted.is_(w)) for c, w in wanted)))
        return self._bodies(_page(query, limit, offset), Enterprise)

    def plans(
        self,
        department: str | None,
        status: PlanStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Plan]:
        t = s.plans
        query = _between(select(t.c.body), t.c.window_start, since, until)
        query = _matching(query, (t.c.department, department), (t.c.status, status and status.value))
        return self._bodies(_page(query.order_by(t.c.window_start, t.c.id), limit, offset), Plan)

    def inspections(
        self,
        department: str | None,
        enterprise: str | None,
        status: InspectionStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Inspection]:
        t = s.inspections
        if department is None:
            query = _between(select(t.c.body), t.c.window_start, since, until)
            query = _matching(query, (t.c.enterprise, enterprise), (t.c.status, status and status.value))
            return self._bodies(_page(query.order_by(t.c.window_start, t.c.id), limit, offset), Inspection)
        # A department's inspections: a range of ji_inspection_departments, then a key probe each.
        d = inspection_departments
        query = _between(select(d.c.inspection_id), d.c.window_start, since, until).where(d.c.department == department)
        query = _matching(query, (d.c.enterprise, enterprise), (d.c.status, status and status.value))
        ids = _page(query.order_by(d.c.window_start, d.c.inspection_id), limit, offset).subquery()
        joined = select(t.c.body).join(ids, ids.c.inspection_id == t.c.id).order_by(t.c.window_start, t.c.id)
        return self._bodies(joined, Inspection)

    def results(self, inspection_id: str, limit: int, offset: int) -> list[ResultRecord]:
        t = s.results
        query = select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.recorded_at, t.c.id)
        return self._bodies(_page(query, limit, offset), ResultRecord)

    def unclosed_rectifications(
        self,
        department: str | None,
        enterprise: str | None,
        due_before: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Rectification]:
        t = s.rectifications
        query = _between(select(t.c.body), t.c.open_deadline, None, due_before).where(t.c.open_deadline.is_not(None))
        query = _matching(query, (t.c.department, department), (t.c.enterprise, enterprise))
        return self._bodies(_page(query.order_by(t.c.open_deadline, t.c.id), limit, offset), Rectification)

    def complaints(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Complaint]:
        t = s.complaints
        query = _matching(_between(select(t.c.body), t.c.at, since, until), (t.c.enterprise, enterprise))
        return self._bodies(_page(query.order_by(t.c.at, t.c.id), limit, offset), Complaint)

    def evaluations(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Evaluation]:
        t = s.evaluations
        query = _matching(_between(select(t.c.body), t.c.at, since, until), (t.c.enterprise, enterprise))
        return self._bodies(_page(query.order_by(t.c.at, t.c.inspection_id), limit, offset), Evaluation)

    def pending_notifications(self, limit: int, offset: int) -> list[Notification]:
        t = s.outbox
        query = select(t.c.body).where(t.c.delivered.is_(False)).order_by(t.c.seq)
        return self._bodies(_page(query, limit, offset), Notification)

    def audit_entries(self, after_seq: int, through_seq: int | None, limit: int) -> list[AuditEntry]:
        t = s.audit_log
        query = select(t.c.seq, t.c.prev_hash, t.c.hash, t.c.body).where(t.c.seq > after_seq)
        if through_seq is not None:
            query = query.where(t.c.seq <= through_seq)
        rows = self._uow.execute(query.order_by(t.c.seq).limit(limit)).fetchall()
        return [parse_row(seq, prev, digest, body) for seq, prev, digest, body in rows]
