"""Inputs and outcomes of the engine's operations (attrs value objects)."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum

from jointinspect.model._enums import member
from jointinspect.model.plan import Inspection, InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification
from jointinspect.model.result import ResultRecord
from jointinspect.rules.frequency import RuleHit


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _to_inspection_kind(value: object) -> InspectionKind:
    return member(InspectionKind)(value)


@attrs.frozen
class PlanRequest:
    """What a department files: one enterprise, items, inspectors, a window and a kind.

    ``scenario`` adds the filing department's items of that scenario (一件事) to ``items``.
    """

    enterprise: str
    department: str
    start: dt.datetime
    end: dt.datetime
    kind: InspectionKind = attrs.field(default=InspectionKind.ROUTINE, converter=_to_inspection_kind)
    items: tuple[str, ...] = attrs.field(default=(), converter=_names)
    inspectors: tuple[str, ...] = attrs.field(default=(), converter=_names)
    scenario: str | None = None
    reason: str = ""
    #: the department's own plan number: filing the same number again returns the original
    #: outcome and writes nothing; different content under it is refused (issue 8).
    idempotency_key: str | None = None

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
