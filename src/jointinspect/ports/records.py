"""The repositories of an inspection's own records: plans, inspections, visits, results,
rectifications and feedback (complaints and evaluations).

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import pendulum

from jointinspect.model.feedback import Complaint, Evaluation
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.rectification import Rectification
from jointinspect.model.result import ResultRecord
from jointinspect.model.visit import Visit


class PlanRepository(Protocol):
    """Filed plans."""

    def add(self, plan: Plan) -> None:
        """Insert a new plan. Raises `IntegrityError` when its id exists, or when its
        department already holds its ``idempotency_key``."""
        ...

    def update(self, plan: Plan) -> None:
        """Replace the stored plan with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, plan_id: str) -> Plan | None:
        """One plan by id."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Plan]:
        """Plans of one enterprise ordered by ``(filed_at, id)``, skipping the first ``offset``
        and returning at most ``limit`` (all when ``None``). A listing query: its cost grows
        with the enterprise's history, so operations use the bounded reads below."""
        ...

    def for_inspections(self, inspection_ids: Sequence[str]) -> list[Plan]:
        """Plans whose ``inspection_id`` is one of ``inspection_ids``, ordered by
        ``(filed_at, id)``; unknown ids match nothing, an empty sequence returns ``[]``.
        Cost: the plans returned (indexed by inspection)."""
        ...

    def by_idempotency_key(self, department: str, key: str) -> Plan | None:
        """The plan ``department`` filed under its own plan number ``key``, if any
        (keys are unique per department; another department's plan under the same key is
        never returned)."""
        ...

    def by_idempotency_keys(self, department: str, keys: Sequence[str]) -> dict[str, Plan]:
        """`by_idempotency_key` for many keys of one department at once (bulk filing
        preloads a chunk's plan numbers, issue 11): ``{key: plan}`` for each key that
        department filed, keys it did not file left out; an empty sequence returns ``{}``.
        Cost: the keys asked (indexed by plan number)."""
        ...


class InspectionRepository(Protocol):
    """Inspections (visits), joint or not."""

    def add(self, inspection: Inspection) -> None:
        """Insert a new inspection; `IntegrityError` when its id exists."""
        ...

    def update(self, inspection: Inspection) -> None:
        """Replace the stored inspection with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, inspection_id: str) -> Inspection | None:
        """One inspection by id."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Inspection]:
        """Inspections of one enterprise ordered by ``(created_at, id)``, skipping the first
        ``offset`` and returning at most ``limit`` (all when ``None``). A listing query (see
        `PlanRepository.for_enterprise`)."""
        ...

    def open_for_enterprise(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection]:
        """The open inspections of ``enterprise`` a new plan may still join: status
        ``PLANNED`` (nobody has checked in: check-in moves an inspection to
        ``IN_PROGRESS``) and holding at least one plan whose window ends at or after
        ``reaching``; each once, ordered by ``id``.

        Matching compares a new plan with the *plans* of an open inspection (their windows
        can outlast the inspection's own, which is their intersection), so the bound is on
        the plans' window ends: a plan can only share the policy's minimum common time with
        plans ending at or after `jointinspect.rules.matching.reaching` (its allowed start,
        or now if later, plus the minimum, less the longest ``later`` allowance). Cost: the
        enterprise's plans ending at or after ``reaching`` (indexed by enterprise and window end), not its history."""
        ...

    def open_for_enterprises(self, reaching: Mapping[str, pendulum.DateTime]) -> dict[str, list[Inspection]]:
        """`open_for_enterprise` for many enterprises at once, each with its own bound
        (bulk filing preloads a chunk's open visits, issue 11): ``{enterprise:
        open_for_enterprise(enterprise, reaching[enterprise])}`` for every enterprise of
        ``reaching`` (``[]`` for one without such a visit), same rows and order; an empty
        mapping returns ``{}``. Cost: the plans of those enterprises ending at or after the
        lowest bound."""
        ...


