"""The numpy kernel of :func:`jointinspect.rules.batch.group_ids` (optional: ``jointinspect[fast]``).

Same partition and same numbering as the pure path, on unboxed int64 columns: one sort by
(enterprise, start), a running maximum of ends, a cumulative sum of "a new group starts
here" flags and one scatter back to input order. Which sort and which running maximum
depend on what fits in 64 bits without overflow (checked on Python ints beforehand):

1. ``packed``: ``((enterprise - e_lo) * span + start - lo) << bits | position`` fits. One
   in-place ``ndarray.sort`` of values (faster than an argsort) yields the order and the
   keys. Enterprises are ``span`` apart, so a different enterprise always starts more than
   ``gap`` after any earlier end and one plain ``np.maximum.accumulate`` needs no reset.
2. ``key``: only ``(enterprise - e_lo) * span + start - lo`` fits: an argsort of it.
3. ``lexsort``: enterprise numbers too far apart for one key: ``np.lexsort`` by (enterprise,
   start) and a running maximum that restarts at each enterprise, by doubling (Hillis and
   Steele), ``ceil(log2(largest enterprise))`` passes.

Plans with equal (enterprise, start) always fall in one group (the later one starts before
the earlier one ends), so the order among them, which differs between the sorts, cannot
change the result. Columns whose values do not fit in int64, or whose time range does not,
are declined (``None``) and the caller takes the pure path.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from jointinspect.errors import ValidationError

__all__ = ["Method", "group_ids"]

Method = Literal["packed", "key", "lexsort"]
_INT64_MAX = 2**63 - 1
_METHODS: tuple[Method, ...] = ("packed", "key", "lexsort")

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
    gap: int,
    method: Method | None = None,
) -> array[int] | None:
    """Group numbers as :func:`jointinspect.rules.batch.group_ids` gives them, or ``None``.

    The caller has checked lengths and ``gap``. ``method`` forces a slower method than the
    fastest that fits (for tests); a faster one than fits is never used. ``None`` means the
    columns do not fit in int64: use the pure path.

    Raises:
        ValidationError: an end not after its start.
    """
    n = len(enterprise)
    if n == 0:
        return array("q")
    ent, st, en = _int64(enterprise), _int64(start), _int64(end)
    merge = _flags(mergeable, n)
    if ent is None or st is None or en is None or (mergeable is not None and merge is None):
        return None
    bad = en <= st
    if bad.any():
        raise ValidationError(
            "input.invalid",
            reason=f"plan at position {int(np.argmax(bad))}: end must be after start",
            reason_zh=f"第 {int(np.argmax(bad))} 个计划的结束须晚于开始",
        )
    del bad
    idx: I64 | None = None
    if merge is not None and not merge.all():
        idx = np.flatnonzero(merge)
    alone = None if merge is None or idx is None else np.flatnonzero(~merge)
    # The numbers go straight into the returned array's buffer: no copy at the end.
    result = array("q", [0]) * n
    out = np.frombuffer(result, dtype=np.int64)
    count = 0
    if idx is None or idx.size:
        counted = _sweep(ent, st, en, merge, idx, gap, method, out)
        if counted is None:
            return None
        count = counted
    if alone is not None:
        out[alone] = np.arange(count, count + alone.size, dtype=np.int64)
    del out  # releases the buffer export, so the caller may resize the array
    return result


def _sweep(
    ent: I64,
    st: I64,
    en: I64,
    merge: npt.NDArray[np.bool_] | None,
    idx: I64 | None,
    gap: int,
    method: Method | None,
    out: I64,
) -> int | None:
    """Number the groups of the mergeable plans (``merge``, at ``idx``) into ``out``; returns the count."""
    # Bounds over the mergeable plans, without gathering them first.
    sel: npt.NDArray[np.bool_] | bool = True if merge is None else merge
    lo, hi = int(np.min(st, where=sel, initial=_INT64_MAX)), int(np.max(en, where=sel, initial=-_INT64_MAX - 1))
    if hi - lo > _INT64_MAX:
        return None
    # A start is never more than hi - lo past an end, so a larger gap acts like hi - lo.
    g = min(gap, hi - lo)
    span = hi - lo + g + 1
    e_lo = int(np.min(ent, where=sel, initial=_INT64_MAX))
    keys_bound = (int(np.max(ent, where=sel, initial=-_INT64_MAX - 1)) - e_lo + 1) * span
    bits = ent.size.bit_length()
    fastest = 0 if keys_bound << bits <= _INT64_MAX else 1 if keys_bound <= _INT64_MAX else 2
    chosen = _METHODS[fastest if method is None else max(fastest, _METHODS.index(method))]
    # Window lengths of all plans (a non-mergeable plan's may wrap around: it is never read).
    length = en - st
    if chosen == "lexsort":
        if idx is not None:
            ent, st, length = ent[idx], st[idx], length[idx]
        return _sweep_lexsort(ent, st, length, idx, g, out)
    # key = (enterprise - e_lo) * span + (start - lo), built in place. int64 arithmetic wraps,
    # so an intermediate overflow cancels out: only the final values must (and do) fit.
    key = ent - e_lo if idx is None else ent[idx]
    if idx is not None:
        key -= e_lo
    key *= span
    key += st if idx is None else st[idx]
    key -= lo
    pos: I64
    if chosen == "packed":
        # Packed with the plan's input position, the keys sort as plain values.
        key <<= bits
        key |= np.arange(key.size, dtype=np.int64) if idx is None else idx
        key.sort()
        pos = key & ((1 << bits) - 1)
        key >>= bits
    else:
        pos = np.argsort(key)
        key = key[pos]
        if idx is not None:
            pos = idx[pos]
    reach = length[pos]
    del length
    reach += key
    np.maximum.accumulate(reach, out=reach)
    return _number(key, reach, g, None, pos, out)


def _sweep_lexsort(ent: I64, st: I64, length: I64, idx: I64 | None, g: int, out: I64) -> int:
    pos = np.lexsort((st, ent))
    ent = ent[pos]
    first = np.empty(ent.size, dtype=np.bool_)
    first[0] = True
    np.not_equal(ent[1:], ent[:-1], out=first[1:])
    del ent
    st = st[pos]
    reach = length[pos]
    reach += st
    # Rank of each plan within its enterprise: how far back the restarted maximum may look.
    heads = np.flatnonzero(first)
    rank = np.arange(st.size, dtype=np.int64) - np.repeat(heads, np.diff(np.append(heads, st.size)))
    step = 1
    longest = int(rank.max()) + 1
    while step < longest:
        # Hillis-Steele: after the pass, reach[i] covers the 2*step plans ending at i.
        earlier = np.where(rank[step:] >= step, reach[:-step], reach[step:])
        np.maximum(reach[step:], earlier, out=reach[step:])
        step *= 2
    return _number(st, reach, g, first, pos if idx is None else idx[pos], out)


def _number(start: I64, reach: I64, g: int, first: npt.NDArray[np.bool_] | None, where: I64, out: I64) -> int:
    """Flag group starts (a start more than ``g`` past the reach before it), number, scatter."""
    new = np.empty(start.size, dtype=np.int64)
    new[0] = 0
    np.subtract(start[1:], reach[:-1], out=new[1:])
    flag = new > g
    if first is not None:
        flag |= first
    flag[0] = False
    np.cumsum(flag, out=new)
    out[where] = new
    return int(new[-1]) + 1
