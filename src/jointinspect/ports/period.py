"""A period's records read whole, for reports (issue 13).

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pendulum

from jointinspect.audit import AuditEntry
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.visit import Visit


class PeriodRepository(Protocol):
    """A period's records, each kind read whole in one ordered query, for reports such as
    `jointinspect.kpi` (issue 13). ``[since, until)`` is half-open and both bounds are
    given. Cost: the rows of the period (an index on the instant in SQL), never the
    history or the number of enterprises. Reads only."""

    def plans_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Plan]:
        """Plans whose ``filed_at`` is in the period, ordered by ``(filed_at, id)``."""
        ...

    def inspections_starting(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Inspection]:
        """Inspections whose window starts in the period, ordered by ``(window.start, id)``."""
        ...

    def inspections_by_id(self, ids: Sequence[str]) -> list[Inspection]:
        """The inspections with these ids, ordered by id; unknown ids are skipped and a
        repeated id is returned once."""
        ...

    def visits_checked_in(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Visit]:
        """Visits (check-ins) whose ``checked_in_at`` is in the period, ordered by
        ``(checked_in_at, id)``."""
        ...

    def rectifications_opened(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Rectification]:
        """Rectifications whose ``opened_at`` is in the period (any state now), ordered by
        ``(opened_at, id)``."""
        ...

    def evaluations_given(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Evaluation]:
        """Ratings given in the period, ordered by ``(at, inspection_id)``."""
        ...

    def complaints_filed(self, since: pendulum.DateTime, until: pendulum.DateTime) -> list[Complaint]:
        """Complaints filed in the period, ordered by ``(at, id)``."""
        ...

    def audit_actions(
        self, actions: Sequence[str], since: pendulum.DateTime, until: pendulum.DateTime
    ) -> list[AuditEntry]:
        """Audit entries whose action is one of ``actions`` and whose ``at`` is in the
        period, in ``seq`` order (none when ``actions`` is empty)."""
        ...
