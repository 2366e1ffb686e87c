"""Plans (检查计划) and the inspections (visits) they are merged into."""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.model._enums import member
from jointinspect.model._trusted import builder, sorted_names
from jointinspect.timeutil import shifted, utc, utc_or_none


class InspectionKind(enum.StrEnum):
    """Why an inspection happens. Which kinds count toward which limit is policy data."""

    ROUTINE = "routine"
    RANDOM = "random"  # 双随机 spot check
    SPECIAL = "special"  # 专项检查
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    ASSIGNED = "assigned"  # assigned by a superior (上级交办)
    REFERRAL = "referral"  # transferred from another department (移送)
    DATA = "data"  # triggered by monitoring data
    EMERGENCY = "emergency"  # accident or urgent danger; cannot be planned


#: Kinds triggered by an event rather than planned; by default warned, never blocked.
TRIGGERED_KINDS = frozenset(
    {
        InspectionKind.COMPLAINT,
        InspectionKind.REPORT,
        InspectionKind.ASSIGNED,
        InspectionKind.REFERRAL,
        InspectionKind.DATA,
        InspectionKind.EMERGENCY,
    }
)


def _to_inspection_kind(value: object) -> InspectionKind:
    if type(value) is InspectionKind:  # already a member (most values): skip building the converter
        return value
    return member(InspectionKind, "kind")(value)


def _to_plan_status(value: object) -> PlanStatus:
    if type(value) is PlanStatus:  # already a member (most values): skip building the converter
        return value
    return member(PlanStatus)(value)


def _to_inspection_status(value: object) -> InspectionStatus:
    if type(value) is InspectionStatus:  # already a member (most values): skip building the converter
        return value
    return member(InspectionStatus)(value)


@attrs.frozen
class Window:
    """A half-open interval of instants ``[start, end)`` in UTC."""

    start: pendulum.DateTime = attrs.field(converter=utc)
    end: pendulum.DateTime = attrs.field(converter=utc)

    def __attrs_post_init__(self) -> None:
        if not self.start < self.end:
            raise ValidationError("window.invalid", start=self.start.isoformat(), end=self.end.isoformat())

    def contains(self, at: pendulum.DateTime, tolerance: pendulum.Duration | None = None) -> bool:
        """Whether ``at`` lies in the window, widened by ``tolerance`` on both sides."""
        if tolerance is None:
            return self.start <= at < self.end
        return shifted(self.start, -tolerance) <= at < shifted(self.end, tolerance)

    def gap_to(self, other: Window) -> pendulum.Duration:
        """Time between the two windows; zero when they overlap or touch."""
        if self.end <= other.start:
            return other.start - self.end
        if other.end <= self.start:
            return self.start - other.end
        return pendulum.duration()

    def intersection(self, other: Window) -> Window | None:
        """The common part of two windows, or ``None``."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Window(start, end) if start < end else None


class PlanStatus(enum.StrEnum):
    """Life of a plan."""

    PENDING_APPROVAL = "pending_approval"  # whitelist: waits for the supervising office
    ACTIVE = "active"  # part of an inspection
    REJECTED = "rejected"  # approval refused
    WITHDRAWN = "withdrawn"


def _sorted_tuple(value: object) -> tuple[str, ...]:
    if sorted_names(value):  # already what the conversion makes (a store's rows, a group's)
        return value  # type: ignore[return-value]
    return tuple(sorted({str(v) for v in value}))  # type: ignore[attr-defined]


def _reason_text(value: object) -> str:
    return v.text(value, "reason")


def _idempotency_key(value: object) -> str | None:
    return v.optional_identifier(value, "idempotency_key")


@attrs.frozen
class Plan:
    """One department's intention to inspect one enterprise on given items in a window."""

    id: str
    enterprise: str
    department: str
    items: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    inspectors: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    window: Window
    kind: InspectionKind = attrs.field(converter=_to_inspection_kind)
    filed_at: pendulum.DateTime = attrs.field(converter=utc)
    status: PlanStatus = attrs.field(default=PlanStatus.ACTIVE, converter=_to_plan_status)
    inspection_id: str | None = None
    #: approver roles that have approved so far (whitelist double approval).
    approvals: tuple[str, ...] = ()
    reason: str = attrs.field(default="", converter=_reason_text)
    #: who gave each approval (`jointinspect.auth.Principal.actor`), in step with ``approvals``.
    approved_by: tuple[str, ...] = ()
    #: the department's own plan number: filing it again returns this plan (issue 8).
    idempotency_key: str | None = attrs.field(default=None, converter=_idempotency_key)

    @classmethod
    def checked(
        cls,
        id: str,
        enterprise: str,
        department: str,
        items: tuple[str, ...],
        inspectors: tuple[str, ...],
        window: Window,
        kind: InspectionKind,
        filed_at: pendulum.DateTime,
        status: PlanStatus,
        reason: str,
        idempotency_key: str | None,
        texts_checked: bool = False,
    ) -> Plan:
        """A new plan (not placed, not approved) as filing builds one for every request, from
        values already right (sorted distinct tuples, members, a UTC instant): built without
        the converters that would only copy them; the texts are still checked unless
        ``texts_checked`` (the caller took them from a record whose converters for them
        are these: a `jointinspect.requests.PlanRequest`). Anything else goes through
        the converters."""
        if not (
            type(kind) is InspectionKind
            and type(status) is PlanStatus
            and type(window) is Window
            and _is_utc(filed_at)
            and sorted_names(items)
            and sorted_names(inspectors)
        ):
            return cls(
                id=id,
                enterprise=enterprise,
                department=department,
                items=items,
                inspectors=inspectors,
                window=window,
                kind=kind,
                filed_at=filed_at,
                status=status,
                reason=reason,
                idempotency_key=idempotency_key,
            )
        reason = reason if texts_checked else _reason_text(reason)
        idempotency_key = idempotency_key if texts_checked else _idempotency_key(idempotency_key)
        if cls is Plan:  # the fields in their order, by position (filing builds one a request)
            return _build_plan(
                id,
                enterprise,
                department,
                items,
                inspectors,
                window,
                kind,
                filed_at,
                status,
                None,
                (),
                reason,
                (),
                idempotency_key,
            )
        return builder(cls)(
            id=id,
            enterprise=enterprise,
            department=department,
            items=items,
            inspectors=inspectors,
            window=window,
            kind=kind,
            filed_at=filed_at,
            status=status,
            inspection_id=None,
            approvals=(),
            reason=reason,
            approved_by=(),
            idempotency_key=idempotency_key,
        )

    def placed_in(self, inspection_id: str | None) -> Plan:
        """The plan placed in visit ``inspection_id``: ``attrs.evolve`` without running the
        converters again on values they already made (placement does it for every plan)."""
        if type(self) is not Plan:  # a subclass may hold more fields
            return attrs.evolve(self, inspection_id=inspection_id)
        # the fields in their order, by position (cheaper than by name)
        return _build_plan(
            self.id,
            self.enterprise,
            self.department,
            self.items,
            self.inspectors,
            self.window,
            self.kind,
            self.filed_at,
            self.status,
            inspection_id,
            self.approvals,
            self.reason,
            self.approved_by,
            self.idempotency_key,
        )

    @property
    def idempotency(self) -> str | None:
        """The stored lookup key ``department/key`` (unique), or ``None``."""
        return None if self.idempotency_key is None else f"{self.department}/{self.idempotency_key}"


