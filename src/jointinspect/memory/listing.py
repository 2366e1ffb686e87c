"""The memory store's operator listings (issue 11): sorted indexes, one per listing.

Each listing keeps its rows sorted by the listing's order under every combination of the
filters it accepts (``None`` standing for "any"), so a page is a binary search plus a slice:
its cost is the page and the offset, not the history. The record repositories call the
``index_*`` hooks on every write, in the same journal, so a rollback undoes both.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

import pendulum

from jointinspect.audit import EMPTY_HEAD, AuditEntry, parse_row
from jointinspect.memory._tables import Journal, _Base, _Sorted, _Tables
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import ResultRecord

#: states of a rectification that still needs something (listed as open).
UNCLOSED = frozenset({RectificationState.OPEN, RectificationState.SUBMITTED, RectificationState.OVERDUE})


def _either(value: Hashable) -> tuple[Hashable, None]:
    return (value, None)


def _plan_keys(plan: Plan) -> Iterator[Hashable]:
    return itertools.product(_either(plan.department), _either(plan.status))


def _inspection_keys(inspection: Inspection) -> Iterator[Hashable]:
    departments: tuple[str | None, ...] = (*inspection.departments, None)
    return itertools.product(departments, _either(inspection.enterprise), _either(inspection.status))


def _rectification_keys(rectification: Rectification) -> Iterator[Hashable]:
    if rectification.state not in UNCLOSED:
        return iter(())
    return itertools.product(_either(rectification.department), _either(rectification.enterprise))


def _move(
    index: _Sorted, journal: Journal, old: Iterable[tuple[Hashable, Any, str]], new: Iterable[tuple[Hashable, Any, str]]
) -> None:
    before, after = set(old), set(new)
    for key, order, row_id in before - after:
        index.remove(journal, key, order, row_id)
    for key, order, row_id in after - before:
        index.add(journal, key, order, row_id)


def index_enterprise(t: _Tables, j: Journal, old: Enterprise | None, new: Enterprise) -> None:
    """Keep `listing_enterprises` in step with an upserted enterprise."""

    def entries(e: Enterprise | None) -> list[tuple[Hashable, Any, str]]:
        return [] if e is None else [((e.credit_class, e.whitelisted), e.credit_code, e.credit_code)]

    _move(t.listing_enterprises, j, entries(old), entries(new))


def _moved(
    index: _Sorted, journal: Journal, old: Iterable[Hashable] | None, new: Iterable[Hashable], order: Any, row_id: str
) -> None:
    """`_move` for a row whose order and id stay as they were (a new row: ``old`` is
    ``None``): only the keys it is listed under change."""
    if old is None:
        for key in new:
            index.add(journal, key, order, row_id)
        return
    before, after = set(old), set(new)
    for key in before - after:
        index.remove(journal, key, order, row_id)
    for key in after - before:
        index.add(journal, key, order, row_id)


def index_plan(t: _Tables, j: Journal, old: Plan | None, new: Plan) -> None:
    """Keep `listing_plans` in step with an added or updated plan."""
    start = new.window.start
    if old is None or (old.id == new.id and old.window.start == start):  # filing adds, placing keeps the start
        _moved(t.listing_plans, j, None if old is None else _plan_keys(old), _plan_keys(new), start, new.id)
        return

    def entries(p: Plan | None) -> list[tuple[Hashable, Any, str]]:
        return [] if p is None else [(key, p.window.start, p.id) for key in _plan_keys(p)]

    _move(t.listing_plans, j, entries(old), entries(new))


def index_inspection(t: _Tables, j: Journal, old: Inspection | None, new: Inspection) -> None:
    """Keep `listing_inspections` in step with an added or updated inspection."""
    start = new.window.start
    if old is None or (old.id == new.id and old.window.start == start):  # a new visit, or one joined in place
        index = t.listing_inspections
        _moved(index, j, None if old is None else _inspection_keys(old), _inspection_keys(new), start, new.id)
        return

    def entries(i: Inspection | None) -> list[tuple[Hashable, Any, str]]:
        return [] if i is None else [(key, i.window.start, i.id) for key in _inspection_keys(i)]

    _move(t.listing_inspections, j, entries(old), entries(new))


def index_rectification(t: _Tables, j: Journal, old: Rectification | None, new: Rectification) -> None:
    """Keep `listing_rectifications` (unclosed only) in step with a rectification."""

    def entries(r: Rectification | None) -> list[tuple[Hashable, Any, str]]:
        return [] if r is None else [(key, r.deadline, r.id) for key in _rectification_keys(r)]

    _move(t.listing_rectifications, j, entries(old), entries(new))


def index_complaint(t: _Tables, j: Journal, complaint: Complaint) -> None:
    """Index a new complaint by enterprise and instant."""
    for key in _either(complaint.enterprise):
        t.listing_complaints.add(j, key, complaint.at, complaint.id)


def index_evaluation(t: _Tables, j: Journal, evaluation: Evaluation) -> None:
    """Index a new rating by enterprise and instant."""
    for key in _either(evaluation.enterprise):
        t.listing_evaluations.add(j, key, evaluation.at, evaluation.inspection_id)


def _page(index: _Sorted, key: Hashable, since: Any, until: Any, limit: int, offset: int) -> list[str]:
    """Ids under ``key`` whose order is in ``[since, until)``, a page of them."""
    bucket = index.rows.get(key, [])
    low = 0 if since is None else bisect.bisect_left(bucket, (since,))
    high = len(bucket) if until is None else bisect.bisect_left(bucket, (until,))
    start = low + offset
    return [row_id for _, row_id in bucket[start : min(high, start + limit)]]


class _Listing(_Base):
    def enterprises(
        self, groups: Sequence[tuple[CreditClass, bool]] | None, limit: int, offset: int
    ) -> list[Enterprise]:
        wanted = [(c, w) for c in CreditClass for w in (False, True)] if groups is None else sorted(set(groups))
        buckets = [self._t.listing_enterprises.rows.get(g, []) for g in wanted]
        # a few sorted buckets merged lazily: the page and the offset are all that is read
        merged = itertools.islice(heapq.merge(*buckets), offset, offset + limit)
        rows = self._t.enterprises.rows
        return [rows[code] for _, code in merged]

    def plans(
        self,
        department: str | None,
        status: PlanStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Plan]:
        rows = self._t.plans.rows
        return [rows[i] for i in _page(self._t.listing_plans, (department, status), since, until, limit, offset)]

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
        rows, key = self._t.inspections.rows, (department, enterprise, status)
        return [rows[i] for i in _page(self._t.listing_inspections, key, since, until, limit, offset)]

    def results(self, inspection_id: str, limit: int, offset: int) -> list[ResultRecord]:
        # one inspection's results: as many as its items, whatever the history
        rows = self._t.results.rows
        found = sorted(
            (rows[i] for i in self._t.results_by_inspection.ids.get(inspection_id, {})),
            key=lambda r: (r.recorded_at, r.id),
        )
        return found[offset : offset + limit]

    def unclosed_rectifications(
        self,
        department: str | None,
        enterprise: str | None,
        due_before: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Rectification]:
        rows, index = self._t.rectifications.rows, self._t.listing_rectifications
        return [rows[i] for i in _page(index, (department, enterprise), None, due_before, limit, offset)]

    def complaints(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Complaint]:
        rows = self._t.complaints.rows
        return [rows[i] for i in _page(self._t.listing_complaints, enterprise, since, until, limit, offset)]

    def evaluations(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Evaluation]:
        rows = self._t.evaluations.rows
        return [rows[i] for i in _page(self._t.listing_evaluations, enterprise, since, until, limit, offset)]

    def pending_notifications(self, limit: int, offset: int) -> list[Notification]:
        index, rows = self._t.outbox_pending.rows, self._t.outbox.rows
        numbers = heapq.nsmallest(offset + limit, index)[offset:]
        return [rows[index[n]][1] for n in numbers]

    def audit_entries(self, after_seq: int, through_seq: int | None, limit: int) -> list[AuditEntry]:
        rows = self._t.audit.rows
        last = self._t.audit_head.rows.get("head", EMPTY_HEAD).seq
        if through_seq is not None:
            last = min(last, through_seq)
        found: list[AuditEntry] = []
        for seq in range(max(after_seq, 0) + 1, last + 1):
            row = rows.get(seq)
            if row is not None:
                found.append(parse_row(*row))
                if len(found) == limit:
                    break
        return found
