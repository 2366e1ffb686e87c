"""`Effects.notification` builds with `Notification.checked` what the converters would
build (issue 11: filing builds three a plan), and refuses what they refuse."""

from __future__ import annotations

import enum

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.auth import Principal
from jointinspect.errors import ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role
from jointinspect.operations._context import Effects, default_key

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


class _Colour(enum.Enum):
    RED = 1


values = st.one_of(
    st.text(max_size=6), st.integers(), st.none(), st.booleans(), st.just(_Colour.RED), st.just(Role.ENTERPRISE)
)


def _effects(now: pendulum.DateTime = T0) -> Effects:
    with MemoryStore().unit_of_work() as uow:
        return Effects(uow, now, Principal.officer("SCJG"))


@given(
    st.sampled_from(list(Role)),
    st.text(min_size=1, max_size=6),
    st.one_of(st.none(), st.text(min_size=1, max_size=6)),
    st.dictionaries(st.text(min_size=1, max_size=4), values, max_size=4),
)
def test_fast_notification_equals_the_converters(
    role: Role, subject: str, key: str | None, payload: dict[str, object]
) -> None:
    try:
        expected = Notification(
            key=key or default_key("plan.filed", role, "SCJG", subject),
            kind="plan.filed",
            role=role,
            recipient="SCJG",
            subject=subject,
            at=T0,
            payload=payload,
        )
    except ValidationError as refused:
        # What the converters refuse (a NUL in the default key, say), the fast path refuses too.
        with pytest.raises(ValidationError) as fast:
            _effects().notification("plan.filed", role, "SCJG", subject, key, payload)
        assert fast.value.code == refused.code
        return
    got = _effects().notification("plan.filed", role, "SCJG", subject, key, payload)
    assert got == expected
    assert type(got.payload) is tuple


@pytest.mark.parametrize("key", ["x" * 256, "a\x00b", "\ud800"])
def test_fast_notification_refuses_the_keys_the_converter_refuses(key: str) -> None:
    with pytest.raises(ValidationError) as fast:
        _effects().notification("plan.filed", Role.DEPARTMENT, "SCJG", "p1", key, {})
    with pytest.raises(ValidationError) as slow:
        Notification(key, "plan.filed", Role.DEPARTMENT, "SCJG", "p1", T0)
    assert fast.value.code == slow.value.code


def test_a_role_given_as_text_still_goes_through_the_converters() -> None:
    got = _effects().notification("plan.filed", "department", "SCJG", "p1", None, {"a": 1})  # type: ignore[arg-type]
    assert got.role is Role.DEPARTMENT and got.payload == (("a", "1"),)
