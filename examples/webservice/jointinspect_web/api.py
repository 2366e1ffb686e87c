"""The JSON API: departments, inspectors, enterprises and the supervising office.

Every route names its caller from the session token (`jointinspect_web.tokens`) and calls
one Engine operation as that principal; the engine's authorization matrix decides what the
caller may do, so the routes hold no rule of their own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pendulum
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from jointinspect_reports import render as draw
from pydantic import BaseModel, Field

from jointinspect.auth import Principal, check
from jointinspect.errors import ValidationError
from jointinspect.kpi import KpiReport
from jointinspect.model.notification import Role
from jointinspect.model.plan import PlanStatus
from jointinspect.model.reference import GeoPoint
from jointinspect.notices import names_from_store, render
from jointinspect.requests import PlanRequest
from jointinspect_web.errors import language
from jointinspect_web.serialize import plain
from jointinspect_web.service import WebService, principal_of, service_of

Caller = Annotated[Principal, Depends(principal_of)]
Service = Annotated[WebService, Depends(service_of)]
router = APIRouter(prefix="/api")


def instant(text: str, field: str, zone: str) -> pendulum.DateTime:
    """An ISO 8601 instant or date (a date or a time without offset is in ``zone``).

    Raises:
        ValidationError: ``input.invalid`` naming ``field``.
    """
    try:
        parsed = pendulum.parse(text, tz=zone)
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError) as exc:
        raise ValidationError(
            "input.invalid",
            reason=f"{field} must be an ISO 8601 date or instant, not {text!r}",
            reason_zh=f"{field} 须为 ISO 8601 格式的日期或时间,而不是 {text!r}",
        ) from exc
    if not isinstance(parsed, pendulum.DateTime):
        if isinstance(parsed, pendulum.Date):
            return pendulum.datetime(parsed.year, parsed.month, parsed.day, tz=zone)
        raise ValidationError(
            "input.invalid",
            reason=f"{field} must be a date or an instant, not {text!r}",
            reason_zh=f"{field} 须为日期或时间,而不是 {text!r}",
        )
    return parsed


# ----------------------------------------------------------------------------- departments


class PlanBody(BaseModel):
    """A plan to file (the department defaults to the officer's own)."""

    enterprise: str = Field(description="unified social credit code of the enterprise")
    start: str = Field(description="window start, ISO 8601 (no offset: the city's zone)")
    end: str = Field(description="window end, ISO 8601")
    items: list[str] = Field(min_length=1, description="supervision item codes")
    inspectors: list[str] = Field(min_length=1, description="inspector ids")
    kind: str = "routine"
    reason: str = ""
    department: str | None = None


class DecisionBody(BaseModel):
    """An approver's decision on a plan awaiting whitelist approval."""

    approve: bool = True
    reason: str = ""
    role: str | None = None


@router.post("/plans", tags=["departments"], status_code=201)
def file_plan(body: PlanBody, by: Caller, service: Service) -> dict[str, Any]:
    """File a plan (an officer of its department): merged into a joint visit, reserved, or
    waiting for approval when the enterprise is whitelisted."""
    zone = service.zone
    request = PlanRequest(
        body.enterprise,
        body.department or by.department or "",
        instant(body.start, "start", zone),
        instant(body.end, "end", zone),
        items=body.items,
        inspectors=body.inspectors,
        kind=body.kind,
        reason=body.reason,
    )
    out: dict[str, Any] = plain(service.engine.file_plan(request, by=by))
    return out


@router.get("/plans/{plan_id}", tags=["departments"])
def get_plan(plan_id: str, by: Caller, service: Service) -> dict[str, Any]:
    """One plan."""
    out: dict[str, Any] = plain(service.engine.plan(plan_id, by=by))
    return out


@router.get("/enterprises/{credit_code}/inspections", tags=["departments"])
def list_inspections(
    credit_code: str,
    by: Caller,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """One enterprise's inspections, oldest first, in pages."""
    return [plain(i) for i in service.engine.inspections_of(credit_code, by=by, limit=limit, offset=offset)]


@router.post("/plans/{plan_id}/decision", tags=["departments", "supervision"])
def decide_plan(plan_id: str, body: DecisionBody, by: Caller, service: Service) -> dict[str, Any]:
    """Approve or reject a plan awaiting whitelist approval (an approver)."""
    outcome = service.engine.approve_plan(plan_id, body.role, approve=body.approve, reason=body.reason, by=by)
    out: dict[str, Any] = plain(outcome)
    return out


@router.post("/inspections/{inspection_id}/code", tags=["departments"])
def issue_code(inspection_id: str, by: Caller, service: Service) -> dict[str, Any]:
    """Sign the inspection code (检查码) of an inspection (the lead department)."""
    out: dict[str, Any] = plain(service.engine.issue_inspection_code(inspection_id, by=by))
    return out


@router.post("/enterprises/{credit_code}/code", tags=["departments", "supervision"])
def issue_enterprise_code(credit_code: str, by: Caller, service: Service) -> dict[str, Any]:
    """Sign the standing enterprise code (企业码) posted at the gate (the platform or the office)."""
    out: dict[str, Any] = plain(service.engine.issue_enterprise_code(credit_code, by=by))
    return out


# ----------------------------------------------------------------------------- inspectors


class CheckInBody(BaseModel):
    """A check-in: the inspection code, the enterprise code scanned at the gate, the position."""

    inspection_code: str
    enterprise_code: str | None = None
    lat: float
    lon: float


class ResultBody(BaseModel):
    """A finding for one item."""

    item: str
    outcome: Literal["pass", "fail", "not_applicable"]
    note: str = ""
    evidence: list[str] = []


@router.post("/checkins", tags=["inspectors"], status_code=201)
def check_in(body: CheckInBody, by: Caller, service: Service) -> dict[str, Any]:
    """Check the inspector in (扫码入企): both codes, assignment, certificate, window, geofence."""
    visit = service.engine.check_in(body.inspection_code, GeoPoint(body.lat, body.lon), body.enterprise_code, by=by)
    out: dict[str, Any] = plain(visit)
    return out


@router.post("/inspections/{inspection_id}/checkout", tags=["inspectors"])
def check_out(inspection_id: str, by: Caller, service: Service) -> dict[str, Any]:
    """Check the inspector out."""
    out: dict[str, Any] = plain(service.engine.check_out(inspection_id, by=by))
    return out


@router.post("/inspections/{inspection_id}/results", tags=["inspectors"], status_code=201)
def record_result(inspection_id: str, body: ResultBody, by: Caller, service: Service) -> dict[str, Any]:
    """Record the checked-in inspector's finding for one item; a failure opens a rectification."""
    outcome = service.engine.record_result(inspection_id, body.item, body.outcome, body.note, body.evidence, by=by)
    out: dict[str, Any] = plain(outcome)
    return out


# ----------------------------------------------------------------------------- enterprises


class ScanBody(BaseModel):
    """A scanned inspection code (the QR's text)."""

    code: str


class EvidenceBody(BaseModel):
    """Evidence of a fix (file references) and a note."""

    evidence: list[str] = Field(min_length=1)
    note: str = ""


class RatingBody(BaseModel):
    """A rating of a completed inspection."""

    score: int = Field(ge=0, le=100)
    comment: str = ""
    anonymous: bool = False


class ComplaintBody(BaseModel):
    """A complaint about an inspection."""

    reason: Literal["no_scan", "misconduct", "over_frequency", "unsatisfied", "other"]
    text: str = Field(min_length=1)


@router.post("/scan", tags=["enterprises"])
def scan(body: ScanBody, by: Caller, service: Service) -> dict[str, Any]:
    """What an inspection code says: departments, items, inspectors with certificate numbers,
    the window (`Engine.describe_code`). A code that does not verify is a 422."""
    out: dict[str, Any] = plain(service.engine.describe_code(body.code, by=by))
    return out


@router.post("/results/{result_id}/acknowledge", tags=["enterprises"])
def acknowledge(result_id: str, by: Caller, service: Service) -> dict[str, Any]:
    """The enterprise confirms a result (electronic signature)."""
    out: dict[str, Any] = plain(service.engine.acknowledge_result(result_id, by=by))
    return out


@router.post("/rectifications/{rect_id}/evidence", tags=["enterprises"])
def submit_evidence(rect_id: str, body: EvidenceBody, by: Caller, service: Service) -> dict[str, Any]:
    """The enterprise submits evidence of its fix (online submission, 云验收)."""
    out: dict[str, Any] = plain(service.engine.submit_rectification(rect_id, body.evidence, body.note, by=by))
    return out


@router.get("/enterprises/{credit_code}/rectifications", tags=["enterprises"])
def list_rectifications(credit_code: str, by: Caller, service: Service) -> list[dict[str, Any]]:
    """One enterprise's rectifications."""
    return [plain(r) for r in service.engine.rectifications_of(credit_code, by=by)]


@router.post("/inspections/{inspection_id}/rating", tags=["enterprises"], status_code=201)
def rate(inspection_id: str, body: RatingBody, by: Caller, service: Service) -> dict[str, Any]:
    """The enterprise rates a completed inspection (0-100), once."""
    out: dict[str, Any] = plain(
        service.engine.rate(inspection_id, body.score, body.comment, anonymous=body.anonymous, by=by)
    )
    return out


@router.post("/inspections/{inspection_id}/complaints", tags=["enterprises"], status_code=201)
def complain(inspection_id: str, body: ComplaintBody, by: Caller, service: Service) -> dict[str, Any]:
    """The enterprise complains about an inspection; the supervising office hears it."""
    out: dict[str, Any] = plain(service.engine.complain(inspection_id, body.reason, body.text, by=by))
    return out


# ----------------------------------------------------------------------------- supervision


def period(service: WebService, start: str | None, end: str | None) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """A report's period: ``start`` and ``end`` dates (``end`` inclusive) in the city's zone;
    by default the current month."""
    zone = service.zone
    today = service.now().in_timezone(zone)
    first = instant(start, "start", zone) if start else today.start_of("month")
    last = instant(end, "end", zone).add(days=1) if end else first.add(months=1).start_of("month")
    return first, last


def kpi_report(service: WebService, by: Principal, start: str | None, end: str | None) -> KpiReport:
    """The supervision report of the asked period."""
    first, after = period(service, start, end)
    return service.engine.supervision_report(first, after, by=by)


Start = Annotated[str | None, Query(description="first day, YYYY-MM-DD (default: this month)")]
End = Annotated[str | None, Query(description="last day, YYYY-MM-DD, inclusive")]


@router.get("/supervision/kpis", tags=["supervision"])
def kpis(by: Caller, service: Service, start: Start = None, end: End = None) -> dict[str, Any]:
    """The supervision KPIs of a period (`jointinspect.kpi.KpiReport.to_dict`)."""
    return kpi_report(service, by, start, end).to_dict()


@router.get("/supervision/kpis.csv", tags=["supervision"], response_class=Response)
def kpis_csv(by: Caller, service: Service, start: Start = None, end: End = None) -> Response:
    """Plans per department and month as CSV."""
    return Response(kpi_report(service, by, start, end).to_csv(), media_type="text/csv; charset=utf-8")


@router.get("/supervision/kpis.{fmt}", tags=["supervision"], response_class=Response)
def kpis_plot(
    fmt: Literal["png", "svg"], request: Request, by: Caller, service: Service, start: Start = None, end: End = None
) -> Response:
    """The KPIs drawn as PNG or SVG (labels in the requested language)."""
    report = kpi_report(service, by, start, end)
    names = names_from_store(service.engine.store)
    labels = {r.department: names.department(r.department) or r.department for r in report.by_department}
    media = "image/png" if fmt == "png" else "image/svg+xml"
    body = draw(report, fmt, lang=language(request), names=labels, zone=service.zone)
    return Response(body, media_type=media)


def _notice(service: WebService, notification: Any, lang: Literal["zh", "en"]) -> dict[str, str]:
    shown = render(notification, lang, names=names_from_store(service.engine.store), zone=service.zone)
    return {
        "key": notification.key,
        "kind": notification.kind,
        "subject": notification.subject,
        "at": notification.at.isoformat(),
        "text": shown.short,
    }


@router.get("/supervision/warnings", tags=["supervision"])
def warnings(request: Request, by: Caller, service: Service) -> list[dict[str, str]]:
    """What the engine told the supervising office (newest first), rendered in the caller's
    language; plans awaiting approval are listed by ``/supervision/approvals``."""
    # The office's inbox is for those who may read the city's report (the matrix's row).
    check("supervision_report", by, policy=service.engine.policy, extra=service.engine.authorizers)
    lang = language(request)
    return [
        _notice(service, n, lang) for n in service.inbox.for_role(Role.SUPERVISOR) if n.kind != "approval.requested"
    ]


@router.get("/supervision/approvals", tags=["supervision"])
def approvals(request: Request, by: Caller, service: Service) -> list[dict[str, Any]]:
    """Plans still awaiting whitelist approval, with the request as the office received it."""
    check("supervision_report", by, policy=service.engine.policy, extra=service.engine.authorizers)
    lang = language(request)
    pending = []
    for n in service.inbox.for_role(Role.SUPERVISOR):
        if n.kind != "approval.requested":
            continue
        plan = service.engine.plan(n.subject, by=by)
        if plan.status is PlanStatus.PENDING_APPROVAL:
            pending.append({**_notice(service, n, lang), "plan": plain(plan)})
    return pending