_build_plan = builder(Plan)


def _is_utc(value: object) -> bool:
    """Whether ``value`` is what `utc` returns unchanged: a pendulum instant in UTC."""
    return type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC


class InspectionStatus(enum.StrEnum):
    """Life of an inspection (one visit, joint or not)."""

    PLANNED = "planned"  # may still absorb other plans
    IN_PROGRESS = "in_progress"  # someone checked in; frozen for matching
    COMPLETED = "completed"  # everyone checked out
    SUPERSEDED = "superseded"  # merged into another inspection
    CANCELLED = "cancelled"


@attrs.frozen
class Inspection:
    """A visit to one enterprise: one or more plans merged, one lead department.

    ``joint`` is true when plans of two or more departments take part. ``successor`` names
    the inspection this one was merged into when its status is ``SUPERSEDED``.
    """

    id: str
    enterprise: str
    lead_department: str
    plan_ids: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    departments: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    items: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    inspectors: tuple[str, ...] = attrs.field(converter=_sorted_tuple)
    window: Window
    kind: InspectionKind = attrs.field(converter=_to_inspection_kind)
    created_at: pendulum.DateTime = attrs.field(converter=utc)
    status: InspectionStatus = attrs.field(default=InspectionStatus.PLANNED, converter=_to_inspection_status)
    successor: str | None = None
    #: the frequency-ledger reservation that counts this visit.
    reservation_id: str | None = None
    completed_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)

    @property
    def joint(self) -> bool:
        """Whether two or more departments take part."""
        return len(self.departments) > 1

    @classmethod
    def checked(
        cls,
        id: str,
        enterprise: str,
        lead_department: str,
        plan_ids: tuple[str, ...],
        departments: tuple[str, ...],
        items: tuple[str, ...],
        inspectors: tuple[str, ...],
        window: Window,
        kind: InspectionKind,
        created_at: pendulum.DateTime,
        status: InspectionStatus = InspectionStatus.PLANNED,
        successor: str | None = None,
        reservation_id: str | None = None,
        completed_at: pendulum.DateTime | None = None,
    ) -> Inspection:
        """An inspection placement builds (or re-describes) for every plan from values
        already right (a matching `Group`'s sorted distinct tuples, members, UTC instants):
        built without the converters that would only copy them, else by them."""
        already = (
            type(kind) is InspectionKind
            and type(status) is InspectionStatus
            and type(window) is Window
            and _is_utc(created_at)
            and (completed_at is None or _is_utc(completed_at))
            and sorted_names(plan_ids)
            and sorted_names(departments)
            and sorted_names(items)
            and sorted_names(inspectors)
        )
        build = (_build_inspection if cls is Inspection else builder(cls)) if already else cls
        return build(
            id=id,
            enterprise=enterprise,
            lead_department=lead_department,
            plan_ids=plan_ids,
            departments=departments,
            items=items,
            inspectors=inspectors,
            window=window,
            kind=kind,
            created_at=created_at,
            status=status,
            successor=successor,
            reservation_id=reservation_id,
            completed_at=completed_at,
        )


#: `Inspection` built from its fields as given (`Inspection.checked`, once they are).
_build_inspection = builder(Inspection)
