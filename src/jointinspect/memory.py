"""The in-memory adapter: every port, thread-safe, for tests, scripts and quick starts.

A `MemoryStore` keeps tables of immutable values. A unit of work holds the store's
lock from ``__enter__`` to ``__exit__`` (so operations are serialised, which also satisfies
``lock_enterprise``) and journals every write; rollback replays the journal backwards.
Nothing survives the process: use the SQL adapter for records of legal weight.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, NamedTuple, Self, TypeVar

import attrs
import pendulum

from jointinspect.audit import EMPTY_HEAD, AuditEntry, AuditHead, AuditRecord, canonical_body, parse_row, seal
from jointinspect.errors import IntegrityError
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
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
from jointinspect.rules.frequency import (
    LedgerDecision,
    Reservation,
    ReservationState,
    RuleCheck,
    evaluate,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING: Any = object()

Journal = list[Callable[[], None]]


class _Table(Generic[K, V]):
    """A dict whose writes are journalled so that a unit of work can undo them."""

    def __init__(self) -> None:
        self.rows: dict[K, V] = {}

    def put(self, journal: Journal, key: K, value: V) -> None:
        old = self.rows.get(key, _MISSING)
        self.rows[key] = value
        journal.append(lambda: self._restore(key, old))

    def delete(self, journal: Journal, key: K) -> None:
        old = self.rows.pop(key, _MISSING)
        if old is not _MISSING:
            journal.append(lambda: self._restore(key, old))

    def _restore(self, key: K, old: V) -> None:
        if old is _MISSING:
            self.rows.pop(key, None)
        else:
            self.rows[key] = old


class _Index:
    """enterprise (or other key) -> ordered ids, journalled like `_Table`."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, None]] = defaultdict(dict)

    def add(self, journal: Journal, key: str, row_id: str) -> None:
        bucket = self.ids[key]
        if row_id not in bucket:
            bucket[row_id] = None
            journal.append(lambda: bucket.pop(row_id, None))

    def remove(self, journal: Journal, key: str, row_id: str) -> None:
        bucket = self.ids[key]
        if row_id in bucket:
            del bucket[row_id]
            # Re-adding appends at the end; order here only matters for listing, which sorts.
            journal.append(lambda: bucket.__setitem__(row_id, None))


class _Sorted:
    """key -> ``(order, id)`` pairs kept sorted, journalled like `_Table`: a range read
    costs a binary search plus the rows it returns, however long the history."""

    def __init__(self) -> None:
        self.rows: dict[Hashable, list[tuple[Any, str]]] = defaultdict(list)

    def add(self, journal: Journal, key: Hashable, order: Any, row_id: str) -> None:
        bucket, entry = self.rows[key], (order, row_id)
        i = bisect.bisect_left(bucket, entry)
        if i == len(bucket) or bucket[i] != entry:
            bucket.insert(i, entry)
            journal.append(lambda: _discard(bucket, entry))

    def remove(self, journal: Journal, key: Hashable, order: Any, row_id: str) -> None:
        bucket, entry = self.rows.get(key), (order, row_id)
        if bucket is not None and _drop(bucket, entry):
            journal.append(lambda: bisect.insort(bucket, entry))

    def at_or_after(self, key: Hashable, low: Any) -> list[str]:
        """Ids whose order is ``>= low``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        return [row_id for _, row_id in bucket[bisect.bisect_left(bucket, (low,)) :]]

    def before(self, key: Hashable, high: Any) -> list[str]:
        """Ids whose order is ``< high``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        return [row_id for _, row_id in bucket[: bisect.bisect_left(bucket, (high,))]]

    def between(self, key: Hashable, low: Any, high: Any) -> list[str]:
        """Ids whose order is in ``[low, high]``, in ``(order, id)`` order."""
        bucket = self.rows.get(key, [])
        lo = bisect.bisect_left(bucket, (low,))
        hi = bisect.bisect_right(bucket, (high, chr(0x10FFFF)))
        return [row_id for _, row_id in bucket[lo:hi]]


def _discard(bucket: list[tuple[Any, str]], entry: tuple[Any, str]) -> None:
    _drop(bucket, entry)


