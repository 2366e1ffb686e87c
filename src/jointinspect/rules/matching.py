"""Plan matching: the fewest visits that keep every department inside its window.

The rule (docs/concepts.md, "Joint visits and time"): a visit happens inside the window of
every plan it serves. A plan's window is the one its department filed, widened only by
the policy's per-kind `Allowance` (triggered kinds never get one). A group of plans can be
one visit when their windows share at least ``policy.minimum`` (``min_common_hours``) of
common time; the visit's window is that common time.

Batch matching finds the *fewest* such visits. A visit of length ``m`` starting at ``t``
fits a plan ``[s, e)`` exactly when ``s <= t <= e - m``: each plan becomes the closed
interval ``[s, e - m]`` of possible visit starts, a group is feasible when its intervals
share a point, and the fewest groups is the minimum number of points stabbing every
interval. Sorting by right end and opening a new point (at that right end) whenever a
plan's left end lies past the last point is optimal (the classic exchange argument: the
first point can always be moved right to the earliest right end without losing a plan);
``tests/test_matching.py`` checks it against a brute force over all partitions. The
points do not depend on input order, and each plan joins the group of the *earliest*
point that stabs it (a plan may contain two points; which group it joins must not depend
on how ties among equal right ends were ordered).

A group is *joint* when two or more departments take part. Its lead department follows
the policy's `LeadRule`; ties are broken by department code.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import attrs
import pendulum

from jointinspect._last import LastAnswer
from jointinspect.model._trusted import builder, sorted_names
from jointinspect.model.plan import Inspection, InspectionStatus, Plan, Window
from jointinspect.policy.schema import LeadRule, MatchingPolicy
from jointinspect.rules.commonday import CommonDay, common_day
from jointinspect.timeutil import shifted, shifted_back, span

#: No allowance: the default of the longest one.
_NONE = dt.timedelta()


@attrs.frozen
class Group:
    """One visit proposed by matching: plans, lead department, items and window."""

    enterprise: str
    plan_ids: tuple[str, ...]
    lead_department: str
    departments: tuple[str, ...]
    items: tuple[str, ...]
    inspectors: tuple[str, ...]
    window: Window

    @property
    def joint(self) -> bool:
        """Whether two or more departments take part."""
        return len(self.departments) > 1


def allowed_window(plan: Plan, policy: MatchingPolicy) -> Window:
    """The window a visit serving ``plan`` must lie in: the filed one plus the kind's allowance."""
    allowance = policy.allowances.get(plan.kind)
    if allowance is None:
        return plan.window
    return Window(shifted_back(plan.window.start, allowance.earlier), shifted(plan.window.end, allowance.later))


def reaching(plan: Plan | None, now: pendulum.DateTime, policy: MatchingPolicy) -> pendulum.DateTime:
    """The earliest *filed* window end a plan of an open visit can have and still share
    ``policy.minimum`` with ``plan`` (or, for ``None``, with any time ahead of ``now``):
    the bound of ``inspections.open_for_enterprise`` (issue 15).

    Common time lies after ``now`` (see `joinable`) and inside ``plan``'s allowed window,
    so it ends at or after ``max(allowed start, now) + minimum``; the other plan's allowed
    end is its filed end plus at most the longest ``later`` allowance of any kind.
    """
    return reaching_from(now if plan is None else allowed_window(plan, policy).start, now, policy)


def reaching_from(start: pendulum.DateTime, now: pendulum.DateTime, policy: MatchingPolicy) -> pendulum.DateTime:
    """`reaching` of a plan whose allowed window starts at ``start``: a lower bound of
    `reaching` for every plan allowed to start at or after ``start`` (it only grows with
    the start), which bulk filing preloads a chunk's open visits with (issue 11)."""
    if type(start) is not pendulum.DateTime or start.tzinfo is not pendulum.UTC:
        return _reaching_from(start, now, policy)
    # Bulk filing asks once a plan with the chunk's clock reading and policy, for the few
    # window starts of its plans: answers kept per UTC start (equal keys, equal answers).
    # Keyed by the start's distance from the epoch: a timedelta hashes in C, where a new
    # aware datetime's first hash asks its zone for the offset (~0.8 us); for two UTC
    # instants the distances are equal exactly when the instants are.
    known = _last_reaching.get(now, policy, dict)
    key = dt.datetime.__sub__(start, _EPOCH)
    found = known.get(key)
    if found is None:
        if len(known) >= _REACHING_KEPT:  # a clock that never moves (a fixed one) keeps no more
            known.clear()
        found = known[key] = _reaching_from(start, now, policy)
    return found


