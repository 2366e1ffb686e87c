"""Reading records: one inspection, plan or enterprise, and an enterprise's history in pages."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import Enterprise
from jointinspect.operations import queries


class QueryFacet(Facet):
    """The Engine's read operations (every read names its principal, like every write)."""

    def inspection(self, inspection_id: str, *, by: Principal) -> Inspection:
        """One inspection (follow ``successor`` for a superseded one)."""
        return queries.inspection(self._context, inspection_id, by)

    def plan(self, plan_id: str, *, by: Principal) -> Plan:
        """One plan."""
        return queries.plan(self._context, plan_id, by)

    def inspections_of(
        self, enterprise: str, *, by: Principal, limit: int | None = None, offset: int = 0
    ) -> list[Inspection]:
        """One enterprise's inspections by ``(created_at, id)``: ``limit`` (``None``: all) after ``offset``."""
        return queries.inspections_of(self._context, enterprise, by, limit, offset)

    def rectifications_of(
        self, enterprise: str, *, by: Principal, limit: int | None = None, offset: int = 0
    ) -> list[Rectification]:
        """One enterprise's rectifications by ``(opened_at, id)``: ``limit`` (``None``: all) after ``offset``."""
        return queries.rectifications_of(self._context, enterprise, by, limit, offset)

    def enterprise(self, credit_code: str, *, by: Principal) -> Enterprise:
        """One enterprise."""
        return queries.enterprise(self._context, credit_code, by)
