"""Enterprise quiet slots (issue 12, beyond the seeds): the periods an enterprise declares
(production peaks) in which visits of the policy's kinds (routine by default) are not placed.

Declaring (`check_declaration`): a slot covers whole local days, starts today or later,
ends on or after its start, overlaps none of the enterprise's slots, and keeps the
enterprise within ``policy.quiet_slots``: at most ``max_slots_per_year`` slots and
``max_days_per_year`` days in the calendar year of its start, each at most
``max_days_per_slot`` days. A policy allowing no slots refuses every declaration.

Placing (`place_outside`): a plan of a kind that honours slots keeps only the part of its
window outside every slot — the longest such part (the earliest of equals), and only a
part long enough for a visit (``matching.min_common_hours``). A window with no such part
lies wholly inside quiet time and is refused, naming the slot. Triggered kinds (complaint,
report, ...) never honour slots (the policy may not name them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from jointinspect.errors import FilingRejected, ValidationError
from jointinspect.model.plan import InspectionKind, Window
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.policy.schema import Policy

__all__ = ["check_declaration", "place_outside"]


def check_declaration(slot: QuietSlot, existing: Sequence[QuietSlot], today: dt.date, policy: Policy) -> None:
    """Refuse a slot the policy does not allow (see the module docstring).

    Raises:
        ValidationError: ``quiet_slot.invalid``, ``quiet_slot.too_long``,
            ``quiet_slot.overlap``, ``quiet_slot.too_many``, ``quiet_slot.year_exhausted``.
    """
    limits = policy.quiet_slots
    if slot.start < today or slot.end < slot.start:
        raise ValidationError("quiet_slot.invalid", start=slot.start.isoformat(), end=slot.end.isoformat())
    if slot.days > limits.max_days_per_slot:
        raise ValidationError("quiet_slot.too_long", days=slot.days, limit=limits.max_days_per_slot)
    for other in existing:
        if other.start <= slot.end and slot.start <= other.end:
            raise ValidationError("quiet_slot.overlap", slot=other.id)
    year = [s for s in existing if s.start.year == slot.start.year]
    if len(year) >= limits.max_slots_per_year:
        raise ValidationError(
            "quiet_slot.too_many",
            enterprise=slot.enterprise,
            count=len(year),
            year=slot.start.year,
            limit=limits.max_slots_per_year,
        )
    days = sum(s.days for s in year) + slot.days
    if days > limits.max_days_per_year:
        raise ValidationError(
            "quiet_slot.year_exhausted",
            enterprise=slot.enterprise,
            days=days,
            year=slot.start.year,
            limit=limits.max_days_per_year,
        )


def place_outside(kind: InspectionKind, window: Window, slots: Sequence[QuietSlot], policy: Policy) -> Window:
    """The part of ``window`` a plan of ``kind`` keeps outside the enterprise's quiet slots.

    Returns ``window`` itself when the kind ignores slots or no slot touches it.

    Raises:
        FilingRejected: ``filing.quiet_slot``, naming the slot, when no part long enough
            for a visit lies outside them.
    """
    if not slots or kind not in policy.quiet_slots.kinds:
        return window  # (no slot: nothing to keep out of, as below)
    quiet = sorted(
        ((slot.window(policy.zone), slot) for slot in slots if slot.window(policy.zone).intersection(window)),
        key=lambda pair: (pair[0].start, pair[1].id),
    )
    if not quiet:
        return window
    free: list[Window] = []
    cursor = window.start
    for blocked, _ in quiet:
        if cursor < blocked.start:
            free.append(Window(cursor, min(blocked.start, window.end)))
        cursor = max(cursor, blocked.end)
    if cursor < window.end:
        free.append(Window(cursor, window.end))
    usable = [part for part in free if part.end - part.start >= policy.matching.minimum]
    if not usable:
        blocked, slot = quiet[0]
        raise FilingRejected(
            "filing.quiet_slot",
            slot=slot.id,
            enterprise=slot.enterprise,
            start=slot.start.isoformat(),
            end=slot.end.isoformat(),
        )
    return max(usable, key=lambda part: (part.end - part.start, -part.start.timestamp()))
