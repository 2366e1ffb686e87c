"""Replay a history under a policy and count what would have happened.

Every outcome comes from the library's rules in their column forms
(`jointinspect.rules.replay`, proven equal to the pure rules) and the batch matcher
(`jointinspect.rules.batch.group_ids`, proven equal to ``match_batch``); this module only
chains them and counts. The chain, for each policy (docs/simulator.md, "Assumptions"):

1. a plan whose window is shorter than the merge minimum is refused at filing
   (``filing.window_too_short``), and so is a late plan (``filing.too_late``);
2. the whitelist: a refused plan is *spared* (no visit); a plan that needs approval is
   counted and assumed approved (the history does not say what the approvers decided);
3. the remaining plans are matched in batch into the fewest visits (the optimum the
   engine's incremental matching stays within 5% of, benchmarks/city_year.py);
4. each visit starts at the start of its window and has the kind of its first-filed
   plan; the frequency rules are applied visit by visit in order of start; a blocked
   visit is not made and its plans count as blocked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np

from jointinspect.errors import ValidationError
from jointinspect.policy.schema import Policy
from jointinspect.rules import replay as rules
from jointinspect.rules.batch import group_ids
from jointinspect.rules.filing import WhitelistDecision
from jointinspect_simulate.history import CLASSES, KINDS, History

__all__ = ["BUCKETS", "STEPS", "Outcome", "Progress", "simulate", "simulate_one"]

#: ``progress(step, done, total)`` after each step of each policy.
Progress = Callable[[str, int, int], None]
STEPS = ("filing", "whitelist", "matching", "windows", "frequency", "counting")
#: the bins of the visits-per-enterprise distribution: (label, least, most).
BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4-5", 4, 5),
    ("6-9", 6, 9),
    ("10+", 10, 2**62),
)


@attrs.frozen
class Outcome:
    """What one policy makes of the history (counts of plans and visits)."""

    policy: str
    plans: int
    #: refused at filing: window shorter than the merge minimum / too little notice.
    refused_short: int
    refused_late: int
    #: whitelist: plans refused (the enterprise is spared) and plans needing approval.
    whitelist_spared: int
    whitelist_approval: int
    #: frequency: visits blocked and the plans they carried; visits and plans warned.
    visits_blocked: int
    plans_blocked: int
    visits_warned: int
    plans_warned: int
    #: what happens: plans carried out, visits made, joint visits and their plans.
    plans_visited: int
    visits: int
    joint_visits: int
    plans_in_joint_visits: int
    enterprises_visited: int
    #: enterprises by number of visits (`BUCKETS` labels).
    visits_per_enterprise: Mapping[str, int]

    @property
    def repeat_visits_avoided(self) -> int:
        """Visits saved by merging: plans carried out minus visits made."""
        return self.plans_visited - self.visits

    @property
    def joint_visit_rate(self) -> float:
        """Share of the plans carried out that were part of a joint visit."""
        return self.plans_in_joint_visits / self.plans_visited if self.plans_visited else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The outcome as plain JSON values, derived figures included."""
        out = attrs.asdict(self)
        out["visits_per_enterprise"] = dict(self.visits_per_enterprise)
        out["repeat_visits_avoided"] = self.repeat_visits_avoided
        out["joint_visit_rate"] = round(self.joint_visit_rate, 4)
        return out


def _minimum_seconds(policy: Policy) -> int:
    m = policy.matching.minimum
    seconds = m.days * 86_400 + m.seconds
    if seconds < 1:
        raise ValidationError(
            "input.invalid",
            reason="the simulator needs matching.min_common_hours of at least 1",
            reason_zh="模拟要求 matching.min_common_hours 至少为 1",
        )
    return seconds


