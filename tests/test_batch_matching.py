"""Columnar batch matching gives exactly the partition of ``match_batch``, leanly.

``group_ids`` works on integer columns with a packed sort and itertools sweep; these tests
prove it against the object-based matcher (random plans, random policies) and against a
plain sort-and-sweep over integers, and check its memory per plan.
"""

from __future__ import annotations

import random
import tracemalloc
from array import array

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.policy.schema import MatchingPolicy
from jointinspect.rules.batch import (
    BatchSummary,
    columns,
    group_ids,
    match_columns,
    partition,
    summarize,
)
from jointinspect.rules.matching import match_batch

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
DEPTS = ("SCJG", "YJGL", "STHJ", "XFJY")
ENTS = ("E1", "E2", "E3", "E4")
KINDS = (InspectionKind.ROUTINE, InspectionKind.RANDOM, InspectionKind.COMPLAINT, InspectionKind.EMERGENCY)


@st.composite
def plans(draw: st.DrawFn) -> list[Plan]:
    """Plans with windows down to the microsecond, clustered so that gaps hit the boundary."""
    n = draw(st.integers(0, 25))
    out = []
    for k in range(n):
        # Hours, plus an occasional sub-second offset: boundary cases at exactly `gap`.
        start = T0.add(hours=draw(st.integers(0, 60 * 24)), microseconds=draw(st.sampled_from([0, 0, 1, 999_999])))
        length = pendulum.duration(
            hours=draw(st.sampled_from([1, 8, 24, 72, 240])), microseconds=draw(st.sampled_from([0, 1]))
        )
        dept = draw(st.sampled_from(DEPTS))
        out.append(Plan(
            id=f"p{k:03d}", enterprise=draw(st.sampled_from(ENTS)), department=dept, items=[f"{dept}-01"],
            inspectors=[f"{dept}-I01"], window=Window(start, start + length), kind=draw(st.sampled_from(KINDS)),
            filed_at=T0.subtract(days=30),
        ))
    return out


policies = st.builds(
    MatchingPolicy,
    gap_days=st.sampled_from([0, 1, 3, 7]),
    kinds=st.sampled_from([
        MatchingPolicy().kinds, frozenset(KINDS), frozenset({InspectionKind.ROUTINE}), frozenset(),
    ]),
)


@settings(max_examples=150, deadline=None)
@given(plans(), policies, st.randoms(use_true_random=False))
def test_same_partition_as_match_batch(ps: list[Plan], policy: MatchingPolicy, rnd: random.Random) -> None:
    expected = sorted(tuple(g.plan_ids) for g in match_batch(ps, policy))
    shuffled = list(ps)
    rnd.shuffle(shuffled)
    for order in (ps, shuffled):
        cols = columns(order, policy)
        ids = match_columns(cols, policy)
        assert partition(ids, cols.ids) == expected
        # Dense numbering from 0.
        assert sorted(set(ids)) == list(range(len(expected)))


@settings(max_examples=60, deadline=None)
@given(plans(), policies)
def test_summary_counts_joint_groups_like_match_batch(ps: list[Plan], policy: MatchingPolicy) -> None:
    groups = match_batch(ps, policy)
    cols = columns(ps, policy)
    summary = summarize(match_columns(cols, policy), cols.department)
    assert summary == BatchSummary(
        plans=len(ps), groups=len(groups), joint_groups=sum(g.joint for g in groups),
        plans_in_joint_groups=sum(len(g.plan_ids) for g in groups if g.joint),
    )
    assert summary.visits_avoided == len(ps) - len(groups)


def reference_partition(
    ent: list[int], start: list[int], end: list[int], merge: list[int], gap: int
) -> list[tuple[int, ...]]:
    """Plain sort and sweep with a running maximum, per enterprise, on integers."""
    groups: list[tuple[int, ...]] = [(i,) for i in range(len(ent)) if not merge[i]]
    order = sorted((i for i in range(len(ent)) if merge[i]), key=lambda i: (ent[i], start[i]))
    current: list[int] = []
    reach = 0
    for i in order:
        if current and (ent[i] != ent[current[0]] or start[i] - reach > gap):
            groups.append(tuple(sorted(current)))
            current = []
        reach = end[i] if not current else max(reach, end[i])
        current.append(i)
    if current:
        groups.append(tuple(sorted(current)))
    return sorted(groups)


@st.composite
def int_columns(draw: st.DrawFn) -> tuple[list[int], list[int], list[int], list[int], int]:
    # Huge and negative values too: they exercise the list fallback beyond 64 bits.
    scale = draw(st.sampled_from([1, 10**6, 10**15]))
    n = draw(st.integers(0, 40))
    ent = [draw(st.integers(-3, 3)) * draw(st.sampled_from([1, scale])) for _ in range(n)]
    start = [draw(st.integers(-50, 50)) * scale for _ in range(n)]
    end = [s + draw(st.integers(1, 20)) * draw(st.sampled_from([1, scale])) for s in start]
    merge = [draw(st.sampled_from([1, 1, 1, 0])) for _ in range(n)]
    gap = draw(st.integers(0, 10)) * draw(st.sampled_from([1, scale]))
    return ent, start, end, merge, gap


@settings(max_examples=300, deadline=None)
@given(int_columns())
def test_integer_columns_match_a_plain_sweep(cols: tuple[list[int], list[int], list[int], list[int], int]) -> None:
    ent, start, end, merge, gap = cols
    ids = group_ids(ent, start, end, bytes(merge), gap)
    got = sorted(tuple(i for i in range(len(ids)) if ids[i] == g) for g in set(ids))
    assert got == reference_partition(ent, start, end, merge, gap)


def test_mergeable_none_means_all_merge_and_numbering_follows_enterprise_then_start() -> None:
    ids = group_ids(array("q", [2, 1, 1, 2]), array("q", [0, 30, 0, 100]), array("q", [5, 40, 10, 110]), None, 20)
    # Enterprise 1: [0,10) and [30,40) are 20 apart -> one group, numbered first.
    assert list(ids) == [1, 0, 0, 2]


def test_gap_boundary_is_inclusive() -> None:
    assert list(group_ids([1, 1], [0, 15], [10, 20], None, 5)) == [0, 0]
    assert list(group_ids([1, 1], [0, 16], [10, 20], None, 5)) == [0, 1]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (([1], [0, 1], [1, 2], None, 1), "equal lengths"),
        (([1], [0], [1], b"\x01\x01", 1), "equal lengths"),
        (([1], [0], [1], None, -1), "negative"),
        (([1, 1], [0, 5], [1, 5], None, 1), "position 1"),
    ],
)
def test_invalid_input_is_rejected(args: tuple[object, ...], reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        group_ids(*args)  # type: ignore[arg-type]
    assert info.value.code == "input.invalid"
    assert reason in str(info.value.details["reason"])


def test_empty_batch() -> None:
    assert list(group_ids([], [], [], b"", 7)) == []
    assert summarize(array("q"), array("q")) == BatchSummary(0, 0, 0, 0)


def test_peak_memory_per_plan_stays_under_300_bytes() -> None:
    rnd = random.Random(5)
    n = 40_000
    ent = array("q", (rnd.randrange(n // 8) for _ in range(n)))
    start = array("q", (rnd.randrange(525_600) for _ in range(n)))
    end = array("q", (s + rnd.choice((60, 480, 1440, 4320)) for s in start))
    merge = bytes(rnd.random() > 0.02 for _ in range(n))
    tracemalloc.start()
    try:
        ids = group_ids(ent, start, end, merge, 7 * 1440)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ids) == n
    assert peak / n <= 300, f"{peak / n:.0f} bytes per plan"
