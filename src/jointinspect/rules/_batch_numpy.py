"""The numpy kernel of :func:`jointinspect.rules.batch.group_ids` (optional: ``jointinspect[fast]``).

Same partition and same numbering as the pure path, on unboxed int64 columns. Each
mergeable plan is the interval ``[left, right] = [start, end - minimum]`` of possible visit
starts, keyed ``(enterprise - e_lo) * span + time`` so that enterprises never mix. After one
sort by right key (``packed``: right key and position in one int64, sorted in place; or
``key``: an argsort when they do not fit together):

* ``reach[i]`` = the running maximum of left keys. Every plan before ``i`` has its left at
  or below ``right[i]``, so ``next[i]`` = the first ``j`` with ``reach[j] > right[i]`` (a
  ``searchsorted``, ``reach`` being sorted) is the first plan the point ``right[i]`` misses:
  the greedy's next group start when ``i`` opens a group.
* A plan whose left key lies past the previous plan's right key surely opens a group;
  these heads cut the sorted plans into independent runs. Within a run the group starts
  are the chain ``head, next[head], next[next[head]], ...``, followed for every run at
  once (one vectorised step per group of the longest run, no Python loop over plans or
  groups). Their right keys are the stabbing points, and each plan joins the earliest
  point at or after its left key: the point of the last start before it (a running
  count), searched only for the few plans an earlier point also reaches, so the order
  among equal right ends cannot change the partition.

Enterprise numbers are first made dense (``np.unique``) when their spread would overflow
the keys. Columns whose values or keys do not fit in int64 are declined (``None``) and the
caller takes the pure path.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from jointinspect.errors import ValidationError

__all__ = ["Method", "group_ids"]

Method = Literal["packed", "key"]
_INT64_MAX = 2**63 - 1
_METHODS: tuple[Method, ...] = ("packed", "key")

I64 = npt.NDArray[np.int64]


def _int64(values: object) -> I64 | None:
    """The column as int64 (a view when it already is one), or ``None`` when it does not fit."""
    if isinstance(values, array) and values.typecode == "q":
        return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, np.int64)
    col = np.asarray(values)
    # Python ints beyond int64 become object, float64 (!) or uint64 arrays: not ours.
    if col.ndim != 1 or col.dtype.kind not in "iub":
        return None
    if col.dtype.kind == "u" and col.size and int(col.max()) > _INT64_MAX:
        return None
    return col.astype(np.int64, copy=False)


def _flags(mergeable: object, n: int) -> npt.NDArray[np.bool_] | None:
    if mergeable is None:
        return None
    if isinstance(mergeable, bytes | bytearray | memoryview):
        return np.not_equal(np.frombuffer(mergeable, dtype=np.uint8), 0)
    col = np.asarray(mergeable)
    if col.ndim != 1 or col.dtype.kind not in "iub" or col.size != n:
        return None
    return np.asarray(col != 0, dtype=np.bool_)


def group_ids(
    enterprise: Sequence[int],
    start: Sequence[int],
    end: Sequence[int],
    mergeable: Sequence[int] | bytes | None,
    minimum: int,
    method: Method | None = None,
) -> array[int] | None:
    """Group numbers as :func:`jointinspect.rules.batch.group_ids` gives them, or ``None``.

    The caller has checked lengths and ``minimum``. ``method`` forces a slower method than
    the fastest that fits (for tests). ``None`` means the columns do not fit in int64: use
    the pure path.

    Raises:
        ValidationError: a window shorter than ``minimum``.
    """
    n = len(enterprise)
    if n == 0:
        return array("q")
    ent, st, en = _int64(enterprise), _int64(start), _int64(end)
    merge = _flags(mergeable, n)
    if ent is None or st is None or en is None or (mergeable is not None and merge is None):
        return None
    if int(en.min()) < -_INT64_MAX + minimum:
        return None
    right = en - minimum
    bad = right < st
    if bad.any():
        raise ValidationError(
            "input.invalid",
            reason=f"plan at position {int(np.argmax(bad))}: window shorter than the minimum common time",
            reason_zh=f"第 {int(np.argmax(bad))} 个计划的时段短于最短共同时长",
        )
    del bad
    # The numbers go straight into the returned array's buffer: no copy at the end.
    result = array("q", [0]) * n
    out = np.frombuffer(result, dtype=np.int64)
    if merge is not None and merge.all():
        merge = None
    if merge is not None and not merge.any():
        out[:] = np.arange(n, dtype=np.int64)  # nothing merges: one group each, in order
    elif _stab(ent, st, right, merge, method, out) is None:
        return None
    del out  # releases the buffer export, so the caller may resize the array
    return result


def _stab(
    ent: I64, left: I64, right: I64, merge: npt.NDArray[np.bool_] | None, method: Method | None, out: I64
) -> int | None:
    """Number the greedy stabbing groups into ``out`` (plans that may not merge, where
    ``merge`` is false, alone and last, in input order); returns the count, or ``None``
    when the keys do not fit in int64."""
    if merge is None:
        lo, hi = int(left.min()), int(right.max())
        e_lo, e_hi = int(ent.min()), int(ent.max())
    else:  # the range of the plans that merge: the others get keys of their own below
        lo, hi = (
            int(np.min(left, where=merge, initial=_INT64_MAX)),
            int(np.max(right, where=merge, initial=-_INT64_MAX)),
        )
        e_lo = int(np.min(ent, where=merge, initial=_INT64_MAX))
        e_hi = int(np.max(ent, where=merge, initial=-_INT64_MAX))
    if hi - lo > _INT64_MAX // 2:
        return None
    span = hi - lo + 1
    n = ent.size
    if (e_hi - e_lo + 1) * span + n > _INT64_MAX:
        # Dense enterprise numbers: at most n of them.
        _, dense = np.unique(ent, return_inverse=True)
        ent, e_lo = dense.astype(np.int64, copy=False), 0
        e_hi = int(dense.max()) if merge is None else int(np.max(dense, where=merge, initial=0))
        if (e_hi + 1) * span + n > _INT64_MAX:
            return None
    # Keys past every enterprise's: top + position, for the plans that may not merge.
    top = (e_hi - e_lo + 1) * span
    bits = n.bit_length()
    fits_packed = (top + n) << bits <= _INT64_MAX
    chosen = _METHODS[
        (0 if fits_packed else 1) if method is None else max(0 if fits_packed else 1, _METHODS.index(method))
    ]
    base = ent - e_lo
    base *= span
    base -= lo
    key = right + base
    base += left  # the left keys, in input order
    if merge is not None:
        # A plan that may not merge gets one key past everything as its left and right:
        # it opens a group of its own, numbered after the others, in input order.
        solo = np.arange(top, top + n, dtype=np.int64)
        alone = ~merge
        np.copyto(key, solo, where=alone)
        np.copyto(base, solo, where=alone)
        del solo, alone
    pos: I64
    if chosen == "packed":
        key <<= bits
        key |= np.arange(key.size, dtype=np.int64)
        key.sort()
        pos = key & ((1 << bits) - 1)
        key >>= bits
    else:
        pos = np.argsort(key, kind="stable")
        key = key[pos]
    lefts = base[pos]  # ... and in sorted order
    del base
    reach = np.maximum.accumulate(lefts)
    m = key.size
    # A plan whose left key lies past the previous plan's right key lies past every point
    # so far: it surely opens a group. Those heads cut the plans into independent runs.
    opens = np.empty(m, dtype=np.bool_)
    opens[0] = True
    np.greater(lefts[1:], key[:-1], out=opens[1:])
    front = np.flatnonzero(opens)
    stop = np.append(front[1:], m)
    longer = stop - front > 1  # a run of one plan is one group: nothing to follow
    front, stop = front[longer], stop[longer]
    del longer
    # Within each run, the greedy's next group start after a start f is the first plan
    # whose left key passes f's point: next[f] = the first j with reach[j] > key[f]. All
    # runs advance together, one vectorised step per group of the longest run.
    while front.size:
        nxt = np.searchsorted(reach, key[front], side="right")
        inside = nxt < stop
        front, stop = nxt[inside], stop[inside]
        opens[front] = True
    del reach, front, stop
    points = key[opens]
    # Each plan joins the earliest point that stabs it (independent of how ties were
    # sorted): the point of the last start at or before it, unless an earlier point
    # reaches it too (a long window); only those few are searched.
    group = np.cumsum(opens, dtype=np.int64)
    group -= 1
    del opens, key
    earlier = np.greater_equal(points[np.maximum(group - 1, 0)], lefts)
    earlier &= group > 0
    wide = np.flatnonzero(earlier)
    del earlier
    if wide.size:
        group[wide] = np.searchsorted(points, lefts[wide], side="left")
    del lefts
    out[pos] = group
    return int(points.size)