def _drop(bucket: list[tuple[Any, str]], entry: tuple[Any, str]) -> bool:
    i = bisect.bisect_left(bucket, entry)
    if i < len(bucket) and bucket[i] == entry:
        del bucket[i]
        return True
    return False


def _page(rows: list[V], limit: int | None, offset: int) -> list[V]:
    return rows[offset : None if limit is None else offset + limit]


class AuditRow(NamedTuple):
    """An audit entry as the memory store keeps it: the columns a SQL table would have,
    with the body exactly as hashed (so the tamper suite can edit it like a database row)."""

    seq: object
    prev_hash: object
    hash: object
    body: object


@attrs.define
class _Tables:
    enterprises: _Table[str, Enterprise] = attrs.Factory(_Table)
    departments: _Table[str, Department] = attrs.Factory(_Table)
    inspectors: _Table[str, Inspector] = attrs.Factory(_Table)
    items: _Table[str, SupervisionItem] = attrs.Factory(_Table)
    scenarios: _Table[str, Scenario] = attrs.Factory(_Table)
    plans: _Table[str, Plan] = attrs.Factory(_Table)
    plans_by_enterprise: _Index = attrs.Factory(_Index)
    plans_by_idempotency: _Table[str, str] = attrs.Factory(_Table)
    inspections: _Table[str, Inspection] = attrs.Factory(_Table)
    inspections_by_enterprise: _Index = attrs.Factory(_Index)
    visits: _Table[str, Visit] = attrs.Factory(_Table)
    visits_by_inspection: _Index = attrs.Factory(_Index)
    visits_by_inspector: _Index = attrs.Factory(_Index)
    results: _Table[str, ResultRecord] = attrs.Factory(_Table)
    results_by_enterprise: _Index = attrs.Factory(_Index)
    results_by_inspection: _Index = attrs.Factory(_Index)
    rectifications: _Table[str, Rectification] = attrs.Factory(_Table)
    rectifications_by_enterprise: _Index = attrs.Factory(_Index)
    evaluations: _Table[str, Evaluation] = attrs.Factory(_Table)
    complaints: _Table[str, Complaint] = attrs.Factory(_Table)
    complaints_by_enterprise: _Index = attrs.Factory(_Index)
    outbox: _Table[str, tuple[int, Notification, bool]] = attrs.Factory(_Table)
    #: undelivered outbox rows: order number -> key (so `pending` never scans delivered rows)
    outbox_pending: _Table[int, str] = attrs.Factory(_Table)
    #: failed delivery attempts of pending rows: key -> (attempts, next attempt at)
    outbox_retry: _Table[str, tuple[int, pendulum.DateTime]] = attrs.Factory(_Table)
    audit: _Table[int, AuditRow] = attrs.Factory(_Table)
    audit_head: _Table[str, AuditHead] = attrs.Factory(_Table)
    reservations: _Table[str, Reservation] = attrs.Factory(_Table)
    reservations_by_enterprise: _Index = attrs.Factory(_Index)
    replay_keys: _Table[str, pendulum.DateTime] = attrs.Factory(_Table)
    # Bounded reads (issue 15): each operation reads O(result), never O(history).
    #: enterprise -> plans by window end (open inspections a new plan may join)
    plans_by_reach: _Sorted = attrs.Factory(_Sorted)
    plans_by_inspection: _Index = attrs.Factory(_Index)
    #: (enterprise, item) -> results by recorded_at; failed results' ids
    results_by_item: _Sorted = attrs.Factory(_Sorted)
    failures_by_item: _Sorted = attrs.Factory(_Sorted)
    #: None -> open rectifications by deadline
    rectifications_open: _Sorted = attrs.Factory(_Sorted)
    #: enterprise -> reservations by visit time (the ledger reads only the rules' span)
    reservations_by_time: _Sorted = attrs.Factory(_Sorted)
    counter: list[int] = attrs.Factory(lambda: [0, 0])  # outbox order; deletions since compaction


def _require_new(table: _Table[str, Any], key: str, kind: str) -> None:
    if key in table.rows:
        raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} already exists")


def _require_existing(table: _Table[str, Any], key: str, kind: str) -> None:
    if key not in table.rows:
        raise IntegrityError("storage.integrity", reason=f"{kind} {key!r} does not exist")


class _Base:
    def __init__(self, tables: _Tables, journal: Journal) -> None:
        self._t = tables
        self._j = journal