def _reaching_from(start: pendulum.DateTime, now: pendulum.DateTime, policy: MatchingPolicy) -> pendulum.DateTime:
    earliest = max(start, now)
    later = max([a.later for a in policy.allowances.values()]) if policy.allowances else _NONE
    return pendulum.instance(shifted_back(shifted(earliest, policy.minimum), later))


#: `reaching_from`'s answers for the last clock reading and policy asked about, by start
#: (at most `_REACHING_KEPT`).
_REACHING_KEPT = 4096
_last_reaching: LastAnswer[dict[dt.timedelta, pendulum.DateTime]] = LastAnswer()
#: The origin of `reaching_from`'s keys, in the zone object of the starts it keeps answers
#: for (subtracting instants of one zone object reads no offset).
_EPOCH = pendulum.datetime(1970, 1, 1, tz=pendulum.UTC)


def lowest_reaching(
    starts: Iterable[tuple[str, pendulum.DateTime]], now: pendulum.DateTime, policy: MatchingPolicy
) -> dict[str, pendulum.DateTime]:
    """For ``(enterprise, filed window start)`` pairs, the lowest `reaching` of any plan of
    each enterprise filed with such a window (of any kind, or moved later: a window kept
    out of quiet slots only starts later), for `jointinspect.operations.bulk_cache`."""
    earlier = max((a.earlier for a in policy.allowances.values()), default=_NONE)
    first: dict[str, pendulum.DateTime] = {}
    for enterprise, start in starts:
        if enterprise not in first or start < first[enterprise]:
            first[enterprise] = start
    return {e: reaching_from(pendulum.instance(shifted_back(s, earlier)), now, policy) for e, s in first.items()}


def common_time(windows: Iterable[Window]) -> Window | None:
    """The intersection of ``windows``, or ``None`` when they share no time."""
    ws = list(windows)
    start, end = max([w.start for w in ws]), min([w.end for w in ws])
    return _between(start, end) if start < end else None


def _between(start: dt.datetime, end: dt.datetime) -> Window:
    """``Window(start, end)`` for ``start < end``; built without its converters and check
    when they would leave it as it is (instants of windows: UTC pendulum instants)."""
    if _is_utc(start) and _is_utc(end):
        return _window(start=start, end=end)
    return Window(start, end)


def _is_utc(value: object) -> bool:
    return type(value) is pendulum.DateTime and value.tzinfo is pendulum.UTC


#: `Window` built from instants as given.
_window = builder(Window)


def long_enough(window: Window | None, policy: MatchingPolicy, days: CommonDay | None = None) -> bool:
    """Whether ``window`` holds at least the policy's minimum common time (within one
    calendar or working day when ``policy.common_day`` says so; ``days`` gives the zone
    and calendar, see `jointinspect.rules.commonday`)."""
    if window is None:
        return False
    day = _days(policy, days)
    if day is None:
        return span(window.start, window.end) >= policy.minimum
    return day.latest_start(window.start, shifted_back(window.end, policy.minimum), policy.minimum) is not None


def _days(policy: MatchingPolicy, days: CommonDay | None) -> CommonDay | None:
    """The days common time must lie in: ``days``, or the policy's in the default zone."""
    if policy.common_day is None:
        return None
    return days if days is not None else common_day(policy)


def _ahead(window: Window, now: dt.datetime) -> Window | None:
    """The part of ``window`` still ahead of ``now``."""
    return window if now <= window.start else (Window(now, window.end) if now < window.end else None)


