"""Outbox rows of staged notifications: a payload's text is reused only for the very same
values, and the writers made per payload shape write what the notification would."""

from __future__ import annotations

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import codec, outbox_rows

from jointinspect import staged
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind
from jointinspect.staged import StagedNotification

_AT = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _expected(chunk: list[StagedNotification]) -> list[tuple[str, str, int]]:
    return [(n.key, codec.dumps_slow(n), codec.micros(n.at)) for n in staged.notifications(_AT, chunk)]


def _chunk(*payloads: dict[str, object]) -> list[StagedNotification]:
    return [(f"k{i}", "plan.filed", Role.SUPERVISOR, "judicial", "p1", p) for i, p in enumerate(payloads)]


def test_equal_payloads_of_other_values_are_written_each_as_its_own() -> None:
    """``1``, ``True`` and ``1.0`` are equal, and so are dicts of them, but they are written
    ``1``, ``True`` and ``1.0``: only the very same values share the text before."""
    one = 10**20  # not a cached small int: equal ints below are other objects
    chunk = _chunk({"n": 1}, {"n": True}, {"n": 1.0}, {"n": one}, {"n": int(str(one))}, {"n": 1})
    assert outbox_rows.staged_notification_rows(_AT, chunk) == _expected(chunk)


def test_a_payload_of_fewer_keys_after_one_of_more_is_written_as_its_own() -> None:
    """The values and keys of ``{"a": x}`` are those of ``{"a": x, "b": y}`` as far as they
    go: the text before is not reused for it (nor the other way round)."""
    x, y = "x", "y"
    chunk = _chunk({"a": x, "b": y}, {"a": x}, {"a": x, "b": y}, {}, {"a": x})
    assert outbox_rows.staged_notification_rows(_AT, chunk) == _expected(chunk)


class _Key(str):
    """A key equal to a plain one whose ``str`` is another text."""

    def __str__(self) -> str:
        return "other"


def test_a_key_equal_to_a_known_shapes_but_of_another_type_is_written_by_its_str() -> None:
    """A writer is kept for the keys ``("a", "b")``; a payload whose keys are equal to them but
    one is a str subclass goes the slow way, which writes its ``str``."""
    assert outbox_rows.payload_text({"a": "1", "b": "2"}) == '["a","1"],["b","2"]'
    odd = {_Key("a"): "1", "b": "2"}
    assert outbox_rows.payload_text(odd) == codec._payload(staged.payload(odd)) == '["b","2"],["other","1"]'
    chunk = _chunk({"a": "1", "b": "2"}, odd)
    assert outbox_rows.staged_notification_rows(_AT, chunk) == _expected(chunk)


_values = st.one_of(
    st.text(max_size=4), st.integers(-2, 2), st.booleans(), st.none(), st.sampled_from(list(InspectionKind))
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=3), _values, max_size=4), max_size=6), st.lists(st.integers(0, 5)))
def test_payload_texts_are_those_of_the_sorted_pairs(payloads: list[dict[str, object]], picks: list[int]) -> None:
    """Any payloads, some repeated as the same object or as a copy of the same values: the
    rows of the notifications they stand for."""
    chunk = _chunk(*payloads)
    chunk += [(f"r{i}", kind, role, r, s, p if i % 2 else dict(p)) for i, (_, kind, role, r, s, p) in enumerate(
        chunk[j % len(chunk)] for j in picks
    )] if chunk else []  # fmt: skip
    for _, _, _, _, _, p in chunk:
        assert outbox_rows.payload_text(p) == codec._payload(staged.payload(p))
    assert outbox_rows.staged_notification_rows(_AT, chunk) == _expected(chunk)
