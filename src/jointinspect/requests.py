"""Inputs and outcomes of the engine's operations (attrs value objects)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import JointInspectError
from jointinspect.model._enums import member
from jointinspect.model._trusted import builder
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.plan import Inspection, InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification
from jointinspect.model.result import ResultRecord
from jointinspect.rules.frequency import RuleHit


def _to_inspection_kind(value: object) -> InspectionKind:
    return member(InspectionKind, "kind")(value)


def _items(value: object) -> tuple[str, ...]:
    return v.identifier_sequence(value, "items")


def _inspectors(value: object) -> tuple[str, ...]:
    return v.identifier_sequence(value, "inspectors")


def _enterprise_credit_code(value: object) -> str:
    return v.credit_code(value, "enterprise")


def _department_identifier(value: object) -> str:
    return v.identifier(value, "department")


def _end_instant(value: object) -> pendulum.DateTime:
    return v.instant(value, "end")


def _start_instant(value: object) -> pendulum.DateTime:
    return v.instant(value, "start")


def _scenario_optional_identifier(value: object) -> str | None:
    return v.optional_identifier(value, "scenario")


def _reason_text(value: object) -> str:
    return v.text(value, "reason")


def _idempotency_key(value: object) -> str | None:
    return v.optional_identifier(value, "idempotency_key")


@attrs.frozen
class PlanRequest:
    """What a department files: one enterprise, items, inspectors, a window and a kind.

    ``scenario`` adds the filing department's items of that scenario (一件事) to ``items``.
    Every field is validated on construction (`jointinspect.validation`): the credit code
    is normalised, ``start``/``end`` are aware datetimes or ISO 8601 text with an offset
    (years 2000-2200), ``items``/``inspectors`` are sequences of identifiers (never a bare
    string), ``reason`` is text.
    """

    enterprise: str = attrs.field(converter=_enterprise_credit_code)
    department: str = attrs.field(converter=_department_identifier)
    start: pendulum.DateTime = attrs.field(converter=_start_instant)
    end: pendulum.DateTime = attrs.field(converter=_end_instant)
    kind: InspectionKind = attrs.field(default=InspectionKind.ROUTINE, converter=_to_inspection_kind)
    items: tuple[str, ...] = attrs.field(default=(), converter=_items)
    inspectors: tuple[str, ...] = attrs.field(default=(), converter=_inspectors)
    scenario: str | None = attrs.field(default=None, converter=_scenario_optional_identifier)
    reason: str = attrs.field(default="", converter=_reason_text)
    #: the department's own plan number: filing the same number again returns the original
    #: outcome and writes nothing; different content under it is refused (issue 8).
    idempotency_key: str | None = attrs.field(default=None, converter=_idempotency_key)

    @property
    def window(self) -> Window:
        """The requested window (validated: aware, start before end)."""
        return Window(self.start, self.end)


@attrs.frozen
class FilingOutcome:
    """What filing (or approving) a plan did.

    ``inspection`` is the visit the plan is part of (``None`` while awaiting approval);
    ``merged`` tells that it joined or bridged existing inspections, listed in
    ``superseded`` when they were folded into ``inspection``. ``warnings`` are the
    frequency rules exceeded (the plan still went ahead); ``shared_records`` are earlier
    same-item results at this enterprise within the sharing lookback; ``exempt_notice``
    is true for kinds that need no advance notice (they were reported instead).
    """

    plan: Plan
    inspection: Inspection | None
    merged: bool = False
    superseded: tuple[str, ...] = ()
    warnings: tuple[RuleHit, ...] = ()
    shared_records: tuple[ResultRecord, ...] = ()
    exempt_notice: bool = False
    #: true when the request repeated an idempotency key already filed: nothing was written.
    replayed: bool = False

    @property
    def status(self) -> PlanStatus:
        """The plan's status."""
        return self.plan.status


#: `FilingOutcome` of all its fields by position (``plan, inspection, merged, superseded,
#: warnings, shared_records, exempt_notice, replayed``), as given: bulk filing builds one a
#: plan, and the fields have no converters to run (a test holds it to the class).
filing_outcome: Callable[
    [Plan, Inspection | None, bool, tuple[str, ...], tuple[RuleHit, ...], tuple[ResultRecord, ...], bool, bool],
    FilingOutcome,
] = builder(FilingOutcome)


@attrs.frozen
class IssuedCode:
    """A signed code: the token text (what the QR holds) and when it expires."""

    token: str
    token_id: str
    subject: str
    expires_at: pendulum.DateTime


@attrs.frozen
class InspectorView:
    """An inspector as the enterprise sees them when scanning a code."""

    id: str
    name: str
    department: str
    certificate_no: str
    certificate_valid_until: dt.date


@attrs.frozen
class CodeView:
    """What the enterprise sees after scanning an inspection code (检查码)."""

    inspection_id: str
    enterprise: str
    status: str
    lead_department: str
    departments: tuple[tuple[str, str], ...]  # (code, name)
    items: tuple[tuple[str, str], ...]  # (code, name)
    inspectors: tuple[InspectorView, ...]
    window: Window
    joint: bool
    #: conflicting standards flagged on the inspection (issue 12), with what prevailed.
    conflicts: tuple[ConflictFlag, ...] = ()


@attrs.frozen
class ResultOutcome:
    """A recorded result and, for a failed item, the rectification it opened."""

    result: ResultRecord
    rectification: Rectification | None


@attrs.frozen
class ReplanOutcome:
    """What `Engine.replan` did to one enterprise's open visits (issue 8).

    ``visits`` are the movable open visits afterwards, ``changed`` those among them whose
    plans or window changed, ``superseded`` the visits folded into them.
    """

    enterprise: str
    visits: tuple[str, ...]
    changed: tuple[str, ...] = ()
    superseded: tuple[str, ...] = ()


@attrs.frozen
class BulkItem:
    """What became of one request of a bulk filing: its ``outcome`` or its ``error``."""

    index: int
    outcome: FilingOutcome | None = None
    error: JointInspectError | None = None

    @property
    def ok(self) -> bool:
        """Whether the request was filed (or replayed)."""
        return self.error is None


@attrs.frozen
class BulkOutcome:
    """The result of `Engine.file_plans`: one `BulkItem` per request, in request order."""

    items: tuple[BulkItem, ...]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> BulkItem:
        return self.items[index]

    @property
    def filed(self) -> list[FilingOutcome]:
        """The outcomes of the requests that were filed (or replayed), in request order."""
        return [item.outcome for item in self.items if item.outcome is not None]

    @property
    def refused(self) -> list[tuple[int, JointInspectError]]:
        """``(index, error)`` of every refused request, in request order."""
        return [(item.index, item.error) for item in self.items if item.error is not None]

    @property
    def ok(self) -> bool:
        """Whether every request was filed."""
        return all(item.ok for item in self.items)
