"""The memory store's period reads for reports (issue 13).

Inspections, ratings and complaints are read from the operator listings' sorted indexes,
which hold every row in the period's order; plans, check-ins, rectifications and audit
entries, which no index orders by the instant a report counts them at, are scanned (the
memory store holds what a test or a quick start files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pendulum

from jointinspect.audit import AuditEntry, parse_row
from jointinspect.memory._tables import _Base
from jointinspect.memory.listing import _page
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.visit import Visit

_R = TypeVar("_R")


def _within(
    rows: Iterable[_R],
    instant: Callable[[_R], pendulum.DateTime],
    tie: Callable[[_R], str],
    since: pendulum.DateTime,
    until: pendulum.DateTime,
) -> list[_R]:
    found = [r for r in rows if since <= instant(r) < until]
    return sorted(found, key=lambda r: (instant(r), tie(r)))


class _Period(_Base):
    def plans_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Plan]:
        return _within(self._t.plans.rows.values(), lambda p: p.filed_at, lambda p: p.id, since, until)

    def inspections_starting(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Inspection]:
        # the operator listing's index already holds every inspection by (window start, id)
        rows = self._t.inspections.rows
        return [rows[i] for i in _page(self._t.listing_inspections, (None, None, None), since, until, len(rows), 0)]

    def inspections_by_id(self, ids: Sequence[str]) -> list[Inspection]:
        rows = self._t.inspections.rows
        return [rows[i] for i in sorted(set(ids)) if i in rows]

    def visits_checked_in(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Visit]:
        return _within(self._t.visits.rows.values(), lambda v: v.checked_in_at, lambda v: v.id, since, until)

    def rectifications_opened(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Rectification]:
        rows = self._t.rectifications.rows.values()
        return _within(rows, lambda r: r.opened_at, lambda r: r.id, since, until)

    def evaluations_given(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Evaluation]:
        rows = self._t.evaluations.rows
        return [rows[i] for i in _page(self._t.listing_evaluations, None, since, until, len(rows), 0)]

    def complaints_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Complaint]:
        rows = self._t.complaints.rows
        return [rows[i] for i in _page(self._t.listing_complaints, None, since, until, len(rows), 0)]

    def audit_actions(
        self, actions: Sequence[str], since: pendulum.DateTime, until: pendulum.DateTime
    ) -> list[AuditEntry]:
        wanted = set(actions)
        rows: dict[Any, Any] = self._t.audit.rows
        entries = (parse_row(*rows[seq]) for seq in sorted(rows))
        return [e for e in entries if e.record.action in wanted and since <= e.record.at < until]