def choose_lead(plans: Sequence[Plan], policy: MatchingPolicy) -> Plan:
    """The plan whose department leads the group (deterministic for a set of plans)."""
    # Ties are broken by (department, window start, plan id) under every rule.
    if policy.lead_rule is LeadRule.PRIORITY:
        ranks = {d: i for i, d in enumerate(policy.lead_priority)}
        return min(plans, key=lambda p: (ranks.get(p.department, len(ranks)), p.department, p.window.start, p.id))
    if policy.lead_rule is LeadRule.EARLIEST_START:
        return min(plans, key=lambda p: (p.window.start, p.department, p.window.start, p.id))
    items_by_dept: dict[str, set[str]] = {}
    for p in plans:
        held = items_by_dept.get(p.department)
        if held is None:
            items_by_dept[p.department] = set(p.items)
        else:
            held.update(p.items)
    if not plans:
        return min(plans)  # what ``min`` says of no plans
    # ``min`` by the key below, without a call per plan: the first plan of least key.
    best, best_key = plans[0], None
    for p in plans:
        key = (-len(items_by_dept[p.department]), p.department, p.window.start, p.id)
        if best_key is None or key < best_key:
            best, best_key = p, key
    return best


def common_window(plans: Sequence[Plan], policy: MatchingPolicy, days: CommonDay | None = None) -> Window:
    """The visit's window: the common time of the plans' allowed windows, kept within the
    span of their filed windows when that still leaves the minimum (an allowance lets a
    visit move, it does not move it for nothing; a single plan keeps its filed window).

    Raises:
        ValueError: the plans share less than the policy minimum (no valid group).
    """
    if len(plans) == 1:
        own = plans[0].window
        if type(own) is Window and policy.allowances.get(plans[0].kind) is None:
            return own  # what the steps below give for one plan without an allowance: its window
    if not policy.allowances and plans:
        # Allowed windows are the filed ones (a join, on most policies): their common time
        # straight from the filed instants, as `common_time` finds it (in one pass: the
        # first latest start and first earliest end, as ``max`` and ``min`` keep them;
        # compared, not passed to them, which costs a call per plan).
        first = plans[0].window
        start, end = first.start, first.end
        for p in plans:
            w = p.window
            if w.start > start:  # noqa: PLR1730
                start = w.start
            if w.end < end:  # noqa: PLR1730
                end = w.end
        window = _between(start, end) if start < end else None
        if window is None or (len(plans) > 1 and not long_enough(window, policy, days)):
            raise ValueError(f"plans {sorted(p.id for p in plans)} share less than the minimum common time")
        return window
    window = common_time([allowed_window(p, policy) for p in plans])
    if window is None or (len(plans) > 1 and not long_enough(window, policy, days)):
        raise ValueError(f"plans {sorted(p.id for p in plans)} share less than the minimum common time")
    filed = Window(min([p.window.start for p in plans]), max([p.window.end for p in plans]))
    closer = window.intersection(filed)
    if closer is not None and (len(plans) == 1 or long_enough(closer, policy, days)):
        return closer
    return window


def group_of(
    plans: Sequence[Plan], policy: MatchingPolicy, days: CommonDay | None = None, window: Window | None = None
) -> Group:
    """Describe one group (plans of one enterprise sharing enough time) as a `Group`;
    ``window``: the plans' `common_window`, when the caller has just computed it
    (placement, from `merge_targets`)."""
    if len(plans) == 1 and sorted_names(plans[0].items) and sorted_names(plans[0].inspectors):
        # A visit of its own (most plans): its plan's fields are the group's as they are.
        plan = plans[0]
        return _group(
            enterprise=plan.enterprise,
            plan_ids=(plan.id,),
            lead_department=plan.department,
            departments=(plan.department,),
            items=plan.items,
            inspectors=plan.inspectors,
            window=common_window(plans, policy, days) if window is None else window,
        )
    # One pass over the plans (a join re-describes a visit for every plan that joins it):
    # the sets the comprehensions would build, filled by C loops.
    plan_ids: list[str] = []
    departments: set[str] = set()
    items: set[str] = set()
    inspectors: set[str] = set()
    for p in plans:
        plan_ids.append(p.id)
        departments.add(p.department)
        items.update(p.items)
        inspectors.update(p.inspectors)
    plan_ids.sort()
    lead = choose_lead(plans, policy)
    return _group(
        enterprise=lead.enterprise,
        plan_ids=tuple(plan_ids),
        lead_department=lead.department,
        departments=tuple(sorted(departments)),
        items=tuple(sorted(items)),
        inspectors=tuple(sorted(inspectors)),
        window=common_window(plans, policy, days) if window is None else window,
    )


#: `Group` built from its fields as given (a plain record: nothing to convert or check).
_group = builder(Group)


