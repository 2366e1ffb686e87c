"""Vectorised forms of the filing, whitelist, window and frequency rules, for replaying a
history of millions of plans (the policy simulator, ``jointinspect_simulate``).

Each function here is the column form of a pure rule, and ``tests/test_replay_rules.py``
proves it equal to that rule with hypothesis; the simulator calls these and carries no rule
of its own. Tables are built by calling the pure rule itself once per distinct value (a
filing day, a credit class, a kind, a calendar bucket), so the column form cannot drift:

* `allowance_seconds` - `jointinspect.rules.matching.allowed_window`, per kind;
* `late` - `jointinspect.rules.filing.check_advance_notice` (``filing.too_late``), through a
  table of `earliest_start` per local filing day;
* `short` - `jointinspect.rules.filing.check_window_length`;
* `whitelist` - `jointinspect.rules.filing.whitelist_decision`, per (credit class,
  explicit flag, kind);
* `visit_windows` - the window of each group (`jointinspect.rules.matching.common_window`);
* `joint` - `Group.joint` (two or more departments);
* `frequency` - `jointinspect.rules.frequency.evaluate` with
  `jointinspect.rules.filing.frequency_checks`, applied visit by visit in the order of
  their start, where a blocked visit is not recorded and does not count.

Times are integer seconds since the Unix epoch (UTC); kinds, credit classes and whitelist
decisions are small integer codes into the tuples the caller passes. numpy is imported
lazily (``jointinspect[fast]``), as for ``rules/batch``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pendulum

from jointinspect.errors import ValidationError
from jointinspect.model.plan import InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.policy.schema import FrequencyRule, MatchingPolicy, Policy, WhitelistPolicy
from jointinspect.rules.filing import WhitelistDecision, calendar_bucket, earliest_start, whitelist_decision
from jointinspect.rules.frequency import Action, Scope

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    I64 = npt.NDArray[np.int64]
    Bools = npt.NDArray[np.bool_]
    Codes = npt.NDArray[np.integer[Any]]

__all__ = [
    "DECISIONS",
    "allowance_seconds",
    "frequency",
    "joint",
    "late",
    "local_days",
    "short",
    "visit_windows",
    "whitelist",
]

#: whitelist decision codes returned by `whitelist`.
DECISIONS: tuple[WhitelistDecision, ...] = tuple(WhitelistDecision)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: a well-formed credit code for the enterprise the whitelist table asks about (only its
#: class and flag matter to `whitelist_decision`).
_PROBE = "91350100M000100Y43"


def _seconds(delta: dt.timedelta) -> int:
    return delta.days * 86_400 + delta.seconds


def _instant(seconds: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=seconds)


def allowance_seconds(policy: MatchingPolicy, kinds: Sequence[InspectionKind]) -> tuple[list[int], list[int]]:
    """Per kind code: how many seconds earlier a visit may start and later it may end
    (`allowed_window`'s allowance; zero for kinds without one)."""
    earlier, later = [], []
    for kind in kinds:
        allowance = policy.allowances.get(kind)
        earlier.append(0 if allowance is None else _seconds(allowance.earlier))
        later.append(0 if allowance is None else _seconds(allowance.later))
    return earlier, later


def local_days(times: I64, zone: str) -> I64:
    """The local date (as `datetime.date.toordinal`) of each instant in ``zone``: a search in
    the table of local midnights over the span of ``times`` (exact across offset changes)."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    if times.size == 0:
        return np.zeros(0, np.int64)
    tz = zoneinfo.ZoneInfo(zone)
    first = _instant(int(times.min())).astimezone(tz).date() - dt.timedelta(days=1)
    last = _instant(int(times.max())).astimezone(tz).date() + dt.timedelta(days=1)
    days = range(first.toordinal(), last.toordinal() + 1)
    midnights = np.array(
        [_seconds(dt.datetime.combine(dt.date.fromordinal(d), dt.time(), tz) - _EPOCH) for d in days], np.int64
    )
    return np.searchsorted(midnights, times, side="right").astype(np.int64) - 1 + first.toordinal()


def late(kind: Codes, start: I64, filed: I64, kinds: Sequence[InspectionKind], policy: Policy) -> Bools:
    """Whether each plan breaks the advance notice (``check_advance_notice`` raises
    ``filing.too_late``): a kind that is not exempt, starting (local date) before the
    earliest start allowed for its local filing day."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    exempt = np.array([k in policy.filing.exempt_kinds for k in kinds], np.bool_)
    if start.size == 0:
        return np.zeros(0, np.bool_)
    filed_day = local_days(filed, policy.zone)
    lo, hi = int(filed_day.min()), int(filed_day.max())
    earliest = np.array(
        [earliest_start(dt.date.fromordinal(d), policy.filing).toordinal() for d in range(lo, hi + 1)], np.int64
    )
    too_late = local_days(start, policy.zone) < earliest[filed_day - lo]
    too_late &= ~exempt[kind]
    return too_late


def short(start: I64, end: I64, policy: MatchingPolicy) -> Bools:
    """Whether each filed window is shorter than the merge minimum (``check_window_length``)."""
    return (end - start) < _seconds(policy.minimum)


def whitelist(
    credit: Codes,
    listed: Bools,
    kind: Codes,
    classes: Sequence[CreditClass],
    kinds: Sequence[InspectionKind],
    policy: WhitelistPolicy,
) -> npt.NDArray[np.int8]:
    """The `whitelist_decision` of each plan as a code into `DECISIONS`, from the
    enterprise's credit class code, its explicit whitelist flag and the plan's kind."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    from jointinspect.model.reference import Enterprise, GeoPoint  # noqa: PLC0415 - only for the table

    table = np.zeros((len(classes), 2, len(kinds)), np.int8)
    for c, credit_class in enumerate(classes):
        for flag in (False, True):
            probe = Enterprise(_PROBE, "probe", GeoPoint(30.0, 104.0), credit_class, flag)
            for k, kind_ in enumerate(kinds):
                table[c, int(flag), k] = DECISIONS.index(whitelist_decision(probe, kind_, policy))
    return table[credit, listed.astype(np.intp), kind]


def visit_windows(
    groups: I64, start: I64, end: I64, allowed_start: I64, allowed_end: I64, policy: MatchingPolicy
) -> tuple[I64, I64, I64]:
    """Per group number: the visit window's start and end (`common_window`: the common
    allowed time, kept within the span of the filed windows when that still leaves the
    minimum, a single plan keeping its filed window) and the number of plans."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    if policy.common_day is not None:
        raise ValidationError(
            "input.invalid",
            reason="columnar replay computes common time that may span days: use match_batch",
            reason_zh="列式回放不支持同一(工作)日内的共同时段要求,请使用 match_batch",
        )
    g = int(groups.max()) + 1 if groups.size else 0
    big = np.iinfo(np.int64)
    cs = np.full(g, big.min, np.int64)
    ce = np.full(g, big.max, np.int64)
    fs = np.full(g, big.max, np.int64)
    fe = np.full(g, big.min, np.int64)
    np.maximum.at(cs, groups, allowed_start)
    np.minimum.at(ce, groups, allowed_end)
    np.minimum.at(fs, groups, start)
    np.maximum.at(fe, groups, end)
    size = np.bincount(groups, minlength=g).astype(np.int64)
    # the closer window: the common time within the filed span
    xs, xe = np.maximum(cs, fs), np.minimum(ce, fe)
    keep = (xs < xe) & ((size == 1) | (xe - xs >= _seconds(policy.minimum)))
    return np.where(keep, xs, cs), np.where(keep, xe, ce), size


