"""The operator's listings (issue 11): every one paginated and in a stated, stable order.

Each takes ``limit`` (1..1000, default 100) and ``offset`` (>= 0) and returns one page; an
instant range is half-open, ``[since, until)``. A principal bound to a department or an
enterprise reads its own by default (docs/queries.md lists who may read what).
"""

from __future__ import annotations

import pendulum

from jointinspect.audit import AuditEntry
from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import ResultRecord
from jointinspect.operations import listing
from jointinspect.operations.listing import DEFAULT_LIMIT
from jointinspect.policy.schema import WhitelistMode

Instant = pendulum.DateTime | str | None


class ListingFacet(Facet):
    """The Engine's listings for operators (see `jointinspect.operations.listing`).

    Raises (each): Forbidden (``by`` may not read those records), ValidationError (a bad
    page, filter or range: ``input.*``, ``query.range_reversed``).
    """

    def list_enterprises(
        self,
        *,
        by: Principal,
        credit_class: CreditClass | str | None = None,
        whitelisted: bool | None = None,
        whitelist: WhitelistMode | str | None = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Enterprise]:
        """Enterprises by ``credit_code``: of a credit class, explicitly whitelisted or not,
        and/or in a whitelist mode under the engine's policy (normal, limited, exempt)."""
        return listing.list_enterprises(self._context, by, credit_class, whitelisted, whitelist, limit, offset)

    def list_plans(
        self,
        *,
        by: Principal,
        department: str | None = None,
        status: PlanStatus | str | None = None,
        since: Instant = None,
        until: Instant = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Plan]:
        """Plans by ``(window.start, id)`` whose window starts in ``[since, until)``."""
        return listing.list_plans(self._context, by, department, status, since, until, limit, offset)

    def pending_approvals(
        self,
        *,
        by: Principal,
        department: str | None = None,
        since: Instant = None,
        until: Instant = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Plan]:
        """Plans awaiting whitelist approval, the earliest window first (``(window.start, id)``)."""
        return listing.list_plans(
            self._context, by, department, PlanStatus.PENDING_APPROVAL, since, until, limit, offset, "pending_approvals"
        )

    def list_inspections(
        self,
        *,
        by: Principal,
        department: str | None = None,
        enterprise: str | None = None,
        status: InspectionStatus | str | None = None,
        since: Instant = None,
        until: Instant = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Inspection]:
        """Inspections (visits) by ``(window.start, id)``: a department taking part, an
        enterprise, a status, a window start in ``[since, until)``."""
        return listing.list_inspections(self._context, by, department, enterprise, status, since, until, limit, offset)

    def results_of(
        self, inspection_id: str, *, by: Principal, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> list[ResultRecord]:
        """The results of one inspection by ``(recorded_at, id)``.

        Raises:
            NotFoundError: no such inspection.
        """
        return listing.results_of(self._context, by, inspection_id, limit, offset)

    def list_rectifications(
        self,
        *,
        by: Principal,
        department: str | None = None,
        enterprise: str | None = None,
        overdue: bool = False,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Rectification]:
        """Rectifications still open (open, submitted, overdue) by ``(deadline, id)``; with
        ``overdue``, only those past their deadline now, swept or not."""
        return listing.list_rectifications(self._context, by, department, enterprise, overdue, limit, offset)

    def list_complaints(
        self,
        *,
        by: Principal,
        enterprise: str | None = None,
        since: Instant = None,
        until: Instant = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Complaint]:
        """Complaints by ``(at, id)`` filed in ``[since, until)``."""
        return listing.list_complaints(self._context, by, enterprise, since, until, limit, offset)

    def list_evaluations(
        self,
        *,
        by: Principal,
        enterprise: str | None = None,
        since: Instant = None,
        until: Instant = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> list[Evaluation]:
        """Ratings by ``(at, inspection_id)`` given in ``[since, until)``."""
        return listing.list_evaluations(self._context, by, enterprise, since, until, limit, offset)

    def pending_notifications(
        self, *, by: Principal, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> list[Notification]:
        """Undelivered notifications of the outbox, in the order they were queued."""
        return listing.pending_notifications(self._context, by, limit, offset)

    def audit_entries(
        self, *, by: Principal, after_seq: int = 0, through_seq: int | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[AuditEntry]:
        """Audit entries with ``after_seq < seq <= through_seq``, at most ``limit``, in
        ``seq`` order (page on with the last ``seq`` read)."""
        return listing.audit_entries(self._context, by, after_seq, through_seq, limit)