class _Reference(_Base):
    def put_enterprise(self, enterprise: Enterprise) -> None:
        self._t.enterprises.put(self._j, enterprise.credit_code, enterprise)

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        return self._t.enterprises.rows.get(credit_code)

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

    def update(self, plan: Plan) -> None:
        _require_existing(self._t.plans, plan.id, "plan")
        old = self._t.plans.rows[plan.id]
        self._t.plans.put(self._j, plan.id, plan)
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


class _Inspections(_Base):
    def add(self, inspection: Inspection) -> None:
        _require_new(self._t.inspections, inspection.id, "inspection")
        self._t.inspections.put(self._j, inspection.id, inspection)
        self._t.inspections_by_enterprise.add(self._j, inspection.enterprise, inspection.id)

    def update(self, inspection: Inspection) -> None:
        _require_existing(self._t.inspections, inspection.id, "inspection")
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


class _Visits(_Base):
    def add(self, visit: Visit) -> None:
        _require_new(self._t.visits, visit.id, "visit")
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
        if rectification.state is RectificationState.OPEN:
            self._t.rectifications_open.add(self._j, None, rectification.deadline, rectification.id)

    def update(self, rectification: Rectification) -> None:
        _require_existing(self._t.rectifications, rectification.id, "rectification")
        old = self._t.rectifications.rows[rectification.id]
        self._t.rectifications.put(self._j, rectification.id, rectification)
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

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        return self._t.evaluations.rows.get(inspection_id)

    def add_complaint(self, complaint: Complaint) -> None:
        _require_new(self._t.complaints, complaint.id, "complaint")
        self._t.complaints.put(self._j, complaint.id, complaint)
        self._t.complaints_by_enterprise.add(self._j, complaint.enterprise, complaint.id)

    def complaints(self, enterprise: str) -> list[Complaint]:
        rows = self._t.complaints.rows
        return sorted(
            (rows[i] for i in self._t.complaints_by_enterprise.ids.get(enterprise, {})),
            key=lambda c: (c.at, c.id),
        )


class _Outbox(_Base):
    def add(self, notification: Notification) -> None:
        if notification.key in self._t.outbox.rows:
            return
        self._t.counter[0] += 1
        number = self._t.counter[0]
        self._t.outbox.put(self._j, notification.key, (number, notification, False))
        self._t.outbox_pending.put(self._j, number, notification.key)

    def pending(self, limit: int, now: pendulum.DateTime | None = None) -> list[Notification]:
        # Only the pending index is read: cost grows with the backlog, not with history.
        index, retry = self._t.outbox_pending.rows, self._t.outbox_retry.rows
        due = (
            index if now is None or not retry else (n for n, k in index.items() if k not in retry or retry[k][1] <= now)
        )
        numbers = heapq.nsmallest(limit, due)
        rows = self._t.outbox.rows
        return [rows[index[n]][1] for n in numbers]

    def attempts(self, key: str) -> int:
        found = self._t.outbox_retry.rows.get(key)
        return found[0] if found else 0

    def mark_failed(self, key: str, next_attempt_at: pendulum.DateTime) -> None:
        row = self._t.outbox.rows.get(key)
        if row is not None and not row[2]:
            self._t.outbox_retry.put(self._j, key, (self.attempts(key) + 1, next_attempt_at))

    def mark_delivered(self, keys: Sequence[str]) -> None:
        for key in keys:
            row = self._t.outbox.rows.get(key)
            if row is not None and not row[2]:
                self._t.outbox.put(self._j, key, (row[0], row[1], True))
                self._t.outbox_pending.delete(self._j, row[0])
                self._t.outbox_retry.delete(self._j, key)
        pending = self._t.outbox_pending
        # A dict never shrinks and iterating it visits every slot: after a large backlog
        # drains, copy the few rows left into a compact dict so `pending` stays cheap.
        self._t.counter[1] += len(keys)
        if self._t.counter[1] > 1024 + 4 * len(pending.rows):
            pending.rows = dict(pending.rows)
            self._t.counter[1] = 0

    def prune(self, before: pendulum.DateTime) -> int:
        doomed = [k for k, (_, n, delivered) in self._t.outbox.rows.items() if delivered and n.at < before]
        for key in doomed:
            self._t.outbox.delete(self._j, key)
        return len(doomed)


