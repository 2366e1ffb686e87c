"""The operator's listings (issue 11): paged, totally ordered reads.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pendulum

from jointinspect.audit import AuditEntry
from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, PlanStatus
from jointinspect.model.rectification import Rectification
from jointinspect.model.reference import CreditClass, Enterprise
from jointinspect.model.result import ResultRecord


class ListingRepository(Protocol):
    """The operator's listings (issue 11): each returns one page, the first ``offset`` rows
    skipped and at most ``limit`` returned, in the total order it states (a unique id breaks
    ties), so that consecutive pages neither repeat nor miss a row while nothing changes.
    ``since``/``until`` bound an instant half-open, ``[since, until)``; ``None`` leaves
    that side open. Cost: the page plus ``offset`` (an index in that order), never the
    history. The operations validate the arguments before calling (``limit >= 1``,
    ``offset >= 0``, ``since < until``)."""

    def enterprises(
        self, groups: Sequence[tuple[CreditClass, bool]] | None, limit: int, offset: int
    ) -> list[Enterprise]:
        """Enterprises whose ``(credit_class, whitelisted)`` is one of ``groups`` (every
        enterprise when ``None``; none when empty), ordered by ``credit_code``."""
        ...

    def plans(
        self,
        department: str | None,
        status: PlanStatus | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Plan]:
        """Plans of ``department`` (any when ``None``) with ``status`` (any when ``None``)
        whose window *starts* in ``[since, until)``, ordered by ``(window.start, id)``."""
        ...

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
        """Inspections in which ``department`` takes part (one of ``departments``), of
        ``enterprise``, with ``status`` (each filter ignored when ``None``), whose window
        starts in ``[since, until)``, ordered by ``(window.start, id)``."""
        ...

    def results(self, inspection_id: str, limit: int, offset: int) -> list[ResultRecord]:
        """Results of one inspection ordered by ``(recorded_at, id)``."""
        ...

    def unclosed_rectifications(
        self,
        department: str | None,
        enterprise: str | None,
        due_before: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Rectification]:
        """Rectifications still open (``OPEN``, ``SUBMITTED`` or ``OVERDUE``) of
        ``department`` (the rectification's) and ``enterprise`` (each ignored when
        ``None``), with ``deadline < due_before`` when given, ordered by ``(deadline, id)``."""
        ...

    def complaints(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Complaint]:
        """Complaints of ``enterprise`` (any when ``None``) filed in ``[since, until)``,
        ordered by ``(at, id)``."""
        ...

    def evaluations(
        self,
        enterprise: str | None,
        since: pendulum.DateTime | None,
        until: pendulum.DateTime | None,
        limit: int,
        offset: int,
    ) -> list[Evaluation]:
        """Ratings by ``enterprise`` (any when ``None``) given in ``[since, until)``,
        ordered by ``(at, inspection_id)``."""
        ...

    def pending_notifications(self, limit: int, offset: int) -> list[Notification]:
        """Undelivered notifications in the order the outbox queued them (due or not).
        Cost: the backlog at most, never the delivered rows."""
        ...

    def audit_entries(self, after_seq: int, through_seq: int | None, limit: int) -> list[AuditEntry]:
        """Audit entries with ``after_seq < seq <= through_seq`` (no upper bound when
        ``None``), at most ``limit``, in ``seq`` order; each row is rebuilt with
        `jointinspect.audit.parse_row` (a corrupted row raises ``AuditChainBroken``)."""