def simulate_one(
    history: History, policy: Policy, progress: Progress | None = None, label: str | None = None
) -> Outcome:
    """Replay ``history`` under ``policy``; ``progress`` hears each step; the outcome is
    named ``label`` (default: the policy's name)."""
    total = len(STEPS)

    def step(i: int) -> None:
        if progress is not None:
            progress(STEPS[i], i + 1, total)

    minimum = _minimum_seconds(policy)
    h = history
    n = len(h)
    short = rules.short(h.start, h.end, policy.matching)
    late = rules.late(h.kind, h.start, h.filed_at, KINDS, policy) & ~short
    step(0)
    decision = rules.whitelist(h.credit, h.whitelisted, h.kind, CLASSES, KINDS, policy.whitelist)
    filed = ~(short | late)
    spared = filed & (decision == rules.DECISIONS.index(WhitelistDecision.REFUSED))
    approval = filed & (decision == rules.DECISIONS.index(WhitelistDecision.NEEDS_APPROVAL))
    del decision
    keep = np.flatnonzero(filed & ~spared)
    counts = {
        "refused_short": int(short.sum()),
        "refused_late": int(late.sum()),
        "whitelist_spared": int(spared.sum()),
        "whitelist_approval": int(approval.sum()),
    }
    del short, late, filed, spared, approval
    step(1)
    kind = h.kind[keep]
    earlier, later = (np.array(x, np.int64) for x in rules.allowance_seconds(policy.matching, KINDS))
    a_start = h.start[keep] - earlier[kind]
    a_end = h.end[keep] + later[kind]
    enterprise = h.enterprise[keep]
    merge = np.array([k in policy.matching.kinds for k in KINDS], np.uint8)[kind]
    # group_ids takes any integer columns; numpy ones go to its numpy path without a copy
    cols = cast("tuple[Sequence[int], Sequence[int], Sequence[int]]", (enterprise, a_start, a_end))
    groups = np.frombuffer(group_ids(*cols, merge.tobytes(), minimum), dtype=np.int64)
    del cols
    del merge
    step(2)
    at, _, size = rules.visit_windows(groups, h.start[keep], h.end[keep], a_start, a_end, policy.matching)
    del a_start, a_end
    g = at.size
    # The plan that opened each visit: its first-filed plan (smallest history position).
    first = np.full(g, n, np.int64)
    np.minimum.at(first, groups, np.arange(keep.size, dtype=np.int64))
    step(3)
    blocked, warned = rules.frequency(enterprise[first], at, kind[first], KINDS, policy)
    del at, kind
    step(4)
    made = ~blocked
    is_joint = rules.joint(groups, h.department[keep]) & made
    visit_ent = enterprise[first][made]
    del first, enterprise, groups, keep
    _, per_ent = np.unique(visit_ent, return_counts=True)
    histogram = {label: int(((per_ent >= lo) & (per_ent <= hi)).sum()) for label, lo, hi in BUCKETS}
    step(5)
    return Outcome(
        policy=policy.name if label is None else label,
        plans=n,
        visits_blocked=int(blocked.sum()),
        plans_blocked=int(size[blocked].sum()),
        visits_warned=int(warned.sum()),
        plans_warned=int(size[warned].sum()),
        plans_visited=int(size[made].sum()),
        visits=int(made.sum()),
        joint_visits=int(is_joint.sum()),
        plans_in_joint_visits=int(size[is_joint].sum()),
        enterprises_visited=int(per_ent.size),
        visits_per_enterprise=histogram,
        **counts,
    )


def simulate(
    history: History, policies: Mapping[str, Policy] | Sequence[Policy], progress: Progress | None = None
) -> list[Outcome]:
    """Replay ``history`` under each policy in turn (side by side, in the given order);
    a mapping names each outcome by its key."""
    named = list(policies.items()) if isinstance(policies, Mapping) else [(p.name, p) for p in policies]
    out = []
    for i, (label, policy) in enumerate(named):

        def each(step: str, done: int, total: int, i: int = i, label: str = label) -> None:
            if progress is not None:
                progress(f"{label}: {step}", i * total + done, len(named) * total)

        out.append(simulate_one(history, policy, each, label))
    return out