class _Audit(_Base):
    def append(self, record: AuditRecord) -> AuditEntry:
        head = self.head()
        entry = seal(record, head.seq + 1, head.hash)
        self._t.audit.put(self._j, entry.seq, AuditRow(entry.seq, entry.prev_hash, entry.hash, canonical_body(entry)))
        self._t.audit_head.put(self._j, "head", AuditHead(entry.seq, entry.hash))
        return entry

    def head(self) -> AuditHead:
        return self._t.audit_head.rows.get("head", EMPTY_HEAD)

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        # Rows in key order, parsed one at a time (as a SQL store pages through its table).
        rows = self._t.audit.rows
        for seq in range(after_seq + 1, max(rows, default=0) + 1):
            row = rows.get(seq)
            if row is not None:
                yield parse_row(*row)

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        return list(self.iter_entries(after_seq))


class _Ledger(_Base):
    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        if request.id in self._t.reservations.rows:
            # Idempotent: the visit is already counted; report nothing new.
            return LedgerDecision(self._t.reservations.rows[request.id])
        decision = evaluate(self._in_span(request, checks), request, checks, now)
        if decision.reservation is not None:
            self._t.reservations.put(self._j, request.id, request)
            self._t.reservations_by_enterprise.add(self._j, request.enterprise, request.id)
            self._t.reservations_by_time.add(self._j, request.enterprise, request.at, request.id)
        return decision

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        # evaluate() leaves the stored row of the same id out of the counts
        decision = evaluate(self._in_span(reservation, checks), reservation, checks, now)
        if decision.reservation is not None:
            old = self._t.reservations.rows.get(reservation.id)
            if old is not None:
                self._t.reservations_by_enterprise.remove(self._j, old.enterprise, reservation.id)
                self._t.reservations_by_time.remove(self._j, old.enterprise, old.at, reservation.id)
            self._t.reservations.put(self._j, reservation.id, reservation)
            self._t.reservations_by_enterprise.add(self._j, reservation.enterprise, reservation.id)
            self._t.reservations_by_time.add(self._j, reservation.enterprise, reservation.at, reservation.id)
        return decision

    def _in_span(self, request: Reservation, checks: Sequence[RuleCheck]) -> list[Reservation]:
        """The enterprise's reservations any check can count (as the SQL ledger reads them):
        within a rolling window of the new visit, or inside a calendar bucket."""
        spans: list[tuple[pendulum.DateTime, pendulum.DateTime]] = []
        for check in checks:
            if check.window is not None:
                spans.append((request.at - check.window, request.at + check.window))
            elif check.bucket is not None:
                spans.append(check.bucket)
        if not spans:
            return []
        low, high = min(lo for lo, _ in spans), max(hi for _, hi in spans)
        rows = self._t.reservations.rows
        return [rows[i] for i in self._t.reservations_by_time.between(request.enterprise, low, high)]

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        row = self._t.reservations.rows.get(reservation_id)
        if row is not None and row.state is not ReservationState.CONFIRMED:
            confirmed = attrs.evolve(row, state=ReservationState.CONFIRMED, expires_at=None)
            self._t.reservations.put(self._j, reservation_id, confirmed)

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        row = self._t.reservations.rows.get(reservation_id)
        if row is not None:
            self._t.reservations.delete(self._j, reservation_id)
            self._t.reservations_by_enterprise.remove(self._j, row.enterprise, reservation_id)
            self._t.reservations_by_time.remove(self._j, row.enterprise, row.at, reservation_id)

    def reservations(self, enterprise: str, now: pendulum.DateTime | None = None) -> list[Reservation]:
        rows = self._t.reservations.rows
        live = (rows[i] for i in self._t.reservations_by_enterprise.ids.get(enterprise, {}))
        if now is not None:
            live = (
                r for r in live if not (r.state is ReservationState.PENDING and r.expires_at and r.expires_at <= now)
            )
        return sorted(live, key=lambda r: (r.at, r.id))


