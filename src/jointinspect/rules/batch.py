"""Columnar batch matching: the partition of :func:`~jointinspect.rules.matching.match_batch`
for millions of plans, over parallel integer arrays instead of :class:`Plan` objects.

A :class:`~jointinspect.model.plan.Plan` costs kilobytes; a province's year of plans does not
fit that way. Here a plan is one position in parallel columns (enterprise number, allowed
window start, allowed window end, whether its kind merges), times are integers in any one
unit (seconds, minutes, microseconds) and :func:`group_ids` returns one group number per
plan. The partition is exactly the one ``match_batch`` makes (``tests/test_batch_matching.py``
proves it with hypothesis): per enterprise, the fewest groups whose windows share at least
``minimum`` of common time, found by stabbing the intervals ``[start, end - minimum]`` of
possible visit starts greedily by earliest right end; plans whose kind does not merge stay
alone.

Two paths give the same numbers. With numpy installed (``pip install jointinspect[fast]``)
the work runs on unboxed int64 columns (``rules/_batch_numpy.py``: one sort, a running
maximum, a binary search and a walk over the group starts); set ``JOINTINSPECT_PURE_BATCH=1``
or pass ``pure=True`` to take the pure path, which the core always has.

The pure path packs each mergeable plan into one integer
``(enterprise * span + right) << bits | position`` (``right = end - minimum``), where
``span`` exceeds every window: one ``list.sort`` orders plans by enterprise then right end,
and because enterprises are ``span`` apart a later enterprise's left end always lies past
the current point, so the sweep needs no enterprise test. Each plan then joins the group of
the earliest point that stabs it (a binary search), so ties among equal right ends cannot
change the partition.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import add, gt, lshift, mul, not_, or_, sub

import attrs

from jointinspect.errors import ValidationError
from jointinspect.model.plan import Plan
from jointinspect.policy.schema import MatchingPolicy
from jointinspect.rules.matching import allowed_window

__all__ = [
    "BatchSummary",
    "PlanColumns",
    "backend",
    "columns",
    "group_ids",
    "match_columns",
    "partition",
    "summarize",
]

_INT64_MAX = 2**63 - 1


def _int_column(values: Iterable[int], bound: int) -> Sequence[int]:
    """Store integers compactly as ``array('q')`` when they fit, else as a list."""
    return array("q", values) if bound <= _INT64_MAX else list(values)


def backend() -> str:
    """The path :func:`group_ids` takes by default: ``"numpy"`` or ``"pure"``.

    ``"numpy"`` when numpy can be imported and ``JOINTINSPECT_PURE_BATCH`` is unset, empty or
    ``0``; the numpy path still hands columns it cannot hold in int64 to the pure path.
    """
    if os.environ.get("JOINTINSPECT_PURE_BATCH", "") not in ("", "0"):
        return "pure"
    try:
        from jointinspect.rules import _batch_numpy  # noqa: F401, PLC0415 - optional dependency
    except ImportError:
        return "pure"
    return "numpy"


def group_ids(
    enterprise: Sequence[int],
    start: Sequence[int],
    end: Sequence[int],
    mergeable: Sequence[int] | bytes | None,
    minimum: int,
    *,
    pure: bool = False,
) -> array[int]:
    """Return a group number per plan: the groups of ``match_batch``, columnar.

    Args:
        enterprise: enterprise number of each plan (any integers; equal means same enterprise).
        start: allowed window start of each plan, integer time in one unit.
        end: allowed window end of each plan (exclusive), same unit, at least ``minimum``
            after ``start``.
        mergeable: truthy where the plan's kind may merge (``policy.kinds``); ``None`` means
            every plan may merge. A plan that may not merge is a group of its own.
        minimum: the least common time of a group, same unit, at least 1.
        pure: take the pure-Python path even when numpy is available (see :func:`backend`).

    Returns:
        ``array('q')`` of group numbers, dense from 0. Groups of mergeable plans are
        numbered in order of (enterprise, visit start point); groups of plans that may not
        merge follow in input order.

    Raises:
        ValidationError: columns of different lengths, a minimum below 1, or a window
            shorter than the minimum.
    """
    n = len(enterprise)
    if len(start) != n or len(end) != n or (mergeable is not None and len(mergeable) != n):
        raise ValidationError(
            "input.invalid", reason="batch columns must have equal lengths", reason_zh="批量各列长度须相同"
        )
    if minimum < 1:
        raise ValidationError(
            "input.invalid",
            reason=f"minimum must be at least 1, got {minimum}",
            reason_zh=f"最短共同时长至少为 1,实为 {minimum}",
        )
    if n == 0:
        return array("q")
    if not pure and backend() == "numpy":
        from jointinspect.rules import _batch_numpy  # noqa: PLC0415 - optional dependency

        fast = _batch_numpy.group_ids(enterprise, start, end, mergeable, minimum)
        if fast is not None:
            return fast
    return _group_ids_pure(enterprise, start, end, mergeable, minimum)


def _group_ids_pure(
    enterprise: Sequence[int],
    start: Sequence[int],
    end: Sequence[int],
    mergeable: Sequence[int] | bytes | None,
    minimum: int,
) -> array[int]:
    n = len(enterprise)
    out = array("q", bytes(8 * n))
    right_of = list(map(sub, end, repeat(minimum)))
    if any(map(gt, start, right_of)):
        bad = next(i for i, (s, r) in enumerate(zip(start, right_of, strict=True)) if r < s)
        raise ValidationError(
            "input.invalid",
            reason=f"plan at position {bad}: window shorter than the minimum common time",
            reason_zh=f"第 {bad} 个计划的时段短于最短共同时长",
        )
    flags: Sequence[int] | bytes = bytes([1]) * n if mergeable is None else mergeable

    lo, e_lo = min(start), min(enterprise)
    # Enterprises `span` apart: a later enterprise's left end always lies past any earlier point.
    span = max(right_of) - lo + 1
    offset = e_lo * span + lo
    bits = n.bit_length()
    base = list(map(sub, map(mul, enterprise, repeat(span)), repeat(offset)))
    # One integer per mergeable plan: (right key << bits) | position; sorting them sorts by key.
    packed = list(compress(map(or_, map(lshift, map(add, base, right_of), repeat(bits)), range(n)), flags))
    del right_of
    packed.sort()
    mask = (1 << bits) - 1
    # The stabbing points (right keys of the plans that open a group), in order ...
    points: list[int] = []
    point = -1
    for key in packed:
        i = key & mask
        if base[i] + start[i] > point:
            point = key >> bits
            points.append(point)
    # ... and each plan joins the earliest point that stabs it (independent of tie order).
    for key in packed:
        i = key & mask
        out[i] = bisect_left(points, base[i] + start[i])
    number = len(points) - 1
    del packed, base
    # Plans whose kind does not merge: one group each, numbered after the others.
    for i in compress(range(n), map(not_, flags)):
        number += 1
        out[i] = number
    return out


@attrs.frozen
class PlanColumns:
    """Plans as parallel columns, the input of :func:`group_ids`.

    ``start`` and ``end`` bound each plan's *allowed* window (`allowed_window`), in
    microseconds since the Unix epoch (exact, so the partition
    matches ``match_batch`` to the microsecond); ``enterprise`` and ``department`` index
    ``enterprise_codes`` and ``department_codes``.
    """

    ids: tuple[str, ...]
    enterprise: array[int]
    department: array[int]
    start: array[int]
    end: array[int]
    mergeable: bytes
    enterprise_codes: tuple[str, ...]
    department_codes: tuple[str, ...]

    def __len__(self) -> int:
        """Number of plans."""
        return len(self.ids)


def _micros(at: dt.datetime) -> int:
    # Exact integer arithmetic: timestamp() is a float and would blur microsecond boundaries.
    return calendar.timegm(at.utctimetuple()) * 1_000_000 + at.microsecond


def columns(plans: Iterable[Plan], policy: MatchingPolicy) -> PlanColumns:
    """Turn plans into columns (for moderate sizes; large batches build columns directly)."""
    ents: dict[str, int] = {}
    depts: dict[str, int] = {}
    ids: list[str] = []
    ent, dep, st, en = array("q"), array("q"), array("q"), array("q")
    merge = bytearray()
    for p in plans:
        ids.append(p.id)
        ent.append(ents.setdefault(p.enterprise, len(ents)))
        dep.append(depts.setdefault(p.department, len(depts)))
        window = allowed_window(p, policy)
        st.append(_micros(window.start))
        en.append(_micros(window.end))
        merge.append(p.kind in policy.kinds)
    return PlanColumns(tuple(ids), ent, dep, st, en, bytes(merge), tuple(ents), tuple(depts))


def match_columns(cols: PlanColumns, policy: MatchingPolicy, *, pure: bool = False) -> array[int]:
    """Group numbers of ``cols`` under ``policy`` (minimum converted to microseconds).

    Raises:
        ValidationError: ``policy.common_day`` is set (columns carry no time zone or
            calendar: use `jointinspect.rules.matching.match_batch`).
    """
    if policy.common_day is not None:
        raise ValidationError(
            "input.invalid",
            reason="columnar matching computes common time that may span days: use match_batch",
            reason_zh="列式匹配不支持同一(工作)日内的共同时段要求,请使用 match_batch",
        )
    m = policy.minimum
    minimum = (m.days * 86_400 + m.seconds) * 1_000_000 + m.microseconds
    return group_ids(cols.enterprise, cols.start, cols.end, cols.mergeable, minimum, pure=pure)


def partition(groups: Sequence[int], ids: Sequence[str]) -> list[tuple[str, ...]]:
    """Canonical form of a partition: sorted tuples of sorted plan ids, one per group."""
    members: dict[int, list[str]] = {}
    for g, plan_id in zip(groups, ids, strict=True):
        members.setdefault(g, []).append(plan_id)
    return sorted(tuple(sorted(m)) for m in members.values())


@attrs.frozen
class BatchSummary:
    """Counts over a batch partition: visits, joint visits and visits avoided."""

    plans: int
    groups: int
    #: groups with two or more departments.
    joint_groups: int
    #: plans that are part of a joint group.
    plans_in_joint_groups: int

    @property
    def visits_avoided(self) -> int:
        """Visits saved by merging: plans minus groups."""
        return self.plans - self.groups

    @property
    def joint_rate(self) -> float:
        """Share of plans carried out in a joint (multi-department) visit."""
        return self.plans_in_joint_groups / self.plans if self.plans else 0.0


def summarize(groups: Sequence[int], department: Sequence[int]) -> BatchSummary:
    """Count groups, joint groups and plans in joint groups (one pass, two small arrays)."""
    n = len(groups)
    if len(department) != n:
        raise ValidationError(
            "input.invalid", reason="batch columns must have equal lengths", reason_zh="批量各列长度须相同"
        )
    if n == 0:
        return BatchSummary(0, 0, 0, 0)
    g_count = max(groups) + 1
    first = array("q", [-1]) * g_count
    joint = bytearray(g_count)
    size = array("q", bytes(8 * g_count))
    for g, d in zip(groups, department, strict=True):
        size[g] += 1
        f = first[g]
        if f < 0:
            first[g] = d
        elif f != d:
            joint[g] = 1
    joint_groups = sum(joint)
    in_joint = sum(compress(size, joint))
    return BatchSummary(n, sum(1 for s in size if s), joint_groups, in_joint)
