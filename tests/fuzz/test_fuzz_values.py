"""Value types under mixed valid and invalid fields: either a value comes out, or a
`ValidationError` naming what is wrong; never a raw Python exception (issue 10)."""

from __future__ import annotations

from typing import Any

import pytest
from fuzz_support import VALUE_TYPES, junk
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.model.reference import GeoPoint


@pytest.mark.parametrize("name", sorted(VALUE_TYPES))
@settings(settings.get_profile("fuzz"), max_examples=150)
@given(data=st.data())
def test_value_types_accept_or_refuse_with_a_typed_error(name: str, data: st.DataObject) -> None:
    try:
        value = data.draw(VALUE_TYPES[name])
    except ValidationError as err:
        assert err.code and err.message_en and err.message_zh
        return
    assert type(value).__name__ == name


@settings(settings.get_profile("fuzz"), max_examples=300)
@given(junk, junk)
def test_geopoints_take_only_finite_degrees_in_range(lat: Any, lon: Any) -> None:
    try:
        point = GeoPoint(lat, lon)
    except ValidationError:
        return
    assert -90 <= point.lat <= 90 and -180 <= point.lon <= 180
    assert type(lat) in (int, float) and type(lon) in (int, float)
