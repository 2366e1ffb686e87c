"""What the supervising office reads: the KPIs of a period."""

from __future__ import annotations

import pendulum

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.kpi import KpiReport
from jointinspect.operations import supervision


class SupervisionFacet(Facet):
    """The Engine's supervision report."""

    def supervision_report(self, start: pendulum.DateTime, end: pendulum.DateTime, *, by: Principal) -> KpiReport:
        """The supervision KPIs of ``[start, end)`` over every enterprise (`jointinspect.kpi`):
        plans filed and advance notice, whitelist approvals, joint-visit rate, repeat visits
        avoided, visits per enterprise, enterprise-code scans, warnings, rectifications,
        visit duration, ratings and complaints. Read-only, one consistent unit of work.

        Raises:
            Forbidden: ``by`` is neither the supervising office nor the platform.
            ValidationError: a bad or empty period, or a store that cannot list enterprises.
        """
        return supervision.supervision_report(self._context, start, end, by)
