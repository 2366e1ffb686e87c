"""Columnar batch matching gives exactly the partition of ``match_batch``, leanly.

``group_ids`` has two paths: pure Python (a packed sort and a greedy loop) and numpy
(``rules/_batch_numpy.py``, two sort methods chosen by what fits in int64). These tests
prove both against the object-based matcher (random plans, random policies) and against a
plain greedy stabbing over integers, prove the numpy path returns exactly the pure path's
numbers, that the core works without numpy, and check memory per plan on both paths.
"""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import tracemalloc
from array import array
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.errors import ValidationError
from jointinspect.model.plan import InspectionKind, Plan, Window
from jointinspect.policy.schema import Allowance, Direction, MatchingPolicy
from jointinspect.rules.batch import (
    BatchSummary,
    backend,
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

HAS_NUMPY = importlib.util.find_spec("numpy") is not None
needs_numpy = pytest.mark.skipif(not HAS_NUMPY, reason="numpy not installed (optional extra jointinspect[fast])")
#: "pure" forces the pure path; "numpy" is the default path, which is numpy's when installed.
PATHS = [pytest.param("pure"), pytest.param("numpy", marks=needs_numpy)]
METHODS = ("packed", "key")


@pytest.fixture(autouse=True)
def _default_path_is_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The environment of the run must not silently turn the "numpy" cases into pure ones.
    monkeypatch.delenv("JOINTINSPECT_PURE_BATCH", raising=False)


@st.composite
def plans(draw: st.DrawFn) -> list[Plan]:
    """Plans with windows down to the microsecond, clustered so that gaps hit the boundary."""
    n = draw(st.integers(0, 25))
    out = []
    for k in range(n):
        # Hours, plus an occasional sub-second offset: boundary cases at exactly `gap`.
        start = T0.add(hours=draw(st.integers(0, 20 * 24)), microseconds=draw(st.sampled_from([0, 0, 1, 999_999])))
        length = pendulum.duration(
            hours=draw(st.sampled_from([8, 9, 24, 72, 240])), microseconds=draw(st.sampled_from([0, 1]))
        )
        dept = draw(st.sampled_from(DEPTS))
        out.append(
            Plan(
                id=f"p{k:03d}",
                enterprise=draw(st.sampled_from(ENTS)),
                department=dept,
                items=[f"{dept}-01"],
                inspectors=[f"{dept}-I01"],
                window=Window(start, start + length),
                kind=draw(st.sampled_from(KINDS)),
                filed_at=T0.subtract(days=30),
            )
        )
    return out


policies = st.builds(
    MatchingPolicy,
    min_common_hours=st.sampled_from([0, 1, 2, 8]),
    kinds=st.sampled_from(
        [
            MatchingPolicy().kinds,
            frozenset(KINDS),
            frozenset({InspectionKind.ROUTINE}),
            frozenset(),
        ]
    ),
    allowances=st.sampled_from(
        [
            {},
            {InspectionKind.ROUTINE: Allowance(days=1)},
            {InspectionKind.RANDOM: Allowance(hours=5, direction=Direction.LATER)},
        ]
    ),
)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=150, deadline=None)
@given(plans(), policies, st.randoms(use_true_random=False))
def test_same_partition_as_match_batch(path: str, ps: list[Plan], policy: MatchingPolicy, rnd: random.Random) -> None:
    expected = sorted(tuple(g.plan_ids) for g in match_batch(ps, policy))
    shuffled = list(ps)
    rnd.shuffle(shuffled)
    for order in (ps, shuffled):
        cols = columns(order, policy)
        ids = match_columns(cols, policy, pure=path == "pure")
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
        plans=len(ps),
        groups=len(groups),
        joint_groups=sum(g.joint for g in groups),
        plans_in_joint_groups=sum(len(g.plan_ids) for g in groups if g.joint),
    )
    assert summary.visits_avoided == len(ps) - len(groups)


def reference_partition(
    ent: list[int], start: list[int], end: list[int], merge: list[int], minimum: int
) -> list[tuple[int, ...]]:
    """Plain greedy stabbing on integers, per enterprise, written without the packing tricks:
    points at the earliest right ends, each plan in the group of the earliest point stabbing it."""
    groups: list[tuple[int, ...]] = [(i,) for i in range(len(ent)) if not merge[i]]
    for e in sorted({ent[i] for i in range(len(ent)) if merge[i]}):
        mine = [i for i in range(len(ent)) if merge[i] and ent[i] == e]
        points: list[int] = []
        for i in sorted(mine, key=lambda i: end[i] - minimum):
            if not points or start[i] > points[-1]:
                points.append(end[i] - minimum)
        members: dict[int, list[int]] = {}
        for i in mine:
            first = min(p for p in points if p >= start[i])
            assert first <= end[i] - minimum
            members.setdefault(first, []).append(i)
        groups += [tuple(sorted(m)) for m in members.values()]
    return sorted(groups)