class MemoryUnitOfWork:
    """A unit of work over a `MemoryStore` (see the module docstring)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._journal: Journal = []
        t, j = store._tables, self._journal
        self.reference = _Reference(t, j)
        self.plans = _Plans(t, j)
        self.inspections = _Inspections(t, j)
        self.visits = _Visits(t, j)
        self.results = _Results(t, j)
        self.rectifications = _Rectifications(t, j)
        self.feedback = _Feedback(t, j)
        self.outbox = _Outbox(t, j)
        self.audit = _Audit(t, j)
        self.ledger = _Ledger(t, j)

    def __enter__(self) -> Self:
        self._store._lock.acquire()
        self._outer = getattr(self._store._active, "uow", None)
        self._store._active.uow = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._store._active.uow = self._outer
            self._store._lock.release()

    def lock_enterprise(self, credit_code: str) -> None:
        """No-op: the whole store is already locked by this unit of work."""

    def commit(self) -> None:
        """Keep every change (forget the journal)."""
        self._journal.clear()

    def rollback(self) -> None:
        """Undo every change not yet committed, newest first."""
        while self._journal:
            self._journal.pop()()


class MemoryReplayGuard:
    """One-time keys with their expiry; expired keys may be used again.

    A store's guard joins the unit of work open in the calling thread, if any, so that a
    check-in that fails after consuming its code leaves the code unused (as the SQL guard
    does); otherwise each call stands alone.
    """

    def __init__(self, store: MemoryStore | None = None) -> None:
        self._store = store
        self._lock: threading.RLock | threading.Lock = store._lock if store else threading.Lock()
        self._keys: _Table[str, pendulum.DateTime] = store._tables.replay_keys if store else _Table()

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """See `jointinspect.ports.ReplayGuard.consume`."""
        with self._lock:
            seen = self._keys.rows.get(key)
            if seen is not None and seen > now:
                return False
            active = getattr(self._store._active, "uow", None) if self._store else None
            journal: Journal = active._journal if active is not None else []
            self._keys.put(journal, key, expires_at)
            return True

    def prune(self, before: pendulum.DateTime) -> int:
        """Forget keys that expired at or before ``before``; return how many."""
        with self._lock:
            active = getattr(self._store._active, "uow", None) if self._store else None
            journal: Journal = active._journal if active is not None else []
            doomed = [k for k, expires in self._keys.rows.items() if expires <= before]
            for key in doomed:
                self._keys.delete(journal, key)
            return len(doomed)


class MemoryLedger:
    """A stand-alone, thread-safe frequency ledger (for a separate-ledger deployment or
    to test the contract); a `MemoryStore` has its own transactional one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables = _Tables()

    def _run(self, fn: Callable[[_Ledger], Any]) -> Any:
        with self._lock:
            return fn(_Ledger(self._tables, []))

    def check_and_reserve(
        self, request: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime
    ) -> LedgerDecision:
        """See `jointinspect.ports.FrequencyLedger.check_and_reserve`."""
        result: LedgerDecision = self._run(lambda led: led.check_and_reserve(request, checks, now))
        return result

    def amend(self, reservation: Reservation, checks: Sequence[RuleCheck], now: pendulum.DateTime) -> LedgerDecision:
        """See `jointinspect.ports.FrequencyLedger.amend`."""
        result: LedgerDecision = self._run(lambda led: led.amend(reservation, checks, now))
        return result

    def confirm(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See `jointinspect.ports.FrequencyLedger.confirm`."""
        self._run(lambda led: led.confirm(reservation_id, enterprise))

    def release(self, reservation_id: str, enterprise: str | None = None) -> None:
        """See `jointinspect.ports.FrequencyLedger.release`."""
        self._run(lambda led: led.release(reservation_id, enterprise))

    def reservations(self, enterprise: str) -> list[Reservation]:
        """See `jointinspect.ports.FrequencyLedger.reservations`."""
        result: list[Reservation] = self._run(lambda led: led.reservations(enterprise))
        return result


class MemoryStore:
    """The in-memory store: the default for tests and quick starts."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables = _Tables()
        self._active = threading.local()  # the unit of work open in each thread
        self._guard = MemoryReplayGuard(self)

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A fresh unit of work; use it in a ``with`` block."""
        return MemoryUnitOfWork(self)

    def replay_guard(self) -> MemoryReplayGuard:
        """The store's replay guard."""
        return self._guard

    def close(self) -> None:
        """Nothing to release."""
