"""The pure check-in rule: order of checks, boundaries, and the code-match check."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.codes import enterprise_claims, inspection_claims
from jointinspect.errors import MESSAGES, CheckInRejected, ValidationError, display_fields
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Window
from jointinspect.model.reference import CoordinateSystem, Enterprise, GeoPoint, Inspector
from jointinspect.policy.schema import CheckInPolicy
from jointinspect.rules.checkin import check_codes_match, check_presence
from jointinspect.rules.geo import from_wgs84

ZONE = "Asia/Shanghai"
CREDIT = "91350100M000100Y43"
OTHER = "91110000802100433B"
SITE = GeoPoint(31.2304, 121.4737)
START = pendulum.datetime(2024, 5, 10, 1, 0, tz="UTC")  # 09:00 in Shanghai
END = pendulum.datetime(2024, 5, 10, 9, 0, tz="UTC")  # 17:00 in Shanghai
POLICY = CheckInPolicy(radius_m=500.0, tolerance_minutes=30)

ORDER = [
    "checkin.inspection_superseded",
    "checkin.inspection_closed",
    "checkin.inspector_not_assigned",
    "checkin.certificate_invalid",
    "checkin.certificate_scope",
    "checkin.outside_window",
    "checkin.outside_geofence",
]


def moved(point: GeoPoint, metres: float, azimuth: float = 0.0) -> GeoPoint:
    r = Geodesic.WGS84.Direct(point.lat, point.lon, azimuth, metres)
    return GeoPoint(r["lat2"], r["lon2"])


def enterprise(site: GeoPoint = SITE) -> Enterprise:
    return Enterprise(CREDIT, "Acme", site)


def inspection(
    status: InspectionStatus = InspectionStatus.PLANNED,
    inspectors: tuple[str, ...] = ("insp-1",),
) -> Inspection:
    return Inspection(
        id="INS-1",
        enterprise=CREDIT,
        lead_department="market",
        plan_ids=("P1",),
        departments=("market",),
        items=("I1", "I2"),
        inspectors=inspectors,
        window=Window(START, END),
        kind=InspectionKind.ROUTINE,
        created_at=START.subtract(days=10),
        status=status,
        successor="INS-2" if status is InspectionStatus.SUPERSEDED else None,
    )


def inspector(
    fields: tuple[str, ...] = ("food",),
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date = dt.date(2030, 1, 1),
) -> Inspector:
    return Inspector("insp-1", "Li", "market", "C-1", fields, valid_from, valid_until)


def presence(**overrides: object) -> float:
    args: dict[str, object] = {
        "inspection": inspection(),
        "inspector": inspector(),
        "enterprise": enterprise(),
        "item_fields": {"I1": "food"},
        "position": moved(SITE, 100),
        "at": START.add(hours=1),
        "policy": POLICY,
        "zone": ZONE,
    }
    args.update(overrides)
    return check_presence(**args)  # type: ignore[arg-type]


def rejected(**overrides: object) -> CheckInRejected:
    with pytest.raises(CheckInRejected) as info:
        presence(**overrides)
    en, zh = MESSAGES[info.value.code]
    # the details fill the catalogued templates (no fallback rendering)
    assert info.value.message_en == en.format(**display_fields(info.value.details, zh=False))
    assert info.value.message_zh == zh.format(**display_fields(info.value.details, zh=True))
    return info.value


def test_valid_check_in_returns_the_distance() -> None:
    assert presence() == pytest.approx(100.0, abs=1e-6)
    started = inspection(InspectionStatus.IN_PROGRESS)
    assert presence(inspection=started) == pytest.approx(100.0, abs=1e-6)


def test_each_reason_with_its_details() -> None:
    e = rejected(inspection=inspection(InspectionStatus.SUPERSEDED))
    assert e.code == "checkin.inspection_superseded"
    assert e.details == {"inspection": "INS-1", "successor": "INS-2"}
    for status in (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED):
        e = rejected(inspection=inspection(status))
        assert (e.code, e.details["status"]) == ("checkin.inspection_closed", status.value)
    e = rejected(inspection=inspection(inspectors=("someone-else",)))
    assert e.details == {"inspector": "insp-1", "inspection": "INS-1"}
    e = rejected(inspector=inspector(valid_until=dt.date(2024, 5, 9)))
    assert (e.code, e.details["day"]) == ("checkin.certificate_invalid", "2024-05-10")
    e = rejected(item_fields={"I1": "food", "I2": "drugs"})
    assert e.code == "checkin.certificate_scope"
    assert (e.details["field"], e.details["item"]) == ("drugs", "I2")
    e = rejected(at=END.add(hours=2))
    assert e.code == "checkin.outside_window"
    e = rejected(position=moved(SITE, 800.4))
    assert (e.code, e.details) == ("checkin.outside_geofence", {"distance_m": 800, "radius_m": 500})


def test_certificate_date_is_the_local_date() -> None:
    # 2024-05-09T17:30Z is already 2024-05-10 01:30 in Shanghai: a certificate that ended
    # on 2024-05-09 is no longer valid, though the UTC date is still the 9th.
    late = pendulum.datetime(2024, 5, 9, 17, 30, tz="UTC")
    wide = attrs.evolve(inspection(), window=Window(late.subtract(hours=1), END))
    cert = inspector(valid_until=dt.date(2024, 5, 9))
    e = rejected(inspection=wide, inspector=cert, at=late)
    assert e.details["day"] == "2024-05-10"
    # in UTC the same instant is still the 9th and the check-in would pass
    assert presence(inspection=wide, inspector=cert, at=late, zone="UTC") > 0


def test_window_boundaries_with_tolerance() -> None:
    slack = POLICY.tolerance
    assert presence(at=START.subtract(minutes=30)) > 0  # start - tolerance: inclusive
    assert rejected(at=START.subtract(minutes=30, seconds=1)).code == "checkin.outside_window"
    assert presence(at=END + slack - pendulum.duration(seconds=1)) > 0
    assert rejected(at=END + slack).code == "checkin.outside_window"  # half-open


def test_geofence_boundary_and_datums() -> None:
    assert presence(position=moved(SITE, 499.9)) < 500
    assert rejected(position=moved(SITE, 500.1)).code == "checkin.outside_geofence"
    # the site taken from a Chinese map (GCJ-02) and a GPS fix (WGS-84) at the same place
    gcj_site = from_wgs84(SITE, CoordinateSystem.GCJ02)
    assert presence(enterprise=enterprise(gcj_site), position=SITE) < 0.05
    # a BD-09 fix 100 m from the site
    bd_fix = from_wgs84(moved(SITE, 100, 90), CoordinateSystem.BD09)
    assert presence(position=bd_fix) == pytest.approx(100.0, abs=0.05)


def test_items_of_other_departments_do_not_matter() -> None:
    # item_fields lists only the inspector's department's items: an empty map passes
    assert presence(item_fields={}) > 0


def test_wrong_enterprise_is_a_caller_error() -> None:
    with pytest.raises(ValidationError):
        presence(enterprise=Enterprise(OTHER, "Other", SITE))


# --- the order of checks, as a property -----------------------------------------------------


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, object], list[str]]:
    """Inputs where a drawn subset of the checks fails, and the codes that should fail."""
    status = draw(st.sampled_from(list(InspectionStatus)))
    failing: list[str] = []
    if status is InspectionStatus.SUPERSEDED:
        failing.append(ORDER[0])
    if status in (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED):
        failing.append(ORDER[1])
    assigned = draw(st.booleans())
    if not assigned:
        failing.append(ORDER[2])
    in_window = draw(st.booleans())
    tolerance = POLICY.tolerance.in_seconds()
    if in_window:
        offset = draw(st.integers(-tolerance, int((END - START).in_seconds()) + tolerance - 1))
    else:
        offset = draw(
            st.one_of(
                st.integers(-5 * 86400, -tolerance - 1),
                st.integers(int((END - START).in_seconds()) + tolerance, 5 * 86400),
            )
        )
    at = START.add(seconds=offset)
    day = at.in_timezone(ZONE).date()
    certified = draw(st.booleans())
    if certified:
        valid_from = day - dt.timedelta(days=draw(st.integers(0, 400)))
        valid_until = day + dt.timedelta(days=draw(st.integers(0, 400)))
    elif draw(st.booleans()):
        valid_until = day - dt.timedelta(days=draw(st.integers(1, 400)))
        valid_from = valid_until - dt.timedelta(days=draw(st.integers(0, 400)))
    else:
        valid_from = day + dt.timedelta(days=draw(st.integers(1, 400)))
        valid_until = valid_from + dt.timedelta(days=draw(st.integers(0, 400)))
    if not certified:
        failing.append(ORDER[3])
    in_scope = draw(st.booleans())
    item_fields = {"I1": "food"}
    if not in_scope:
        item_fields["I2"] = draw(st.sampled_from(["drugs", "fire"]))
    if not in_scope:
        failing.append(ORDER[4])
    if not in_window:
        failing.append(ORDER[5])
    inside = draw(st.booleans())
    radius = POLICY.radius_m
    distance = draw(st.floats(0, radius - 0.01) if inside else st.floats(radius + 0.01, 50_000))
    if not inside:
        failing.append(ORDER[6])
    position = moved(SITE, distance, draw(st.floats(0, 359.9)))
    position = from_wgs84(position, draw(st.sampled_from(list(CoordinateSystem))))
    args: dict[str, object] = {
        "inspection": inspection(status, ("insp-1",) if assigned else ("other",)),
        "inspector": inspector(("food",), valid_from, valid_until),
        "enterprise": enterprise(),
        "item_fields": item_fields,
        "position": position,
        "at": at,
        "policy": POLICY,
        "zone": ZONE,
    }
    return args, failing


@settings(max_examples=400, deadline=None)
@given(scenario())
def test_first_failing_check_wins(case: tuple[dict[str, object], list[str]]) -> None:
    args, failing = case
    if not failing:
        assert 0 <= check_presence(**args) <= POLICY.radius_m  # type: ignore[arg-type]
        return
    with pytest.raises(CheckInRejected) as info:
        check_presence(**args)  # type: ignore[arg-type]
    expected = min(failing, key=ORDER.index)
    assert info.value.code == expected


def test_every_reason_is_reachable() -> None:
    # the property above draws every reason; make sure the strategy really produces each
    seen: set[str] = set()

    @settings(max_examples=400, deadline=None, database=None, derandomize=True)
    @given(scenario())
    def collect(case: tuple[dict[str, object], list[str]]) -> None:
        args, _ = case
        try:
            check_presence(**args)  # type: ignore[arg-type]
            seen.add("accepted")
        except CheckInRejected as exc:
            seen.add(exc.code)

    collect()
    assert seen >= {*ORDER, "accepted"}


# --- codes match -----------------------------------------------------------------------------

T0 = pendulum.datetime(2024, 5, 6, tz="UTC")


def _insp(enterprise: str = CREDIT):  # type: ignore[no-untyped-def]
    return inspection_claims(
        key_id="k",
        token_id="t1",
        issued_at=T0,
        expires_at=T0.add(days=5),
        inspection_id="INS-1",
        enterprise=enterprise,
    )


def _ent(enterprise: str = CREDIT):  # type: ignore[no-untyped-def]
    return enterprise_claims(
        key_id="k", token_id="t2", issued_at=T0, expires_at=T0.add(days=365), enterprise=enterprise
    )


def test_codes_match() -> None:
    assert check_codes_match(_insp(), _ent(), require_scan=True) is True
    assert check_codes_match(_insp(), None, require_scan=False) is False
    with pytest.raises(CheckInRejected) as info:
        check_codes_match(_insp(), None, require_scan=True)
    assert info.value.code == "checkin.scan_required"
    with pytest.raises(CheckInRejected) as info:
        check_codes_match(_insp(), _ent(OTHER), require_scan=False)
    assert info.value.code == "checkin.enterprise_mismatch"
    assert info.value.details == {"scanned": OTHER, "expected": CREDIT}
    with pytest.raises(CheckInRejected) as info:
        check_codes_match(_ent(), _ent(), require_scan=True)
    assert info.value.code == "token.wrong_kind"
    with pytest.raises(CheckInRejected) as info:
        check_codes_match(_insp(), _insp(), require_scan=True)
    assert info.value.code == "token.wrong_kind"
