"""The answers filing keeps between plans (issue 11: one clock reading per bulk chunk) are
the answers computed afresh, whatever is asked in between."""

from __future__ import annotations

import datetime as dt

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

from jointinspect._last import LastAnswer
from jointinspect.model.plan import InspectionKind
from jointinspect.policy.city import Policy
from jointinspect.policy.inspections import FilingPolicy, FrequencyRule
from jointinspect.policy.vocabulary import DayUnit, Period
from jointinspect.rules import filing
from jointinspect.timeutil import _local_date, local_date

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CALENDAR = Policy(frequency=(FrequencyRule("one_a_month", 1, period=Period.MONTH),))
ROLLING = Policy()
FILINGS = (FilingPolicy(), FilingPolicy(advance=3, unit=DayUnit.WORKING), FilingPolicy(advance=0))


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 2)), min_size=1, max_size=8))
def test_earliest_start_is_computed_afresh_for_each_date_and_policy(asks: list[tuple[int, int]]) -> None:
    dates = [local_date(T0.add(days=days), "Asia/Shanghai") for days, _ in asks]
    for day, (_, which) in zip(dates, asks, strict=True):
        expected = filing._earliest_start(day, FILINGS[which])
        assert filing.earliest_start(day, FILINGS[which]) == expected
        assert filing.earliest_start(day, FILINGS[which]) == expected  # asked again: the kept answer


@given(
    st.lists(
        st.tuples(st.sampled_from([CALENDAR, ROLLING]), st.sampled_from(list(InspectionKind)), st.integers(0, 90)),
        max_size=8,
    )
)
def test_frequency_checks_equal_the_rules_of_each_policy(asks: list[tuple[Policy, InspectionKind, int]]) -> None:
    for policy, kind, days in asks:
        at = T0.add(days=days)
        checks = filing.frequency_checks(policy, kind, at)
        assert [c.rule for c in checks] == [r.name for r in policy.frequency if kind in r.applies_to]
        if policy is CALENDAR and checks:
            assert checks[0].bucket == filing.calendar_bucket(at, Period.MONTH, policy.zone)
        checks.clear()  # a caller changing its list changes no later answer
        assert len(filing.frequency_checks(policy, kind, at)) == len(
            [r for r in policy.frequency if kind in r.applies_to]
        )


@given(st.integers(-(10**6), 10**6), st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC"]))
def test_local_date_equals_the_conversion(minutes: int, zone: str) -> None:
    instant = T0.add(minutes=minutes)
    for value in (instant, instant.in_timezone(zone), dt.datetime.fromtimestamp(instant.timestamp(), dt.UTC)):
        assert local_date(value, zone) == _local_date(value, zone)


def test_lookback_start_follows_the_policy() -> None:
    from jointinspect.operations.results import lookback_start

    class _Context:
        def __init__(self, months: int) -> None:
            self.policy = attrs.evolve(Policy(), sharing=attrs.evolve(Policy().sharing, lookback_months=months))

    for months in (6, 1, 6, 0):
        assert lookback_start(_Context(months), T0) == T0.subtract(months=months)  # type: ignore[arg-type]


def test_a_last_answer_is_kept_for_the_same_objects_only() -> None:
    calls: list[int] = []
    last: LastAnswer[list[int]] = LastAnswer()
    a, b = [1], [1]  # equal, not the same object

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    def ask(first: object) -> list[int]:
        return last.get(first, None, compute)

    assert ask(a) == [1] and ask(a) == [1]  # asked again about a itself: kept
    assert ask(b) == [2]  # an equal object is another question
    assert ask(a) == [3]  # only the last answer is kept
    assert last.get(a, b, lambda: [9]) == [9] and last.get(a, a, lambda: [8]) == [8]