def joint(groups: I64, department: Codes) -> Bools:
    """Per group number: whether two or more departments take part (`Group.joint`)."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    g = int(groups.max()) + 1 if groups.size else 0
    dept = department.astype(np.int64, copy=False)
    lo = np.full(g, np.iinfo(np.int64).max, np.int64)
    hi = np.full(g, np.iinfo(np.int64).min, np.int64)
    np.minimum.at(lo, groups, dept)
    np.maximum.at(hi, groups, dept)
    return lo < hi


def _bucket_starts(rule: FrequencyRule, zone: str, first: int, last: int) -> I64:
    """Starts of the consecutive calendar buckets (`calendar_bucket`) covering [first, last]."""
    import numpy as np  # noqa: PLC0415 - optional dependency

    assert rule.period is not None
    starts = []
    at = pendulum.instance(_instant(first))
    while True:
        b0, b1 = calendar_bucket(at, rule.period, zone)
        starts.append(calendar.timegm(b0.utctimetuple()))
        if calendar.timegm(b1.utctimetuple()) > last:
            return np.array(starts, np.int64)
        at = b1


def frequency(
    enterprise: I64, at: I64, kind: Codes, kinds: Sequence[InspectionKind], policy: Policy
) -> tuple[Bools, Bools]:
    """Which visits a frequency rule blocks, and which of the others it warns about.

    The visits are recorded one by one in the order (enterprise, ``at``, position), each
    checked as `evaluate` checks a new reservation against those recorded before it
    (`frequency_checks` for its kind at its start); a blocked visit is not recorded. Since
    every earlier visit starts at or before ``at``, a rolling window of ``W`` counts the
    recorded visits in ``(at - W, at]`` and a calendar bucket those from its start to
    ``at``, plus the visit itself. Blocked visits carry no warning (the filing is refused).

    Raises:
        ValidationError: a rule with a per-department or per-inspector scope (a visit
            history here carries neither the departments of each visit nor inspectors).
    """
    import numpy as np  # noqa: PLC0415 - optional dependency

    rules = policy.frequency
    for rule in rules:
        if rule.scope is not Scope.ENTERPRISE:
            raise ValidationError(
                "input.invalid",
                reason=f"frequency rule {rule.name!r}: only the enterprise scope can be replayed",
                reason_zh=f"频次规则 {rule.name!r}:回放仅支持按企业计数的规则",
            )
    n = enterprise.size
    blocked, warned = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
    if n == 0 or not rules:
        return blocked, warned
    t0, t1 = int(at.min()), int(at.max())
    e_lo, e_hi = int(enterprise.min()), int(enterprise.max())
    if (e_hi - e_lo + 1) * (t1 - t0 + 1) < 2**62:
        # one stable sort of a packed key: ties keep their position, as the lexsort would
        order = np.argsort((enterprise - e_lo) * (t1 - t0 + 1) + (at - t0), kind="stable")
    else:
        order = np.lexsort((np.arange(n), at, enterprise))
    ent, times, kd = enterprise[order], at[order], kind[order]
    head = np.ones(n, np.bool_)
    np.not_equal(ent[1:], ent[:-1], out=head[1:])
    dense = np.cumsum(head, dtype=np.int64) - 1
    del ent
    first_pos = np.flatnonzero(head)
    del head
    # Keys (enterprise, time) that never mix enterprises; a margin below the first time
    # keeps every window start inside its own enterprise.
    margin = 400 * 86_400 + max((r.window_days or 0) * 86_400 for r in rules)
    span = t1 - t0 + 2 * margin
    key = dense * span + (times - t0 + margin)
    applies, counts, lows = [], [], []
    for rule in rules:
        applies.append(np.array([k in rule.applies_to for k in kinds], np.bool_)[kd])
        counts.append(np.array([k in rule.counts for k in kinds], np.bool_)[kd])
        if rule.window_days is not None:
            low = dense * span + (times - rule.window_days * 86_400 - t0 + margin)
            lows.append(np.searchsorted(key, low, side="right"))
        else:
            starts = _bucket_starts(rule, policy.zone, t0, t1)
            bstart = starts[np.searchsorted(starts, times, side="right") - 1]
            lows.append(np.searchsorted(key, dense * span + (bstart - t0 + margin), side="left"))
    del key, dense
    recorded = np.ones(n, np.bool_)
    blocking = [i for i, r in enumerate(rules) if r.action is Action.BLOCK]
    if blocking:
        # Round k decides every enterprise's k-th visit from its recorded earlier ones:
        # q[i] = recorded counted visits of the enterprise before position i.
        q = [np.zeros(n, np.int64) for _ in blocking]
        per_ent = np.diff(np.append(first_pos, n))
        for k in range(int(per_ent.max())):
            pos = first_pos[per_ent > k] + k
            hit = np.zeros(pos.size, np.bool_)
            for j, r in enumerate(blocking):
                if k:
                    q[j][pos] = q[j][pos - 1] + (recorded[pos - 1] & counts[r][pos - 1])
                seen = q[j][pos] - q[j][lows[r][pos]]
                hit |= applies[r][pos] & (seen + 1 > rules[r].limit)
            recorded[pos] = ~hit
        del q
    for r, rule in enumerate(rules):
        if rule.action is not Action.WARN:
            continue
        prefix = np.zeros(n + 1, np.int64)
        np.cumsum(recorded & counts[r], out=prefix[1:])
        seen = prefix[:-1] - prefix[lows[r]]
        warned[order] |= recorded & applies[r] & (seen + 1 > rule.limit)
    blocked[order] = ~recorded
    return blocked, warned
