"""The check-in rule (扫码入企): may this inspector enter this inspection, here and now.

Pure functions, no storage. The service verifies both codes' signatures
(`jointinspect.codes.verify`), loads the inspection, then calls
`check_codes_match` and `check_presence`; the replay guard and persistence come
after. Each refusal is a `CheckInRejected` whose code names the
first check that failed, in a fixed, documented order.
"""

from __future__ import annotations

from collections.abc import Mapping

import pendulum

from jointinspect.codes.token import CodeClaims, CodeKind
from jointinspect.errors import CheckInRejected, ValidationError
from jointinspect.model.plan import Inspection, InspectionStatus
from jointinspect.model.reference import Enterprise, GeoPoint, Inspector
from jointinspect.policy.schema import CheckInPolicy
from jointinspect.rules.geo import distance_m
from jointinspect.timeutil import local_date, utc

_CLOSED = frozenset({InspectionStatus.COMPLETED, InspectionStatus.CANCELLED})


def _number(value: float) -> int | float:
    # "500 m" reads better than "500.0 m" in the message; keep fractions when there are some.
    return int(value) if float(value).is_integer() else value


def check_presence(
    *,
    inspection: Inspection,
    inspector: Inspector,
    enterprise: Enterprise,
    item_fields: Mapping[str, str],
    position: GeoPoint,
    at: pendulum.DateTime,
    policy: CheckInPolicy,
    zone: str,
) -> float:
    """Check that ``inspector`` may check in to ``inspection`` at ``position`` at ``at``.

    ``item_fields`` maps item code -> field for the items of the inspection that belong to
    the inspector's department: only those need the inspector's certificate (in a joint
    inspection each inspector answers for their own department's items). ``zone`` is the
    policy zone in which the certificate's dates are read.

    The checks, in order (the first failure is raised):

    1. ``checkin.inspection_superseded``: merged into another inspection (``successor``);
    2. ``checkin.inspection_closed``: completed or cancelled;
    3. ``checkin.inspector_not_assigned``;
    4. ``checkin.certificate_invalid``: certificate not valid on the local date of ``at``;
    5. ``checkin.certificate_scope``: a field of the department's items not certified
       (items checked in code order);
    6. ``checkin.outside_window``: ``at`` outside the window widened by the tolerance;
    7. ``checkin.outside_geofence``: farther than ``policy.radius_m`` from the site
       (both positions converted to WGS-84 first).

    Returns:
        The distance from the site in metres.

    Raises:
        CheckInRejected: with one of the codes above.
        ValidationError: ``input.invalid`` when ``enterprise`` is not the inspection's.

    """
    if enterprise.credit_code != inspection.enterprise:
        # A caller's mistake, not a check-in refusal: the service loads the enterprise
        # from the inspection.
        raise ValidationError(
            "input.invalid",
            reason=f"enterprise {enterprise.credit_code} is not the subject of {inspection.id}",
            reason_zh=f"企业 {enterprise.credit_code} 不是检查 {inspection.id} 的对象",
        )
    if inspection.status is InspectionStatus.SUPERSEDED:
        raise CheckInRejected(
            "checkin.inspection_superseded",
            inspection=inspection.id,
            successor=inspection.successor,
        )
    if inspection.status in _CLOSED:
        raise CheckInRejected("checkin.inspection_closed", inspection=inspection.id, status=inspection.status.value)
    if inspector.id not in inspection.inspectors:
        raise CheckInRejected("checkin.inspector_not_assigned", inspector=inspector.id, inspection=inspection.id)
    instant = utc(at)
    day = local_date(instant, zone)
    if not inspector.certified_on(day):
        raise CheckInRejected("checkin.certificate_invalid", inspector=inspector.id, day=day.isoformat())
    for item in sorted(item_fields):
        field = item_fields[item]
        if field not in inspector.fields:
            raise CheckInRejected("checkin.certificate_scope", inspector=inspector.id, field=field, item=item)
    if not inspection.window.contains(instant, policy.tolerance):
        raise CheckInRejected(
            "checkin.outside_window",
            at=instant.isoformat(),
            start=inspection.window.start.isoformat(),
            end=inspection.window.end.isoformat(),
        )
    distance = distance_m(position, enterprise.site)
    if distance > policy.radius_m:
        raise CheckInRejected(
            "checkin.outside_geofence",
            distance_m=round(distance),
            radius_m=_number(policy.radius_m),
        )
    return distance


def check_codes_match(
    inspection_claims: CodeClaims,
    enterprise_claims: CodeClaims | None,
    require_scan: bool,
) -> bool:
    """Check that the scanned enterprise code belongs to the inspection's enterprise.

    Both claims must already be verified (`jointinspect.codes.verify`).
    ``enterprise_claims`` is ``None`` when the inspector entered without scanning the
    enterprise code; the policy decides whether that is allowed (it is then recorded,
    and the supervisor sees it).

    Returns:
        Whether the enterprise code was scanned.

    Raises:
        CheckInRejected: ``token.wrong_kind`` when the claims are of the wrong kinds,
            ``checkin.scan_required`` when no code was scanned but the policy requires it,
            ``checkin.enterprise_mismatch`` when the codes name different enterprises.

    """
    if inspection_claims.kind is not CodeKind.INSPECTION:
        raise CheckInRejected(
            "token.wrong_kind",
            expected=CodeKind.INSPECTION.value,
            actual=inspection_claims.kind.value,
        )
    if enterprise_claims is None:
        if require_scan:
            raise CheckInRejected("checkin.scan_required")
        return False
    if enterprise_claims.kind is not CodeKind.ENTERPRISE:
        raise CheckInRejected(
            "token.wrong_kind",
            expected=CodeKind.ENTERPRISE.value,
            actual=enterprise_claims.kind.value,
        )
    if enterprise_claims.enterprise != inspection_claims.enterprise:
        raise CheckInRejected(
            "checkin.enterprise_mismatch",
            scanned=enterprise_claims.enterprise,
            expected=inspection_claims.enterprise,
        )
    return True


def check_code_current(claims: CodeClaims, inspection: Inspection) -> None:
    """Refuse an inspection code signed for a window the visit no longer has (issue 8).

    A visit that a later plan joined may have a narrower window than the one its code was
    signed for; that code is refused with ``code.outdated`` and a new one can be issued.
    The comparison is at whole seconds (codes carry seconds).

    Raises:
        CheckInRejected: ``code.outdated``.
    """
    if claims.window is None:
        return
    signed = tuple(int(t.timestamp()) for t in claims.window)
    current = (int(inspection.window.start.timestamp()), int(inspection.window.end.timestamp()))
    if signed != current:
        raise CheckInRejected(
            "code.outdated",
            inspection=inspection.id,
            start=inspection.window.start.isoformat(),
            end=inspection.window.end.isoformat(),
        )
