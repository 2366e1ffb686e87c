"""A period's records for reports (issue 13): one indexed, ordered ``SELECT`` per kind.

Each read is a range of an index on the instant the report counts the record at
(`jointinspect_sqlalchemy.schema_period`, and the listings' indexes for inspections,
ratings and complaints), so its cost is the period's rows, not the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pendulum
from sqlalchemy import select

from jointinspect.audit import AuditEntry, parse_row
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.visit import Visit
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.repositories.listing import _between
from jointinspect_sqlalchemy.schema_period import ACTION_PREFIX

#: Ids per ``IN (...)`` list: well under every driver's bound-parameter limit.
_IDS_PER_QUERY = 500


class _Period(_Repo):
    def _in_period(
        self, table: Any, instant: str, tie: str, kind: type[Any], since: pendulum.DateTime, until: pendulum.DateTime
    ) -> list[Any]:
        """The bodies of ``table``'s rows whose ``instant`` is in the period, by ``(instant, tie)``."""
        column = table.c[instant]
        return self._bodies(_between(select(table.c.body), column, since, until).order_by(column, table.c[tie]), kind)

    def plans_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Plan]:
        return self._in_period(s.plans, "filed_at", "id", Plan, since, until)

    def inspections_starting(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Inspection]:
        return self._in_period(s.inspections, "window_start", "id", Inspection, since, until)

    def inspections_by_id(self, ids: Sequence[str]) -> list[Inspection]:
        t, wanted = s.inspections, sorted(set(ids))
        found: list[Inspection] = []
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            part = wanted[start : start + _IDS_PER_QUERY]
            found += self._bodies(select(t.c.body).where(t.c.id.in_(part)), Inspection)
        return sorted(found, key=lambda i: i.id)

    def visits_checked_in(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Visit]:
        return self._in_period(s.visits, "checked_in_at", "id", Visit, since, until)

    def rectifications_opened(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Rectification]:
        return self._in_period(s.rectifications, "opened_at", "id", Rectification, since, until)

    def evaluations_given(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Evaluation]:
        return self._in_period(s.evaluations, "at", "inspection_id", Evaluation, since, until)

    def complaints_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Complaint]:
        return self._in_period(s.complaints, "at", "id", Complaint, since, until)

    def audit_actions(
        self, actions: Sequence[str], since: pendulum.DateTime, until: pendulum.DateTime
    ) -> list[AuditEntry]:
        wanted = set(actions)
        if not wanted:
            return []
        t = s.audit_log
        query = (
            _between(select(t.c.seq, t.c.prev_hash, t.c.hash, t.c.body), t.c.at, since, until)
            .where(t.c.action.in_(sorted({a[:ACTION_PREFIX] for a in wanted})))
            .order_by(t.c.seq)
        )
        entries = (parse_row(*row) for row in self._uow.execute(query))
        # the column keeps a prefix of a long action: the parsed entry decides
        return [e for e in entries if e.record.action in wanted]