def stab(plans: Iterable[Plan], policy: MatchingPolicy, days: CommonDay | None = None) -> list[list[Plan]]:
    """The fewest groups of each enterprise's plans whose common time reaches the minimum.

    Greedy by earliest right end of the interval of possible visit starts (see the module
    docstring); a plan whose window is shorter than the minimum is a group of its own.
    With ``policy.common_day`` the right end is the latest start whose visit fits in one
    allowed day (`CommonDay.latest_start`), and a plan with none is a group of its own.
    """
    minimum = policy.minimum
    day = _days(policy, days)
    by_enterprise: dict[str, list[tuple[dt.datetime, dt.datetime, Plan]]] = defaultdict(list)
    for p in plans:
        w = allowed_window(p, policy)
        right = shifted_back(w.end, minimum)
        if day is not None:
            # no allowed start: a left end past the right one marks the plan as alone
            right = day.latest_start(w.start, right, minimum) or shifted_back(w.start, minimum)
        by_enterprise[p.enterprise].append((w.start, right, p))
    out: list[list[Plan]] = []
    for enterprise in sorted(by_enterprise):
        rows = sorted(by_enterprise[enterprise], key=lambda r: (r[1], r[0], r[2].id))
        points: list[dt.datetime] = []
        for left, right, _ in rows:
            if left <= right and (not points or left > points[-1]):
                points.append(right)
        groups: list[list[Plan]] = [[] for _ in points]
        for left, right, p in rows:
            if right < left:
                out.append([p])  # too short to share the minimum with anyone
            else:
                groups[bisect.bisect_left(points, left)].append(p)
        out.extend(groups)
    return out


def match_batch(plans: Iterable[Plan], policy: MatchingPolicy, days: CommonDay | None = None) -> list[Group]:
    """Group a whole set of plans at once into the fewest visits that keep every window.

    Plans of kinds that do not merge stay alone. The result is sorted by (enterprise,
    window start, plan ids) and does not depend on the order of ``plans``.
    """
    mergeable: list[Plan] = []
    alone: list[list[Plan]] = []
    for p in plans:
        if p.kind in policy.kinds:
            mergeable.append(p)
        else:
            alone.append([p])
    groups = [group_of(c, policy, days) for c in stab(mergeable, policy, days)]
    groups += [group_of(c, policy, days) for c in alone]
    return sorted(groups, key=lambda g: (g.enterprise, g.window.start, g.plan_ids))


def joinable(
    inspection: Inspection, now: pendulum.DateTime, policy: MatchingPolicy, days: CommonDay | None = None
) -> bool:
    """Whether an open inspection may still take a plan: planned (nobody checked in), of a
    merging kind, and with at least the minimum of its window still ahead."""
    return (
        inspection.status is InspectionStatus.PLANNED
        and inspection.kind in policy.kinds
        and long_enough(_ahead(inspection.window, now), policy, days)
    )


def merge_targets(
    plan: Plan,
    open_inspections: Iterable[Inspection],
    plans_by_id: Mapping[str, Plan],
    now: pendulum.DateTime,
    policy: MatchingPolicy,
    days: CommonDay | None = None,
) -> list[tuple[Inspection, Window]]:
    """Open inspections the new ``plan`` could join, best first, each with the visit's new window.

    A plan joins at most one visit: the visit's plans and the new one must share the
    minimum common time (`common_window`), and that much of the new window must still lie
    ahead of ``now``. The best target ends earliest (as batch matching would choose), then
    by id. A plan of a kind that does not merge joins nothing.
    """
    if plan.kind not in policy.kinds:
        return []
    hits: list[tuple[Inspection, Window]] = []
    for insp in open_inspections:
        if insp.enterprise != plan.enterprise or not joinable(insp, now, policy, days):
            continue
        members = [plans_by_id[i] for i in insp.plan_ids if i in plans_by_id]
        if len(members) != len(insp.plan_ids):
            continue
        try:
            window = common_window([*members, plan], policy, days)
        except ValueError:
            continue
        ahead = _ahead(window, now)
        # `common_window` of two plans or more has just found ``window`` long enough: when
        # all of it lies ahead, it is not asked again.
        if (ahead is window and members) or long_enough(ahead, policy, days):
            hits.append((insp, window))
    return hits if len(hits) < 2 else sorted(hits, key=lambda h: (h[1].end, h[0].id))
