"""Geodesic distance and the GCJ-02 / BD-09 datum conversions."""

from __future__ import annotations

import math

import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.model.reference import CoordinateSystem, GeoPoint
from jointinspect.rules.geo import (
    bd09_to_gcj02,
    distance_m,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_gcj02,
)

WGS, GCJ, BD = CoordinateSystem.WGS84, CoordinateSystem.GCJ02, CoordinateSystem.BD09


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])


def test_identical_points_are_zero_apart() -> None:
    p = GeoPoint(31.2304, 121.4737)
    assert distance_m(p, p) == 0.0
    q = GeoPoint(31.2304, 121.4737, GCJ)
    assert distance_m(q, q) == 0.0


@pytest.mark.parametrize("lat", [0.0, 20.0, 45.0, 70.0, 89.0])
def test_one_degree_of_latitude(lat: float) -> None:
    d = distance_m(GeoPoint(lat, 10.0), GeoPoint(lat + 1.0, 10.0))
    assert 110_574 <= d <= 111_694 + 1  # meridian degree grows from equator to pole


def test_one_degree_of_longitude_on_the_equator_is_exact() -> None:
    # On the equator the geodesic is the equator itself: a * pi / 180.
    d = distance_m(GeoPoint(0, 0), GeoPoint(0, 1))
    assert d == pytest.approx(6378137.0 * math.pi / 180.0, abs=1e-6)


def test_long_distance_on_the_ellipsoid() -> None:
    # Beijing to Shanghai (WGS-84, city centres) is about 1,067 km along the geodesic.
    d = distance_m(GeoPoint(39.9042, 116.4074), GeoPoint(31.2304, 121.4737))
    assert 1_060_000 < d < 1_075_000


# Published vectors (eviltransform's tests: WGS-84 -> GCJ-02).
GCJ_VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), GCJ_VECTORS)
def test_gcj02_published_vectors(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert metres(lat, lon, glat, glon) < 0.05
    back = to_wgs84(GeoPoint(glat, glon, GCJ))
    assert back.crs is WGS
    assert metres(back.lat, back.lon, wlat, wlon) < 0.05
    # the offset is real: hundreds of metres, not noise
    assert metres(wlat, wlon, glat, glon) > 100


def test_bd09_published_vectors() -> None:
    # coordtransform's example: BD-09 (39.915, 116.404) -> GCJ-02, closed-form (approximate).
    lat, lon = bd09_to_gcj02(39.915, 116.404)
    assert metres(lat, lon, 39.90865673957631, 116.39762729119315) < 0.5
    # a published WGS-84 / GCJ-02 / BD-09 triple (the geotool project's tests)
    wgs = GeoPoint(30.6107779, 121.0917077)
    gcj = GeoPoint(30.608604331756705, 121.09626935575027, GCJ)
    bd = GeoPoint(30.61484572185035, 121.10271732371203, BD)
    assert distance_m(wgs, gcj) < 0.05
    assert distance_m(wgs, bd) < 0.05
    there = from_wgs84(wgs, BD)
    assert metres(there.lat, there.lon, bd.lat, bd.lon) < 0.05


def test_outside_china_gcj_is_wgs() -> None:
    paris = GeoPoint(48.8566, 2.3522, GCJ)
    assert out_of_china(paris.lat, paris.lon)
    w = to_wgs84(paris)
    assert (w.lat, w.lon, w.crs) == (paris.lat, paris.lon, WGS)
    assert from_wgs84(GeoPoint(48.8566, 2.3522), GCJ) == paris


def test_mixed_datums_compare_the_physical_place() -> None:
    wgs = GeoPoint(31.1774276, 121.5272106)
    gcj = GeoPoint(31.17530398364597, 121.531541859215, GCJ)
    bd = from_wgs84(wgs, BD)
    assert distance_m(wgs, gcj) < 0.05
    assert distance_m(gcj, bd) < 0.05
    # reading the GCJ-02 numbers as if they were WGS-84 would be ~500 m off
    assert distance_m(wgs, GeoPoint(gcj.lat, gcj.lon)) > 400


china = st.tuples(
    st.floats(min_value=18.0, max_value=53.0, allow_nan=False),
    st.floats(min_value=74.0, max_value=134.0, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(china)
def test_gcj02_round_trip(point: tuple[float, float]) -> None:
    lat, lon = point
    glat, glon = wgs84_to_gcj02(lat, lon)
    wlat, wlon = gcj02_to_wgs84(glat, glon)
    assert abs(wlat - lat) < 1e-7 and abs(wlon - lon) < 1e-7
    # and the other way round: any GCJ-02 point has a WGS-84 preimage
    rlat, rlon = wgs84_to_gcj02(*gcj02_to_wgs84(lat, lon))
    assert abs(rlat - lat) < 1e-7 and abs(rlon - lon) < 1e-7


@settings(max_examples=300, deadline=None)
@given(china)
def test_bd09_round_trip(point: tuple[float, float]) -> None:
    lat, lon = point
    blat, blon = gcj02_to_bd09(lat, lon)
    glat, glon = bd09_to_gcj02(blat, blon)
    assert abs(glat - lat) < 1e-7 and abs(glon - lon) < 1e-7
    p = GeoPoint(lat, lon)
    for crs in (GCJ, BD):
        there = from_wgs84(p, crs)
        assert there.crs is crs
        assert distance_m(p, there) < 0.01  # same physical place


_crs = st.sampled_from(list(CoordinateSystem))


@settings(max_examples=200, deadline=None)
@given(china, china, _crs, _crs)
def test_distance_is_symmetric_and_datum_independent(
    a: tuple[float, float], b: tuple[float, float], ca: CoordinateSystem, cb: CoordinateSystem
) -> None:
    pa, pb = GeoPoint(*a), GeoPoint(*b)
    d = distance_m(pa, pb)
    assert distance_m(pb, pa) == pytest.approx(d, abs=1e-6)
    assert distance_m(from_wgs84(pa, ca), from_wgs84(pb, cb)) == pytest.approx(d, abs=0.02)


@given(
    st.floats(-79.0, 79.0),
    st.floats(-179.0, 179.0),
    st.floats(-0.1, 0.1),
    st.floats(-0.1, 0.1),
)
def test_local_formula_agrees_with_the_geodesic(lat: float, lon: float, dlat: float, dlon: float) -> None:
    from geographiclib.geodesic import Geodesic

    from jointinspect.rules.geo import _local_distance

    lat2 = max(-79.9, min(79.9, lat + dlat))
    exact = Geodesic.WGS84.Inverse(lat, lon, lat2, lon + dlon)["s12"]
    fast = _local_distance(lat, lon, lat2, lon + dlon)
    assert abs(fast - exact) <= 1e-5 * exact + 1e-3
