"""First violation, no penalty (首违不罚) and minor, no penalty (轻微免罚), as a pure rule.

A failed item becomes guidance (no penalty) when

* the policy's master switch ``rectification.first_violation_guidance`` is on;
* the item is listed for the circumstance in ``policy.guidance.items`` (an entry naming the
  circumstance wins over the item's entry for any circumstance), or the item itself is
  flagged ``first_violation_guidance`` (an entry for any circumstance, first-violation list);
* and it is the first violation: no earlier failed result of that item at that enterprise
  within ``policy.guidance.period_months`` (0: ever). An earlier violation answered with
  guidance counts, so a second one within the period is not guidance again.
"""

from __future__ import annotations

from jointinspect.model.guidance import ListKind
from jointinspect.model.reference import SupervisionItem
from jointinspect.model.result import Outcome
from jointinspect.policy.oversight import ListedItem
from jointinspect.policy.schema import Policy


def listed(policy: Policy, item: SupervisionItem, circumstance: str) -> ListedItem | None:
    """The list entry covering ``item`` in ``circumstance``, or ``None``."""
    if not policy.rectification.first_violation_guidance:
        return None
    entry = policy.guidance.entry(item.code, circumstance)
    if entry is None and item.first_violation_guidance:
        entry = ListedItem(item.code, ListKind.FIRST_VIOLATION)
    return entry


def guidance(
    policy: Policy, item: SupervisionItem, circumstance: str, outcome: Outcome, violated_before: bool
) -> ListedItem | None:
    """The entry that turns this finding into guidance, or ``None`` (penalty possible).

    ``violated_before``: whether the item failed at the enterprise before, within the
    policy period."""
    if outcome is not Outcome.FAIL or violated_before:
        return None
    return listed(policy, item, circumstance)
