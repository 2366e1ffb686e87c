"""Positions: geodesic distance on the WGS-84 ellipsoid and China's map datums.

Chinese map services do not give WGS-84 coordinates: AMap, Tencent and Google China use
GCJ-02 (an obfuscated datum, offset by a few hundred metres), Baidu uses BD-09 (GCJ-02 with
one more offset). A phone's GPS gives WGS-84. Mixing them moves a check-in by up to about
700 m, more than a typical geofence, so `distance_m` converts both sides to WGS-84
first. The conversion formulas are the widely published ones (see e.g. the eviltransform
and coordtransform projects); the inverses have no closed form and are solved by
fixed-point iteration.
"""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic

from jointinspect.model.reference import CoordinateSystem, GeoPoint
from jointinspect.validation import instance_of

# Constants of the GCJ-02 obfuscation: the Krasovsky 1940 ellipsoid it is defined on.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# BD-09's extra rotation/scaling constant.
_X_PI = math.pi * 3000.0 / 180.0
#: Convergence target of the inverse transforms, in degrees (~1 cm).
_EPSILON = 1e-9
_MAX_ITERATIONS = 50


def out_of_china(lat: float, lon: float) -> bool:
    """Tell whether a position lies outside the rectangle where GCJ-02 is applied.

    Outside it GCJ-02 equals WGS-84. The rectangle is the one every published
    implementation uses (it includes some neighbouring territory, as they do).
    """
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj_delta(lat: float, lon: float) -> tuple[float, float]:
    """Return the GCJ-02 offset (dlat, dlon) in degrees at a WGS-84 position."""
    pi, sin = math.pi, math.sin
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += common
    dlat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += common
    dlon += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert WGS-84 degrees to GCJ-02 degrees (identity outside China)."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _gcj_delta(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Convert GCJ-02 degrees to WGS-84 degrees, to about 1e-9 degree.

    Solves ``wgs84_to_gcj02(w) == g`` by fixed-point iteration: the offset varies slowly,
    so each step gains several digits and a handful of steps suffice.
    """
    wlat, wlon = lat, lon
    for _ in range(_MAX_ITERATIONS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        err_lat, err_lon = glat - lat, glon - lon
        wlat, wlon = wlat - err_lat, wlon - err_lon
        if max(abs(err_lat), abs(err_lon)) < _EPSILON:
            break
    return wlat, wlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """Convert GCJ-02 degrees to Baidu's BD-09 degrees."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Convert BD-09 degrees to GCJ-02 degrees, to about 1e-9 degree.

    The published closed-form inverse is only approximate (errors around 1e-6 degree), so
    it serves as the first guess of the same fixed-point iteration as for GCJ-02.
    """
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    glat, glon = z * math.sin(theta), z * math.cos(theta)
    for _ in range(_MAX_ITERATIONS):
        blat, blon = gcj02_to_bd09(glat, glon)
        err_lat, err_lon = blat - lat, blon - lon
        glat, glon = glat - err_lat, glon - err_lon
        if max(abs(err_lat), abs(err_lon)) < _EPSILON:
            break
    return glat, glon


def _clamped(lat: float, lon: float) -> GeoPoint:
    # The offsets are tiny; clamping only guards the poles and the antimeridian, where a
    # conversion result could leave the valid range by a hair.
    lat = min(90.0, max(-90.0, lat))
    if lon > 180.0:
        lon -= 360.0
    elif lon < -180.0:
        lon += 360.0
    return GeoPoint(lat, lon, CoordinateSystem.WGS84)


def to_wgs84(point: GeoPoint) -> GeoPoint:
    """Return ``point`` in WGS-84 (GCJ-02 and BD-09 are converted; WGS-84 is returned).

    Raises:
        ValidationError: ``input.wrong_type`` when ``point`` is not a `GeoPoint`.
    """
    point = instance_of(point, "position", GeoPoint)
    if point.crs is CoordinateSystem.WGS84:
        return point
    lat, lon = point.lat, point.lon
    if point.crs is CoordinateSystem.BD09:
        lat, lon = bd09_to_gcj02(lat, lon)
    return _clamped(*gcj02_to_wgs84(lat, lon))


def from_wgs84(point: GeoPoint, crs: CoordinateSystem) -> GeoPoint:
    """Return a WGS-84 ``point`` expressed in ``crs`` (for maps that show GCJ-02 or BD-09)."""
    wgs = to_wgs84(point)
    target = CoordinateSystem(crs)
    if target is CoordinateSystem.WGS84:
        return wgs
    lat, lon = wgs84_to_gcj02(wgs.lat, wgs.lon)
    if target is CoordinateSystem.BD09:
        lat, lon = gcj02_to_bd09(lat, lon)
    lat = min(90.0, max(-90.0, lat))
    return GeoPoint(lat, lon, target)


# WGS-84 ellipsoid, for the short-distance formula.
_WGS84_A = 6378137.0
_WGS84_E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)
#: Below this separation (degrees, about 11 km) the local formula is used.
_LOCAL_LIMIT_DEG = 0.1


def _local_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on the ellipsoid's tangent plane at the mid-latitude, using the meridional
    and prime-vertical radii of curvature. For points under 0.1 degree apart it agrees with
    the geodesic to about 1e-6 of the distance (a centimetre at 11 km; tested), at a
    tenth of the cost, which matters on the check-in path."""
    phi = math.radians((lat1 + lat2) / 2)
    sin_phi = math.sin(phi)
    w = math.sqrt(1 - _WGS84_E2 * sin_phi * sin_phi)
    prime_vertical = _WGS84_A / w
    meridional = _WGS84_A * (1 - _WGS84_E2) / (w * w * w)
    dy = math.radians(lat2 - lat1) * meridional
    dx = math.radians(lon2 - lon1) * prime_vertical * math.cos(phi)
    return math.hypot(dx, dy)


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Distance in metres between two positions on the WGS-84 ellipsoid.

    Both positions are converted to WGS-84 first, so a GPS fix can be compared with a
    site taken from a Chinese map. Positions under 0.1 degree apart (a geofence's scale)
    use the local tangent-plane formula, within about 1e-6 of the geodesic; farther ones
    use Karney's geodesic (geographiclib), accurate to well under a millimetre.
    """
    # A position that is not a GeoPoint (None, a tuple, text) is a typed input error.
    wa = to_wgs84(instance_of(a, "position", GeoPoint))
    wb = to_wgs84(instance_of(b, "site", GeoPoint))
    near = abs(wa.lat - wb.lat) <= _LOCAL_LIMIT_DEG and abs(wa.lon - wb.lon) <= _LOCAL_LIMIT_DEG
    if near and abs(wa.lat) < 80.0:
        return _local_distance(wa.lat, wa.lon, wb.lat, wb.lon)
    result = Geodesic.WGS84.Inverse(wa.lat, wa.lon, wb.lat, wb.lon, Geodesic.DISTANCE)
    return float(result["s12"])
