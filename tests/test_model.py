"""Reference data and value objects refuse bad input with typed, coded errors."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from jointinspect.errors import ValidationError
from jointinspect.model import (
    CreditClass,
    Enterprise,
    GeoPoint,
    Inspector,
    Scenario,
    Window,
    validate_credit_code,
)
from jointinspect.testing.city import credit_code

SITE = GeoPoint(37.46, 121.45)


def test_a_valid_credit_code_is_accepted_and_normalised() -> None:
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"
    assert validate_credit_code(" 91110000600037341L ") == "91110000600037341L"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91110000600037341X", "enterprise.credit_code_check"),  # wrong check character
        ("9111000060003734", "enterprise.credit_code_invalid"),  # too short
        ("9111000060003734IL", "enterprise.credit_code_invalid"),  # I is not in the alphabet
    ],
)
def test_bad_credit_codes_are_refused_with_the_reason(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        Enterprise(value, "某公司", SITE)
    assert err.value.code == code
    assert value in err.value.message_en and "统一社会信用代码" in err.value.message_zh
    assert err.value.details["field"] == "credit_code"


@given(st.integers(0, 999_999_999))
def test_every_generated_code_has_a_valid_check_character(n: int) -> None:
    code = credit_code(n)
    assert validate_credit_code(code) == code
    # changing the check character always breaks it
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert uscc.is_valid(wrong) is False
    with pytest.raises(ValidationError):
        validate_credit_code(wrong)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-91, 0), (0, 181), (float("nan"), 0)])
def test_positions_out_of_range_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValidationError) as err:
        GeoPoint(lat, lon)
    assert err.value.code == ("geo.longitude" if abs(lon) > 180 else "geo.latitude")


def test_windows_must_be_aware_and_ordered() -> None:
    t = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    with pytest.raises(ValidationError) as err:
        Window(t, t)
    assert err.value.code == "window.invalid"
    with pytest.raises(ValidationError) as err:
        Window(dt.datetime(2026, 3, 2, 9), t.add(hours=1))  # naive on purpose
    assert err.value.code == "time.naive"
    local = Window(pendulum.datetime(2026, 3, 2, 9, tz="Asia/Shanghai"), t.add(hours=8))
    assert local.start == t and local.start.tzinfo == pendulum.UTC  # stored in UTC


def test_certificate_validity_is_inclusive_and_ordered() -> None:
    cert = Inspector("i1", "张三", "SCJG", "37000001", {"market"}, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert cert.certified_on(dt.date(2026, 1, 1)) and cert.certified_on(dt.date(2026, 12, 31))
    assert not cert.certified_on(dt.date(2027, 1, 1))
    with pytest.raises(ValidationError):
        Inspector("i2", "李四", "SCJG", "37000002", {"market"}, dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_value_objects_normalise_what_they_hold() -> None:
    assert Scenario("S1", "开办餐馆一件事", ["WSJK-01", "SCJG-01", "SCJG-01"]).items == ("SCJG-01", "WSJK-01")
    ent = Enterprise(credit_code(1), "某公司", SITE, credit_class="A")
    assert ent.credit_class is CreditClass.A
    with pytest.raises(ValidationError) as err:
        Enterprise(credit_code(1), "某公司", SITE, credit_class="E")
    assert err.value.code == "input.not_member" and "A, B, C, D" in err.value.message_en
    with pytest.raises(ValidationError):
        Enterprise(credit_code(1), "  ", SITE)


def test_unknown_enum_values_get_a_coded_error_listing_the_choices() -> None:
    from jointinspect.requests import PlanRequest

    t = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    with pytest.raises(ValidationError) as err:
        PlanRequest(credit_code(1), "SCJG", t, t.add(hours=1), kind="visit")
    assert err.value.code == "input.not_member" and "routine" in err.value.message_en
    assert err.value.details["field"] == "kind" and "检查类型" in err.value.message_zh
