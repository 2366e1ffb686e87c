"""`codec.micros` looks lately encoded instants up by identity: always the computed value."""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st
from jointinspect_sqlalchemy import codec

from jointinspect.timeutil import to_micros

_naive = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))
_instants = st.one_of(
    _naive.map(lambda d: pendulum.instance(d, tz="UTC")),
    _naive.map(lambda d: d.replace(tzinfo=dt.UTC)),
    _naive.map(lambda d: pendulum.instance(d, tz="Asia/Shanghai")),
    _naive.map(lambda d: d.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_instants, min_size=1, max_size=20), st.lists(st.integers(0, 19), max_size=40))
def test_micros_equals_the_computed_value_on_every_call(instants: list[dt.datetime], order: list[int]) -> None:
    """Each instant encoded again (a cache hit) gives what it gave first, and the core's."""
    for index in [*range(len(instants)), *order]:
        value = instants[index % len(instants)]
        assert codec.micros(value) == codec.micros_uncached(value) == to_micros(value)


def test_micros_cache_is_bounded_and_right_after_clearing() -> None:
    """Past its bound the cache starts again; values stay right across the clearing."""
    start = pendulum.datetime(2026, 1, 1, tz="UTC")
    values = [start.add(microseconds=i) for i in range(codec._MICROS_MAX + 10)]
    for round_ in range(2):
        for i, value in enumerate(values):
            assert codec.micros(value) == to_micros(start) + i, round_
        assert len(codec._MICROS) <= codec._MICROS_MAX


def test_a_value_freed_and_its_id_reused_is_not_confused() -> None:
    """The cache keeps each object it keys, so a new instant never takes a freed one's id."""
    start = pendulum.datetime(2026, 1, 1, tz="UTC")
    for i in range(200):
        value = start.add(seconds=i)
        assert codec.micros(value) == to_micros(start) + i * 1_000_000
        del value


def _span_computed(at: pendulum.DateTime, windows: list[pendulum.Duration]) -> tuple[int, int]:
    """`ledger._relevant_span` for rolling windows, computed as it was before its cache."""
    micros = to_micros(at)
    spans = []
    for window in windows:
        if window.years or window.months:
            width = to_micros(at + window) - micros
        else:
            width = dt.timedelta.__floordiv__(window, dt.timedelta(microseconds=1))
        spans.append((micros - width + 1, micros + width))
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


_durations = st.one_of(
    st.builds(pendulum.duration, days=st.integers(1, 400), hours=st.integers(0, 23)),
    st.builds(pendulum.duration, months=st.integers(1, 24)),
    st.builds(pendulum.duration, years=st.integers(1, 3), days=st.integers(0, 30)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_durations, min_size=1, max_size=4), st.lists(_naive, min_size=1, max_size=4))
def test_relevant_span_with_widths_looked_up_equals_the_computed_one(
    windows: list[pendulum.Duration], instants: list[dt.datetime]
) -> None:
    """Each window's width, looked up after its first use, gives the span computed afresh."""
    from jointinspect_sqlalchemy.ledger import _relevant_span

    from jointinspect.model.plan import InspectionKind
    from jointinspect.rules.frequency import Action, Reservation, RuleCheck, Scope

    checks = [RuleCheck(f"r{i}", Action.BLOCK, 1, Scope.ENTERPRISE, [InspectionKind.ROUTINE], window=w)
              for i, w in enumerate(windows)]  # fmt: skip
    for naive in [*instants, *instants]:
        at = pendulum.instance(naive, tz="UTC")
        request = Reservation("p", "E", "D", ["I1"], InspectionKind.ROUTINE, at)
        assert _relevant_span(request, checks) == _span_computed(at, windows)