class VisitRepository(Protocol):
    """Check-ins and check-outs."""

    def add(self, visit: Visit) -> None:
        """Insert a new check-in.

        Raises:
            IntegrityError: the id exists, or the visit is open (not checked out) and its
                inspector already has an open visit at any inspection. The second check is
                atomic with concurrent adds (a unique index in SQL), so that one inspector
                can never hold two open check-ins, even at two enterprises at once.
        """
        ...

    def update(self, visit: Visit) -> None:
        """Replace the stored visit with the same id (used by check-out; the inspector's
        open slot is freed when ``checked_out_at`` is set); `IntegrityError` when there is
        none."""
        ...

    def for_inspection(self, inspection_id: str) -> list[Visit]:
        """Every visit of one inspection, ordered by ``(checked_in_at, id)``."""
        ...

    def open_for_inspector(self, inspector_id: str) -> list[Visit]:
        """The inspector's visits not checked out yet, at any inspection and enterprise,
        ordered by ``(checked_in_at, id)`` (the engine keeps at most one); the unit of work's
        own uncommitted check-ins and check-outs count."""
        ...


class ResultRepository(Protocol):
    """Findings per item."""

    def add(self, result: ResultRecord) -> None:
        """Insert a new result; `IntegrityError` when its id exists."""
        ...

    def update(self, result: ResultRecord) -> None:
        """Replace the stored result with the same id (acknowledgement, correction);
        `IntegrityError` when there is none."""
        ...

    def get(self, result_id: str) -> ResultRecord | None:
        """One result by id."""
        ...

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        """Results of one enterprise for any of ``items`` recorded at or after ``since``,
        ordered by ``(recorded_at, id)``; ``[]`` for no items. Never returns another
        enterprise's records. Cost:
        the rows returned (indexed by enterprise, item and recorded_at)."""
        ...

    def for_enterprises(
        self, enterprises: Sequence[str], items: Sequence[str], since: pendulum.DateTime
    ) -> dict[str, list[ResultRecord]]:
        """`for_enterprise` for many enterprises at once (bulk filing preloads the results
        a chunk's plans may share, issue 11): ``{enterprise: for_enterprise(enterprise,
        items, since)}`` for every enterprise asked, same rows and order; an empty
        sequence returns ``{}``. Cost: the rows returned."""
        ...

    def for_inspection(self, inspection_id: str) -> list[ResultRecord]:
        """Every result of one inspection, ordered by ``(recorded_at, id)``."""
        ...

    def first_since(self, enterprise: str, item: str, since: pendulum.DateTime) -> ResultRecord | None:
        """The earliest result of ``enterprise`` for ``item`` recorded at or after ``since``
        (ties on ``recorded_at``: the smallest ``id``), or ``None``. Cost: one index probe
        (enterprise, item, recorded_at)."""
        ...

    def ever_failed(self, enterprise: str, item: str) -> bool:
        """Whether any result of ``enterprise`` for ``item`` has outcome ``FAIL``, however
        old. Cost: one index probe (enterprise, item, outcome)."""
        ...


class RectificationRepository(Protocol):
    """Rectifications and their history."""

    def add(self, rectification: Rectification) -> None:
        """Insert a new rectification; `IntegrityError` when its id exists."""
        ...

    def update(self, rectification: Rectification) -> None:
        """Replace the stored rectification with the same id; `IntegrityError` when there is none."""
        ...

    def get(self, rectification_id: str) -> Rectification | None:
        """One rectification by id."""
        ...

    def due_before(self, instant: pendulum.DateTime) -> list[Rectification]:
        """Open or submitted rectifications whose deadline is before ``instant`` (strictly),
        ordered by ``(deadline, id)``."""
        ...

    def overdue(self, instant: pendulum.DateTime) -> list[Rectification]:
        """``OPEN`` rectifications whose deadline is before ``instant``, ordered by
        ``(deadline, id)``. Cost: the rows returned (indexed by state and deadline);
        submitted, accepted, refused and already-overdue ones are never read."""
        ...

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Rectification]:
        """Rectifications of one enterprise ordered by ``(opened_at, id)``, skipping the
        first ``offset`` and returning at most ``limit`` (all when ``None``). A listing
        query."""
        ...


class FeedbackRepository(Protocol):
    """Ratings and complaints."""

    def add_evaluation(self, evaluation: Evaluation) -> None:
        """Insert a rating; `IntegrityError` when the inspection already has one."""
        ...

    def get_evaluation(self, inspection_id: str) -> Evaluation | None:
        """The rating of one inspection, or ``None``."""
        ...

    def add_complaint(self, complaint: Complaint) -> None:
        """Insert a complaint; `IntegrityError` when its id exists."""
        ...

    def complaints(self, enterprise: str) -> list[Complaint]:
        """Complaints filed by one enterprise, ordered by ``(at, id)``."""
        ...
