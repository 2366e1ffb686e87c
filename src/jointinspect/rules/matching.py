"""Plan matching: plans for the same enterprise close in time become one visit.

The relation is: two plans of one enterprise are *close* when their windows overlap or the
gap between them is at most ``policy.gap_days``. Groups are the connected components of
that relation — in one dimension, a sort by window start and a sweep that starts a new group
whenever a window begins more than the gap after the furthest end so far. Components do not
depend on the order plans were filed in, which is what makes batch matching (all plans at
once) and incremental matching (one new plan against the open inspections) agree.

A group is *joint* when two or more departments take part. Its lead department follows the
policy's `LeadRule`; ties are broken by department code, so the
lead never depends on filing order either. Its window is the intersection of the plans'
windows when they share time, else the lead plan's window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import attrs
import pendulum

from jointinspect.model.plan import Inspection, Plan, Window
from jointinspect.policy.schema import LeadRule, MatchingPolicy


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


def close(a: Window, b: Window, gap: pendulum.Duration) -> bool:
    """Whether two windows overlap or are at most ``gap`` apart."""
    return a.gap_to(b) <= gap


def choose_lead(plans: Sequence[Plan], policy: MatchingPolicy) -> Plan:
    """The plan whose department leads the group (deterministic for a set of plans)."""
    items_by_dept: dict[str, set[str]] = defaultdict(set)
    for p in plans:
        items_by_dept[p.department].update(p.items)

    def tiebreak(p: Plan) -> tuple[object, ...]:
        return (p.department, p.window.start, p.id)

    if policy.lead_rule is LeadRule.PRIORITY:
        ranks = {d: i for i, d in enumerate(policy.lead_priority)}
        return min(plans, key=lambda p: (ranks.get(p.department, len(ranks)), *tiebreak(p)))
    if policy.lead_rule is LeadRule.EARLIEST_START:
        return min(plans, key=lambda p: (p.window.start, *tiebreak(p)))
    return min(plans, key=lambda p: (-len(items_by_dept[p.department]), *tiebreak(p)))


def common_window(plans: Sequence[Plan], lead: Plan) -> Window:
    """Intersection of the plans' windows, or the lead's window when they share no time."""
    start = max(p.window.start for p in plans)
    end = min(p.window.end for p in plans)
    return Window(start, end) if start < end else lead.window


def group_of(plans: Sequence[Plan], policy: MatchingPolicy) -> Group:
    """Describe one component (plans of one enterprise) as a `Group`."""
    lead = choose_lead(plans, policy)
    return Group(
        enterprise=lead.enterprise,
        plan_ids=tuple(sorted(p.id for p in plans)),
        lead_department=lead.department,
        departments=tuple(sorted({p.department for p in plans})),
        items=tuple(sorted({i for p in plans for i in p.items})),
        inspectors=tuple(sorted({i for p in plans for i in p.inspectors})),
        window=common_window(plans, lead),
    )


def components(plans: Iterable[Plan], gap: pendulum.Duration) -> list[list[Plan]]:
    """Connected components of the *close* relation, per enterprise (sort and sweep)."""
    by_enterprise: dict[str, list[Plan]] = defaultdict(list)
    for p in plans:
        by_enterprise[p.enterprise].append(p)
    out: list[list[Plan]] = []
    for enterprise in sorted(by_enterprise):
        ordered = sorted(by_enterprise[enterprise], key=lambda p: (p.window.start, p.id))
        current: list[Plan] = []
        reach: pendulum.DateTime | None = None
        for p in ordered:
            if reach is not None and p.window.start - reach > gap:
                out.append(current)
                current = []
                reach = None
            current.append(p)
            reach = p.window.end if reach is None else max(reach, p.window.end)
        if current:
            out.append(current)
    return out


def match_batch(plans: Iterable[Plan], policy: MatchingPolicy) -> list[Group]:
    """Group a whole set of plans at once; plans of kinds that do not merge stay alone.

    The result is sorted by (enterprise, window start, first plan id) and does not depend
    on the order of ``plans``.
    """
    mergeable: list[Plan] = []
    alone: list[list[Plan]] = []
    for p in plans:
        if p.kind in policy.kinds:
            mergeable.append(p)
        else:
            alone.append([p])
    groups = [group_of(c, policy) for c in components(mergeable, policy.gap)]
    groups += [group_of(c, policy) for c in alone]
    return sorted(groups, key=lambda g: (g.enterprise, g.window.start, g.plan_ids))


def merge_targets(
    plan: Plan,
    open_inspections: Iterable[Inspection],
    plans_by_id: dict[str, Plan],
    policy: MatchingPolicy,
) -> list[Inspection]:
    """Open inspections the new ``plan`` joins: those holding a plan close to it.

    Joining several bridges them into one visit. A plan of a kind that does not merge, or
    an inspection whose own kind does not merge, joins nothing.
    """
    if plan.kind not in policy.kinds:
        return []
    hits = []
    for insp in open_inspections:
        if insp.enterprise != plan.enterprise or insp.kind not in policy.kinds:
            continue
        members = [plans_by_id[i] for i in insp.plan_ids if i in plans_by_id]
        if any(close(plan.window, m.window, policy.gap) for m in members):
            hits.append(insp)
    return sorted(hits, key=lambda i: i.id)