@st.composite
def int_columns(draw: st.DrawFn) -> tuple[list[int], list[int], list[int], list[int], int]:
    # Huge and negative values too: 10**15 overflows the packed keys, 10**17 and 10**19 the
    # key method or int64 itself (the numpy path then declines and the pure path answers).
    scale = draw(st.sampled_from([1, 10**6, 10**15, 10**17, 10**19]))
    n = draw(st.integers(0, 40))
    minimum = draw(st.integers(1, 10)) * draw(st.sampled_from([1, scale]))
    ent = [draw(st.integers(-3, 3)) * draw(st.sampled_from([1, scale])) for _ in range(n)]
    start = [draw(st.integers(-50, 50)) * scale for _ in range(n)]
    end = [s + minimum + draw(st.integers(0, 20)) * draw(st.sampled_from([1, scale])) for s in start]
    merge = [draw(st.sampled_from([1, 1, 1, 0])) for _ in range(n)]
    return ent, start, end, merge, minimum


Columns = tuple[list[int], list[int], list[int], list[int], int]


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=300, deadline=None)
@given(int_columns())
def test_integer_columns_match_a_plain_greedy(path: str, cols: Columns) -> None:
    ent, start, end, merge, minimum = cols
    ids = group_ids(ent, start, end, bytes(merge), minimum, pure=path == "pure")
    got = sorted(tuple(i for i in range(len(ids)) if ids[i] == g) for g in set(ids))
    assert got == reference_partition(ent, start, end, merge, minimum)


def fits_int64(*columns: list[int]) -> bool:
    return all(-(2**63) <= v < 2**63 for col in columns for v in col)


@needs_numpy
@settings(max_examples=400, deadline=None)
@given(int_columns(), st.sampled_from(METHODS), st.sampled_from(["bytes", "list", "none"]))
def test_numpy_methods_number_groups_exactly_like_the_pure_path(cols: Columns, method: str, flags: str) -> None:
    from jointinspect.rules import _batch_numpy

    ent, start, end, merge, minimum = cols
    mergeable: bytes | list[int] | None = bytes(merge) if flags == "bytes" else merge if flags == "list" else None
    pure = list(group_ids(ent, start, end, mergeable, minimum, pure=True))
    fast = _batch_numpy.group_ids(ent, start, end, mergeable, minimum, method)  # type: ignore[arg-type]
    if fast is None:
        # Declined only when a value, or the time range of the mergeable plans, is too large for
        # int64 keys: beyond 2**60 microseconds (about 36,000 years), far outside any real instant.
        merging = [i for i in range(len(ent)) if flags == "none" or merge[i]]
        values = [v for col in (start, end) for v in (col[i] for i in merging)]
        huge = max((abs(v) for v in values), default=0)
        span = max(values, default=0) - min(values, default=0)
        assert not fits_int64(ent, start, end) or huge >= 2**60 or span >= 2**60
    else:
        assert list(fast) == pure
    # The public entry point always answers, with the same numbers.
    assert list(group_ids(ent, start, end, mergeable, minimum)) == pure


@needs_numpy
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 200), st.integers(1, 60), st.booleans()), max_size=300),
    st.integers(1, 30),
)
def test_far_apart_enterprises_are_made_dense(rows: list[tuple[int, int, int, bool]], minimum: int) -> None:
    # Enterprise numbers 10**17 apart overflow the keys until they are renumbered densely.
    from jointinspect.rules import _batch_numpy

    ent = [r[0] * 10**17 for r in rows]
    start = [r[1] for r in rows]
    end = [r[1] + minimum + r[2] for r in rows]
    merge = [int(r[3]) for r in rows]
    pure = list(group_ids(ent, start, end, bytes(merge), minimum, pure=True))
    for method in METHODS:
        fast = _batch_numpy.group_ids(ent, start, end, bytes(merge), minimum, method)  # type: ignore[arg-type]
        assert fast is not None
        assert list(fast) == pure


@pytest.mark.parametrize("path", PATHS)
def test_mergeable_none_means_all_merge_and_numbering_follows_enterprise_then_point(path: str) -> None:
    ids = group_ids(
        array("q", [2, 1, 1, 2]),
        array("q", [0, 8, 0, 100]),
        array("q", [5, 40, 10, 110]),
        None,
        2,
        pure=path == "pure",
    )
    # Enterprise 1: [0,10) and [8,40) share exactly 2 -> one group, numbered first.
    assert list(ids) == [1, 0, 0, 2]


@pytest.mark.parametrize("path", PATHS)
def test_plans_that_do_not_merge_are_numbered_last_in_input_order(path: str) -> None:
    ids = group_ids([5, 1, 5, 1, 5], [0, 0, 1, 2, 3], [9, 9, 9, 9, 9], b"\x00\x01\x00\x01\x01", 1, pure=path == "pure")
    assert isinstance(ids, array)
    assert ids.typecode == "q"
    assert list(ids) == [2, 0, 3, 0, 1]


