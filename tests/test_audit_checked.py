"""`AuditRecord.checked` (what `Effects.record` builds: filing audits twice a plan) gives
the record the validators give, with the same sealed body, and refuses what they refuse,
naming the same field (issue 11)."""

from __future__ import annotations

import datetime as dt
import enum

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.audit import AuditRecord, canonical_body, seal
from jointinspect.errors import ValidationError
from jointinspect.model.plan import InspectionKind

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


class _Number(enum.IntEnum):
    ONE = 1


class _Odd(str):
    """Text whose ``str`` is not its content."""

    def __str__(self) -> str:
        return "odd\x00"


texts = st.one_of(st.text(max_size=5), st.sampled_from(["", "a\x00", "\ud800", "检查", "plan.filed"]))
values = st.one_of(
    texts,
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.sampled_from([InspectionKind.ROUTINE, _Number.ONE, _Odd("x"), b"bytes", ("a", "b")]),
)
instants = st.sampled_from(
    [T0, T0.in_timezone("Asia/Shanghai"), dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 1)]
)


def _outcome(build: object, *args: object) -> tuple[str, object]:
    try:
        record = build(*args)  # type: ignore[operator]
    except ValidationError as refused:
        return "refused", (refused.code, refused.details)
    return "record", (record, canonical_body(seal(record, 1, "0" * 64)), type(record.data))


@given(instants, st.one_of(texts, st.none()), texts, texts, st.dictionaries(st.one_of(texts, st.integers()), values))
def test_checked_equals_the_validators(
    at: dt.datetime, actor: str, action: str, subject: str, data: dict[str, object]
) -> None:
    assert _outcome(AuditRecord.checked, at, actor, action, subject, data) == _outcome(
        AuditRecord, at, actor, action, subject, data
    )


@given(
    st.text(min_size=1, max_size=5),
    st.text(max_size=5),
    st.dictionaries(
        st.text(min_size=1, max_size=3), st.one_of(st.text(max_size=3), st.integers(), st.none()), max_size=6
    ),
)
def test_checked_keeps_what_the_validators_keep(actor: str, subject: str, data: dict[str, object]) -> None:
    # Mostly the values filing gives (the path `checked` takes by itself): pairs sorted by key.
    assert _outcome(AuditRecord.checked, T0, actor, "plan.filed", subject, data) == _outcome(
        AuditRecord, T0, actor, "plan.filed", subject, data
    )


@pytest.mark.parametrize("data", [{"k": "a\x00"}, {"k": "\ud800"}, {"": "v"}, {"k": 1.5}, {"k": float("nan")}])
def test_checked_refuses_or_keeps_like_the_validators(data: dict[str, object]) -> None:
    assert _outcome(AuditRecord.checked, T0, "officer:SCJG", "plan.filed", "p1", data) == _outcome(
        AuditRecord, T0, "officer:SCJG", "plan.filed", "p1", data
    )
