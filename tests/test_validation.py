"""The boundary-validation module: every refusal is a typed error naming the field, every
acceptance is normalised (issue 10)."""

from __future__ import annotations

import datetime as dt
import math

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.testing.city import credit_code


def code_of(call: object) -> str:
    with pytest.raises(ValidationError) as err:
        call()  # type: ignore[operator]
    assert err.value.details.get("field") is not None or err.value.code.startswith("enterprise.")
    return err.value.code


def test_identifiers_used_today_are_valid() -> None:
    for ok in ("SCJG", "SCJG-01", "SCJG-I01", "insp-1", "S1", "id0001", "0f" * 16, "a.b:c_d-e", "x" * 64):
        assert v.identifier(ok, "id") == ok


@pytest.mark.parametrize("bad", ["", "x" * 65, "-a", "_a", "a b", "科室", "a\x00", "\ud800", "a/b", "Ａ1"])
def test_identifiers_outside_the_grammar(bad: str) -> None:
    assert code_of(lambda: v.identifier(bad, "id")) == "input.identifier"


@pytest.mark.parametrize("bad", [None, 5, b"SCJG", ["SCJG"]])
def test_identifiers_must_be_text(bad: object) -> None:
    assert code_of(lambda: v.identifier(bad, "id")) == "input.not_text"


def test_text_limits() -> None:
    assert v.text("", "note") == "" and v.text("整改完成", "note") == "整改完成"
    assert code_of(lambda: v.text("a\x00", "note")) == "input.text_invalid_char"
    assert code_of(lambda: v.text("a\udc80", "note")) == "input.text_invalid_char"
    assert code_of(lambda: v.text("x" * (v.TEXT_MAX_LEN + 1), "note")) == "input.text_too_long"
    assert code_of(lambda: v.text(5, "note")) == "input.not_text"
    assert code_of(lambda: v.name("  ", "name")) == "input.text_empty"
    assert code_of(lambda: v.name("x" * (v.NAME_MAX_LEN + 1), "name")) == "input.text_too_long"


def test_sequences_refuse_bare_strings_and_check_each_element() -> None:
    assert v.text_sequence(["a", "b"], "evidence") == ("a", "b")
    assert v.identifier_sequence(("SCJG-01",), "items") == ("SCJG-01",)
    assert v.identifier_sequence(iter(["A"]), "items") == ("A",)
    for bad in ("photo.jpg", b"ab", None, 5, {"a": 1}):
        assert code_of(lambda b=bad: v.text_sequence(b, "evidence")) == "input.not_sequence"
    with pytest.raises(ValidationError) as err:
        v.text_sequence(["ok", None], "evidence")
    assert err.value.details["field"] == "evidence[1]"
    assert code_of(lambda: v.text_sequence(["a"] * 1001, "evidence")) == "input.sequence_too_long"


def test_booleans_are_bools() -> None:
    assert v.boolean(True, "b") is True and v.boolean(False, "b") is False
    for bad in ("no", "false", 0, 1, None):
        assert code_of(lambda b=bad: v.boolean(b, "b")) == "input.not_boolean"


def test_numbers_are_finite_and_in_range() -> None:
    assert v.integer(7, "n", minimum=0, maximum=10) == 7
    assert v.number(7, "n", minimum=0, maximum=10) == 7.0
    assert code_of(lambda: v.integer(True, "n", minimum=0, maximum=10)) == "input.not_integer"
    assert code_of(lambda: v.integer(7.0, "n", minimum=0, maximum=10)) == "input.not_integer"
    assert code_of(lambda: v.integer(10**400, "n", minimum=0, maximum=10)) == "input.out_of_range"
    for bad in (math.nan, math.inf, 10**400, 11):
        assert code_of(lambda b=bad: v.number(b, "n", minimum=0, maximum=10)) == "input.out_of_range"
    assert code_of(lambda: v.number("7", "n", minimum=0, maximum=10)) == "input.not_number"


def test_instants() -> None:
    utc = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    assert v.instant(utc, "at") == utc
    assert v.instant(dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), "at") == utc
    for text in (
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T01:00Z",
        "2026-03-02 01:00:00.000+00:00",
        "2026-03-02T09:00+0800",
    ):
        got = v.instant(text, "at")
        assert got == utc and got.tzinfo == pendulum.UTC, text
    assert code_of(lambda: v.instant("2026-03-02T09:00:00", "at")) == "time.naive"
    assert code_of(lambda: v.instant(dt.datetime(2026, 3, 2), "at")) == "time.naive"
    assert code_of(lambda: v.instant("2026-02-30T09:00:00+08:00", "at")) == "input.not_instant"
    assert code_of(lambda: v.instant(dt.date(2026, 3, 2), "at")) == "input.not_instant"
    assert code_of(lambda: v.instant("9999-12-31T23:59:59+00:00", "at")) == "time.out_of_range"
    assert code_of(lambda: v.instant(pendulum.datetime(9999, 12, 31, tz="Etc/GMT+12"), "at")) == "time.out_of_range"
    assert code_of(lambda: v.instant(pendulum.datetime(1999, 12, 31, tz="UTC"), "at")) == "time.out_of_range"


def test_days() -> None:
    assert v.day(dt.date(2026, 3, 2), "d") == dt.date(2026, 3, 2)
    assert v.day("2026-03-02", "d") == dt.date(2026, 3, 2)
    assert code_of(lambda: v.day(dt.datetime(2026, 3, 2), "d")) == "input.not_date"
    assert code_of(lambda: v.day("2026-02-30", "d")) == "input.not_date"
    assert code_of(lambda: v.day("20260302", "d")) == "input.not_date"
    assert code_of(lambda: v.day(dt.date(9999, 1, 1), "d")) == "time.out_of_range"


def test_credit_codes_are_normalised_then_checked() -> None:
    code = credit_code(42)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    for spelling in (code, f"  {code}\t", code.lower(), full_width):
        assert v.credit_code(spelling) == code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert code_of(lambda: v.credit_code(wrong)) == "enterprise.credit_code_check"
    for bad in ("123", code + "1", "I" + code[1:], None, "x" * 10_000):
        assert code_of(lambda b=bad: v.credit_code(b)) == "enterprise.credit_code_invalid"


@given(st.text(max_size=40) | st.integers() | st.none() | st.floats() | st.binary(max_size=10))
def test_anything_is_accepted_or_refused_with_a_typed_error(value: object) -> None:
    checks = [
        lambda: v.identifier(value, "f"),
        lambda: v.text(value, "f"),
        lambda: v.instant(value, "f"),
        lambda: v.day(value, "f"),
        lambda: v.credit_code(value, "f"),
        lambda: v.boolean(value, "f"),
        lambda: v.number(value, "f", minimum=-1, maximum=1),
        lambda: v.text_sequence(value, "f"),
    ]
    for check in checks:
        try:
            check()
        except ValidationError as err:
            assert err.code in err.message_en or err.message_en
            assert err.details.get("field") == "f"