@pytest.mark.parametrize("path", PATHS)
def test_minimum_common_time_boundary_is_inclusive(path: str) -> None:
    pure = path == "pure"
    assert list(group_ids([1, 1], [0, 5], [10, 20], None, 5, pure=pure)) == [0, 0]
    assert list(group_ids([1, 1], [0, 6], [10, 20], None, 5, pure=pure)) == [0, 1]
    # The transitive chain of the old rule is three visits now: a and c share no time.
    assert list(group_ids([1, 1, 1], [0, 8, 16], [10, 18, 26], None, 2, pure=pure)) == [0, 0, 1]


@needs_numpy
def test_numpy_path_takes_any_integer_columns() -> None:
    import numpy as np

    rnd = random.Random(3)
    n = 500
    ent = [rnd.randrange(40) for _ in range(n)]
    start = [rnd.randrange(10_000) for _ in range(n)]
    end = [s + rnd.randrange(1, 300) for s in start]
    merge = [rnd.random() > 0.1 for _ in range(n)]
    end = [e + 50 for e in end]
    expected = list(group_ids(ent, start, end, bytes(merge), 50, pure=True))
    variants: list[tuple[Any, Any, Any, Any]] = [
        (array("q", ent), array("q", start), array("q", end), bytearray(merge)),
        (array("i", ent), array("l", start), array("q", end), merge),
        (np.array(ent, dtype=np.int32), np.array(start), np.array(end, dtype=np.uint32), np.array(merge)),
    ]
    for e, s, en, m in variants:
        assert list(group_ids(e, s, en, m, 50)) == expected


def test_backend_follows_numpy_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert backend() == ("numpy" if HAS_NUMPY else "pure")
    monkeypatch.setenv("JOINTINSPECT_PURE_BATCH", "1")
    assert backend() == "pure"
    assert list(group_ids([1, 1], [0, 6], [10, 20], None, 5)) == [0, 1]
    monkeypatch.setenv("JOINTINSPECT_PURE_BATCH", "0")
    assert backend() == ("numpy" if HAS_NUMPY else "pure")


def test_core_works_without_numpy() -> None:
    # A None entry in sys.modules makes `import numpy` fail, as if it were not installed.
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import jointinspect\n"
        "from jointinspect.rules.batch import backend, group_ids\n"
        "assert backend() == 'pure', backend()\n"
        "print(list(group_ids([2, 1, 1, 2], [0, 8, 0, 100], [5, 40, 10, 110], b'\\x01\\x01\\x01\\x00', 2)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JOINTINSPECT_PURE_BATCH"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[1, 0, 0, 2]"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (([1], [0, 1], [1, 2], None, 1), "equal lengths"),
        (([1], [0], [1], b"\x01\x01", 1), "equal lengths"),
        (([1], [0], [1], None, 0), "at least 1"),
        (([1, 1], [0, 5], [1, 5], None, 1), "position 1"),
        (([1, 1, 1], [0, 5, 9], [1, 4, 8], b"\x00\x01\x01", 1), "position 1"),
        (([1, 1], [0, 5], [3, 7], None, 3), "position 1"),
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_invalid_input_is_rejected(path: str, args: tuple[object, ...], reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        group_ids(*args, pure=path == "pure")  # type: ignore[arg-type]
    assert info.value.code == "input.invalid"
    assert reason in str(info.value.details["reason"])


@pytest.mark.parametrize("path", PATHS)
def test_empty_batch(path: str) -> None:
    assert list(group_ids([], [], [], b"", 7, pure=path == "pure")) == []
    assert list(group_ids([1], [0], [7], b"\x00", 7, pure=path == "pure")) == [0]
    assert summarize(array("q"), array("q")) == BatchSummary(0, 0, 0, 0)


@pytest.mark.parametrize("path", PATHS)
def test_peak_memory_per_plan_stays_under_300_bytes(path: str) -> None:
    rnd = random.Random(5)
    n = 40_000
    ent = array("q", (rnd.randrange(n // 8) for _ in range(n)))
    start = array("q", (rnd.randrange(525_600) for _ in range(n)))
    end = array("q", (s + rnd.choice((60, 480, 1440, 4320)) for s in start))
    merge = bytes(rnd.random() > 0.02 for _ in range(n))
    tracemalloc.start()
    try:
        # tracemalloc traces numpy's buffers too.
        ids = group_ids(ent, start, end, merge, 60, pure=path == "pure")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ids) == n
    assert peak / n <= 300, f"{peak / n:.0f} bytes per plan"


@pytest.mark.parametrize("path", PATHS)
def test_ties_among_equal_right_ends_do_not_change_the_partition(path: str) -> None:
    # Found on the benchmark workload against PostgreSQL: A and B end together; C opens the
    # first point, which stabs A but not B. Whichever of A and B is sorted first, A joins C's
    # group (the earliest point stabbing it) and B opens the second.
    a, b, c, d = (390726, 401167), (395242, 401167), (389629, 394401), (393816, 400561)
    for order in ([a, b, c, d], [b, a, c, d], [d, c, b, a]):
        ids = group_ids([7] * 4, [w[0] for w in order], [w[1] for w in order], None, 120, pure=path == "pure")
        by_window = dict(zip(order, ids, strict=True))
        assert by_window[a] == by_window[c] == by_window[d] != by_window[b]
